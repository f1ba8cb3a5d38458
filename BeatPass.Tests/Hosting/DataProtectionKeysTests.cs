using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using BeatPass.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;

namespace BeatPass.Tests.Hosting;

/// <summary>The Data Protection key ring lives in the database, optionally encrypted with a certificate.</summary>
public sealed class DataProtectionKeysTests : IAsyncLifetime
{
    private const string CertificatePassword = "test-certificate-password";
    private readonly string _certificatePath = Path.Combine(Path.GetTempPath(), $"beatpass-keys-{Guid.NewGuid():N}.pfx");
    private readonly LiveAppFactory _app = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        File.Delete(_certificatePath);
    }

    [Fact]
    public async Task The_key_that_protects_a_sign_in_is_kept_in_the_database()
    {
        await _app.InitializeAsync();

        await SignInAsync(_app);

        var keys = await _app.WithDbAsync(db => db.DataProtectionKeys.Select(k => k.Xml!).ToListAsync());
        keys.Should().ContainSingle().Which.Should().Contain("<masterKey", "without a certificate the key is stored as it is");
    }

    [Fact]
    public async Task With_a_certificate_the_stored_keys_are_encrypted_and_still_work()
    {
        WriteCertificate();
        await using var app = new CertificateProtectedApp(_certificatePath);
        await app.InitializeAsync();

        await SignInAsync(app);

        var keys = await app.WithDbAsync(db => db.DataProtectionKeys.Select(k => k.Xml!).ToListAsync());
        keys.Should().ContainSingle().Which.Should().Contain("<encryptedSecret").And.NotContain("<masterKey");
    }

    private static async Task SignInAsync(LiveAppFactory app)
    {
        var user = await app.CreateUserAsync();
        using var client = app.CreateFormClient();
        (await IdentityForms.SignInAsync(client, user.Email!, BeatPassAppFactory.Password)).StatusCode.Should().Be(HttpStatusCode.Redirect);
        (await client.GetAsync("/account/settings")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    private void WriteCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=BeatPass key protection (test)", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        File.WriteAllBytes(_certificatePath, certificate.Export(X509ContentType.Pfx, CertificatePassword));
    }

    /// <summary>The app told to encrypt its keys with the certificate at <paramref name="path"/>.</summary>
    private sealed class CertificateProtectedApp(string path) : LiveAppFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("DataProtection:CertificatePath", path);
            builder.UseSetting("DataProtection:CertificatePassword", CertificatePassword);
        }
    }
}

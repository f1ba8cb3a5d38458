using System.Net;
using BeatPass.Tests.Infrastructure;
using BeatPass.Web.Areas.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;

namespace BeatPass.Tests.Sessions;

/// <summary>A copy of the database yields neither the authenticator key nor working recovery codes; both still work for their owner.</summary>
public abstract class TwoFactorSecretsTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : BeatPassAppFactory
{
    [Fact]
    public async Task The_authenticator_key_is_stored_encrypted_and_recovery_codes_only_as_hashes_and_both_still_work()
    {
        var user = await app.CreateUserAsync();
        var client = NewClient();
        await IdentityForms.SignInAsync(client, user.Email!, BeatPassAppFactory.Password);
        var key = await AuthenticatorPages.KeyAsync(client);
        var enabled = await IdentityForms.PostAsync(client, IdentityPages.EnableAuthenticator, new() { ["Input.Code"] = Totp.Code(key, DateTimeOffset.UtcNow) });
        var codes = AuthenticatorPages.RecoveryCodes(await client.GetStringAsync(enabled.Headers.Location));
        codes.Should().HaveCount(10);

        var stored = await app.WithDbAsync(db => db.UserTokens.Where(t => t.UserId == user.Id).ToDictionaryAsync(t => t.Name, t => t.Value ?? ""));

        stored["AuthenticatorKey"].Should().NotContainEquivalentOf(key.Replace(" ", ""), "the key is encrypted");
        codes.Should().AllSatisfy(code => stored["RecoveryCodes"].Should().NotContain(code, "only hashes of the codes are kept"));
        var twoFactor = NewClient();
        var password = await IdentityForms.SignInAsync(twoFactor, user.Email!, BeatPassAppFactory.Password);
        password.Headers.Location!.ToString().Should().Contain(IdentityPages.LoginWith2fa, "the stored key still reads as the key");
        var withCode = await IdentityForms.PostAsync(twoFactor, IdentityPages.LoginWithRecoveryCode, new() { ["Input.RecoveryCode"] = codes[3] });
        withCode.StatusCode.Should().Be(HttpStatusCode.Redirect);
        withCode.Headers.Location!.ToString().Should().NotContain("Login", "a hashed code still signs in");
        (await app.WithDbAsync(db => db.UserTokens.SingleAsync(t => t.UserId == user.Id && t.Name == "RecoveryCodes"))).Value!.Split(';')
            .Should().HaveCount(9, "the code is used up, and the nine left still hashed once")
            .And.OnlyContain(hash => hash.StartsWith("sha256:") && hash.Length == "sha256:".Length + 64);
        var again = NewClient();
        await IdentityForms.SignInAsync(again, user.Email!, BeatPassAppFactory.Password);
        (await IdentityForms.PostAsync(again, IdentityPages.LoginWithRecoveryCode, new() { ["Input.RecoveryCode"] = codes[3] })).StatusCode
            .Should().Be(HttpStatusCode.OK, "a used code is refused");
    }

    private HttpClient NewClient() => app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });


}

public sealed class TwoFactorSecretsTestsOnSqlite(BeatPassAppFactory app) : TwoFactorSecretsTests<BeatPassAppFactory>(app);

public sealed class TwoFactorSecretsTestsOnPostgreSql(PostgreSqlAppFactory app) : TwoFactorSecretsTests<PostgreSqlAppFactory>(app);

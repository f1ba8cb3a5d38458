using System.Net;
using BeatPass.Core.Data;
using BeatPass.Tests.Infrastructure;
using BeatPass.Web.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using BeatPass.Web.Areas.Identity;

namespace BeatPass.Tests.Security;

/// <summary>The holes closed around sign-in: form rate limits, timing of unknown accounts, change-password guessing, the hub's origin, headers.</summary>
public sealed class AccountHardeningTests
{
    [Fact]
    public async Task One_address_posting_the_account_forms_too_often_gets_429_with_Retry_After_across_all_of_them()
    {
        await using var app = new LimitedApp();
        await app.InitializeAsync();
        using var client = app.CreateFormClient();

        for (var i = 0; i < 3; i++)
        {
            (await IdentityForms.PostAsync(client, IdentityPages.ForgotPassword, new() { ["Input.Email"] = $"x{i}@example.com" }))
                .StatusCode.Should().Be(HttpStatusCode.Redirect);
        }

        var limited = await IdentityForms.PostAsync(client, IdentityPages.ForgotPassword, new() { ["Input.Email"] = "x@example.com" });
        var register = await IdentityForms.PostAsync(client, IdentityPages.Register, new() { ["Input.Email"] = "y@example.com" });
        var signIn = await IdentityForms.SignInAsync(client, "z@example.com", "Whatever-1");

        limited.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        limited.Headers.RetryAfter!.Delta.Should().BePositive();
        register.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        signIn.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        (await client.GetAsync(IdentityPages.Login)).StatusCode.Should().Be(HttpStatusCode.OK, "only posting the forms is limited");
        app.Mail.Messages.Should().BeEmpty("none of those addresses has an account");
    }

    [Theory]
    [InlineData("203.0.113.7", "203.0.113.7")]
    [InlineData("::ffff:203.0.113.7", "203.0.113.7")]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:2::/64")]
    public void IPv6_addresses_are_limited_by_their_64_and_IPv4_ones_by_themselves(string address, string partition) =>
        ClientAddresses.Partition(IPAddress.Parse(address)).Should().Be(partition);

    [Fact]
    public async Task Signing_in_with_an_unknown_email_costs_a_password_hash_as_a_known_one_does()
    {
        var hasher = new CountingPasswordHasher();
        await using var app = new HashCountingApp(hasher);
        await app.InitializeAsync();
        var user = await app.CreateUserAsync();
        var client = app.CreateClient(new() { AllowAutoRedirect = false });

        var before = hasher.Verifications;
        (await IdentityForms.SignInAsync(client, user.Email!, "Wrong-password-1")).StatusCode.Should().Be(HttpStatusCode.OK);
        var known = hasher.Verifications - before;
        before = hasher.Verifications;
        (await IdentityForms.SignInAsync(client, "nobody-" + user.Email, "Wrong-password-1")).StatusCode.Should().Be(HttpStatusCode.OK);
        var unknown = hasher.Verifications - before;

        known.Should().Be(1);
        unknown.Should().Be(known);
    }

    [Fact]
    public async Task Signing_in_answers_an_unknown_email_as_it_answers_a_wrong_password()
    {
        await using var app = new BeatPassAppFactory();
        await app.InitializeAsync();
        var user = await app.CreateUserAsync();
        var unknown = "nobody-" + user.Email;

        var wrongPassword = await IdentityForms.SignInAsync(app.CreateClient(new() { AllowAutoRedirect = false }), user.Email!, "Wrong-password-1");
        var noAccount = await IdentityForms.SignInAsync(app.CreateClient(new() { AllowAutoRedirect = false }), unknown, "Wrong-password-1");

        wrongPassword.StatusCode.Should().Be(noAccount.StatusCode);
        var page = await wrongPassword.Content.ReadAsStringAsync();
        page.Should().Contain("Invalid login attempt.");
        IdentityForms.Comparable(page, user.Email!).Should().Be(IdentityForms.Comparable(await noAccount.Content.ReadAsStringAsync(), unknown));
    }

    [Fact]
    public async Task Wrong_current_passwords_on_Change_password_lock_the_account_like_wrong_sign_ins()
    {
        await using var app = new BeatPassAppFactory();
        await app.InitializeAsync();
        var user = await app.CreateUserAsync();
        var client = app.CreateClient(new() { AllowAutoRedirect = false });
        (await IdentityForms.SignInAsync(client, user.Email!, BeatPassAppFactory.Password)).StatusCode.Should().Be(HttpStatusCode.Redirect);

        for (var i = 0; i < 5; i++)
        {
            await IdentityForms.PostAsync(client, IdentityPages.ChangePassword, new()
            {
                ["Input.OldPassword"] = $"Wrong-password-{i}",
                ["Input.NewPassword"] = "Brand-new-password-1",
                ["Input.ConfirmPassword"] = "Brand-new-password-1",
            });
        }

        var stored = await app.WithDbAsync(db => db.Users.SingleAsync(u => u.Id == user.Id));
        stored.LockoutEnd.Should().BeAfter(app.Time.GetUtcNow());
        var signIn = await IdentityForms.SignInAsync(app.CreateClient(new() { AllowAutoRedirect = false }), user.Email!, BeatPassAppFactory.Password);
        signIn.Headers.Location!.ToString().Should().Contain("Lockout");
    }

    [Fact]
    public async Task The_Blazor_hub_refuses_another_sites_origin_and_no_response_names_the_server()
    {
        await using var app = new LiveAppFactory();
        await app.InitializeAsync();
        using var client = app.CreateFormClient();

        var foreign = await NegotiateAsync(client, "http://evil.example");
        var own = await NegotiateAsync(client, app.BaseAddress.GetLeftPart(UriPartial.Authority));
        var page = await client.GetAsync(IdentityPages.Login);

        foreign.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        own.StatusCode.Should().Be(HttpStatusCode.OK);
        page.Headers.Contains("Server").Should().BeFalse();
        own.Headers.Contains("Server").Should().BeFalse();
    }

    [Fact]
    public async Task The_Blazor_hub_refuses_a_request_with_two_Origin_headers_even_when_the_first_is_its_own()
    {
        await using var app = new LiveAppFactory();
        await app.InitializeAsync();
        var own = app.BaseAddress.GetLeftPart(UriPartial.Authority);

        var one = await RawNegotiateAsync(app, own);
        var two = await RawNegotiateAsync(app, own, "http://evil.example");

        one.Should().Be(200);
        two.Should().Be(403);
    }

    [Fact]
    public async Task A_sign_in_link_that_returns_to_another_site_signs_in_and_goes_home_instead()
    {
        await using var app = new LiveAppFactory();
        await app.InitializeAsync();
        var user = await app.CreateUserAsync();
        using var client = app.CreateFormClient();
        var login = IdentityPages.Login + "?ReturnUrl=" + Uri.EscapeDataString("https://evil.example/");

        var signIn = await IdentityForms.PostAsync(client, login, new()
        {
            ["Input.Email"] = user.Email!,
            ["Input.Password"] = BeatPassAppFactory.Password,
            ["Input.RememberMe"] = "false",
        });

        signIn.StatusCode.Should().Be(HttpStatusCode.Redirect);
        signIn.Headers.Location!.ToString().Should().Be("/");
    }

    [Fact]
    public async Task In_Production_the_sign_in_cookie_is_Secure()
    {
        await using var app = new ProductionApp();
        await app.InitializeAsync();
        var user = await app.CreateUserAsync();
        using var client = app.CreateFormClient();

        var signedIn = await IdentityForms.SignInAsync(client, user.Email!, BeatPassAppFactory.Password);

        signedIn.StatusCode.Should().Be(HttpStatusCode.Redirect);
        signedIn.Headers.GetValues("Set-Cookie").Should().Contain(c => c.StartsWith(".AspNetCore.Identity.Application=") && c.Contains("secure"));
    }

    [Fact]
    public async Task In_Production_error_pages_carry_the_security_headers_and_no_details()
    {
        await using var app = new ProductionApp();
        await app.InitializeAsync();
        using var client = app.CreateHttpClient();

        var notFound = await client.GetAsync("/no-such-page");
        var error = await client.GetAsync("/Error");

        notFound.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await notFound.Content.ReadAsStringAsync()).Should().Contain("Page not found");
        (await error.Content.ReadAsStringAsync()).Should().Contain("Something went wrong").And.NotContain("Exception").And.NotContain(" at ");
        foreach (var response in new[] { notFound, error })
        {
            response.Headers.GetValues("Content-Security-Policy").Single().Should().Contain("script-src 'self' 'nonce-");
            response.Headers.GetValues("X-Frame-Options").Single().Should().Be("DENY");
            response.Headers.GetValues("X-Content-Type-Options").Single().Should().Be("nosniff");
            response.Headers.Contains("Server").Should().BeFalse();
        }
    }

    [Fact]
    public async Task In_Production_a_request_that_throws_gets_the_error_page_with_no_details()
    {
        await using var app = new ProductionApp();
        await app.InitializeAsync();
        using var client = app.CreateHttpClient();
        // A real fault, not a stub: the accounts table is gone, so looking an account up throws. The error page
        // itself reads no account, so its own rendering does not fail the same way.
        await app.WithDbAsync(db => db.Database.ExecuteSqlRawAsync("ALTER TABLE AspNetUsers RENAME TO AspNetUsersGone"));

        var response = await client.GetAsync(IdentityPages.ConfirmEmail + "?userId=someone&code=something");

        response.StatusCode.Should().Be(HttpStatusCode.InternalServerError);
        var body = await response.Content.ReadAsStringAsync();
        body.Should().Contain("Something went wrong").And.Contain("Account Settings");
        body.Should().NotContain("AspNetUsers").And.NotContain("SqliteException").And.NotContain(" at ");
        response.Headers.GetValues("Content-Security-Policy").Single().Should().Contain("script-src 'self' 'nonce-");
        response.Headers.GetValues("X-Frame-Options").Single().Should().Be("DENY");
        response.Headers.Contains("Server").Should().BeFalse();
        app.Logs.Entries.Should().Contain(e => e.Level == LogLevel.Error && e.Exception != null && e.Exception.Contains("no such table: AspNetUsers"),
            "the failure is logged for the operators, with its details");
    }

    /// <summary>The hub's negotiation sent by hand, one <c>Origin</c> line per origin (HttpClient would join them into one).</summary>
    private static async Task<int> RawNegotiateAsync(LiveAppFactory app, params string[] origins)
    {
        using var client = new System.Net.Sockets.TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, app.BaseAddress.Port);
        await using var stream = client.GetStream();
        var request = $"POST /_blazor/negotiate?negotiateVersion=1 HTTP/1.1\r\nHost: {app.BaseAddress.Authority}\r\nContent-Length: 0\r\nConnection: close\r\n"
            + string.Concat(origins.Select(origin => $"Origin: {origin}\r\n")) + "\r\n";
        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(request));
        using var reader = new StreamReader(stream, System.Text.Encoding.ASCII);
        var statusLine = await reader.ReadLineAsync() ?? throw new InvalidOperationException("The server closed the connection without answering.");
        return int.Parse(statusLine.Split(' ')[1]);
    }

    private static async Task<HttpResponseMessage> NegotiateAsync(HttpClient client, string origin)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/_blazor/negotiate?negotiateVersion=1") { Headers = { { "Origin", origin } } };
        return await client.SendAsync(request);
    }

    private sealed class LimitedApp : LiveAppFactory
    {
        protected override int AccountFormPostsPerWindow => 3;
    }

    private sealed class ProductionApp : LiveAppFactory
    {
        protected override string EnvironmentName => "Production";
    }

    private sealed class HashCountingApp(CountingPasswordHasher hasher) : BeatPassAppFactory
    {
        protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(services => services.AddSingleton<IPasswordHasher<BeatPassUser>>(hasher));
        }
    }

    /// <summary>Identity's own hasher, counting how many passwords it checks.</summary>
    private sealed class CountingPasswordHasher : IPasswordHasher<BeatPassUser>
    {
        private readonly PasswordHasher<BeatPassUser> _real = new();
        private int _verifications;

        public int Verifications => _verifications;

        public string HashPassword(BeatPassUser user, string password) => _real.HashPassword(user, password);

        public PasswordVerificationResult VerifyHashedPassword(BeatPassUser user, string hashedPassword, string providedPassword)
        {
            Interlocked.Increment(ref _verifications);
            return _real.VerifyHashedPassword(user, hashedPassword, providedPassword);
        }
    }
}

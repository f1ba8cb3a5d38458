using BeatPass.Tests.Infrastructure;
using BeatPass.Web.Areas.Identity;

namespace BeatPass.Tests.Security;

public sealed class SecurityHeadersTests(BeatPassAppFactory app) : IClassFixture<BeatPassAppFactory>
{
    [Theory]
    [InlineData("/")]
    [InlineData("/account/settings/developers")]
    [InlineData(IdentityPages.Login)]
    [InlineData("/scalar/v1")]
    public async Task Every_page_carries_the_security_headers(string path)
    {
        var response = await app.CreateClient().GetAsync(path);

        response.Headers.GetValues("X-Content-Type-Options").Should().Equal("nosniff");
        response.Headers.GetValues("Referrer-Policy").Should().Equal("strict-origin-when-cross-origin");
        response.Headers.GetValues("X-Frame-Options").Should().Equal("DENY");
        var policy = response.Headers.GetValues("Content-Security-Policy").Single();
        policy.Should().Contain("frame-ancestors 'none'").And.Contain("object-src 'none'").And.NotContain("unsafe-eval");
        policy.Should().MatchRegex("script-src 'self' 'nonce-[0-9A-F]{32}';");
    }

    [Fact]
    public async Task API_responses_carry_a_policy_that_allows_nothing()
    {
        var response = await app.CreateClient().GetAsync("/api/v1/me");

        response.Headers.GetValues("X-Content-Type-Options").Should().Equal("nosniff");
        response.Headers.GetValues("X-Frame-Options").Should().Equal("DENY");
        response.Headers.GetValues("Content-Security-Policy").Should().Equal("default-src 'none'; frame-ancestors 'none'");
    }

    [Fact]
    public async Task Each_response_gets_its_own_nonce_which_the_inline_import_map_carries()
    {
        var client = app.CreateClient();
        var first = await client.GetAsync("/");
        var second = await client.GetAsync("/");

        var nonce = Nonce(first);
        nonce.Should().NotBe(Nonce(second));
        (await first.Content.ReadAsStringAsync()).Should().Contain($"<script type=\"importmap\" nonce=\"{nonce}\"");
    }

    private static string Nonce(HttpResponseMessage response) =>
        System.Text.RegularExpressions.Regex.Match(response.Headers.GetValues("Content-Security-Policy").Single(), "'nonce-([^']+)'").Groups[1].Value;
}

using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using BeatPass.Core.ApiTokens;
using BeatPass.Core.DeveloperAccess;
using BeatPass.Tests.Infrastructure;
using BeatPass.Web.Api;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;

namespace BeatPass.Tests.Api;

public abstract class ApiTokenAuthenticationTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : BeatPassAppFactory
{
    [Fact]
    public async Task A_valid_token_gets_the_account_and_token_behind_it()
    {
        var user = await app.CreateUserAsync();
        var token = await app.CreateTokenAsync(user.Id, "Me reader");

        var response = await GetMeAsync($"Bearer {token.PlainText}");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Headers.CacheControl!.NoStore.Should().BeTrue();
        var me = await response.Content.ReadFromJsonAsync<MeResponse>();
        me.Should().BeEquivalentTo(new MeResponse(user.Id, user.UserName!, user.Email!, new MeToken(token.Summary.Id, "Me reader")));
    }

    public static TheoryData<string?, string> BadAuthorizationHeaders() => new()
    {
        { null, "missing header" },
        { "Bearer", "Bearer alone" },
        { "Bearer    ", "Bearer and spaces" },
        { "Bearer not-a-token", "malformed" },
        { "Basic dXNlcjpwYXNz", "another scheme" },
        { "Bearerbpat_x", "no space after Bearer" },
        { "Bearer " + ApiTokenFormat.Generate()[..^1] + "!", "bad character" },
        { "Bearer " + TestFiles.WithLastCharacterChanged(ApiTokenFormat.Generate()), "bad checksum" },
        { "Bearer " + ApiTokenFormat.Generate(), "unknown token" },
    };

    [Theory]
    [MemberData(nameof(BadAuthorizationHeaders))]
    public async Task Requests_without_a_valid_token_get_401_with_a_bearer_challenge_and_problem_details(string? authorization, string because)
    {
        var response = await GetMeAsync(authorization);

        await ShouldBeUnauthorizedAsync(response, because);
    }

    [Theory]
    [InlineData("/api/v1/nothing-here")]
    [InlineData("/api/v2/me")]
    [InlineData("/api")]
    public async Task An_unknown_API_address_gets_a_404_that_says_so_as_ProblemDetails(string path)
    {
        var token = await app.CreateTokenAsync((await app.CreateUserAsync()).Id);
        using var client = app.CreateClient();

        using var response = await client.SendWithTokenAsync(HttpMethod.Get, path, token.PlainText);

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        response.Headers.CacheControl!.NoStore.Should().BeTrue();
        var problem = await response.Content.ReadFromJsonAsync<ProblemDetails>();
        problem!.Status.Should().Be(404);
        problem.Detail.Should().Be("There is no API endpoint at this address. The API reference is at /scalar/v1.");
    }

    [Fact]
    public async Task A_client_that_does_not_accept_json_still_gets_a_401_with_its_reason()
    {
        using var client = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/me");
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer not-a-token");
        request.Headers.Accept.ParseAdd("text/plain");

        using var response = await client.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        response.Headers.WwwAuthenticate.ToString().Should().Contain("invalid_token");
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        (await response.Content.ReadAsStringAsync()).Should().Contain("The token is invalid, revoked or deleted.");
    }

    [Fact]
    public async Task A_deleted_token_fails_on_the_very_next_request()
    {
        var user = await app.CreateUserAsync();
        var token = await app.CreateTokenAsync(user.Id);
        (await GetMeAsync($"Bearer {token.PlainText}")).StatusCode.Should().Be(HttpStatusCode.OK);

        (await app.WithTokenServiceAsync(tokens => tokens.DeleteAsync(user.Id, token.Summary.Id))).Should().BeTrue();

        await ShouldBeUnauthorizedAsync(await GetMeAsync($"Bearer {token.PlainText}"), "the token was deleted");
    }

    [Fact]
    public async Task A_token_stops_working_when_developer_access_is_withdrawn()
    {
        var user = await app.CreateUserAsync();
        var token = await app.CreateTokenAsync(user.Id);
        (await GetMeAsync($"Bearer {token.PlainText}")).StatusCode.Should().Be(HttpStatusCode.OK);

        // Through the context, as any code using Identity's user store would.
        await app.WithDbAsync(async db =>
        {
            (await db.Users.SingleAsync(u => u.Id == user.Id)).HasDeveloperAccess = false;
            return await db.SaveChangesAsync();
        });

        await ShouldBeUnauthorizedAsync(await GetMeAsync($"Bearer {token.PlainText}"), "access was withdrawn");
    }

    [Fact]
    public async Task A_token_fails_on_the_next_request_after_staff_revoke_access()
    {
        var staff = await app.CreateStaffAsync();
        var user = await app.CreateUserAsync();
        var token = await app.CreateTokenAsync(user.Id);
        (await GetMeAsync($"Bearer {token.PlainText}")).StatusCode.Should().Be(HttpStatusCode.OK);

        await app.WithServiceAsync<DeveloperAccessService, int>(access => access.RevokeAsync(staff.Id, user.Id));

        await ShouldBeUnauthorizedAsync(await GetMeAsync($"Bearer {token.PlainText}"), "access was revoked");
    }

    [Fact]
    public async Task An_expired_token_gets_401_saying_it_expired()
    {
        var user = await app.CreateUserAsync();
        var expiresAt = ApiTokenExpiration.InDays(app.Time.GetUtcNow().UtcDateTime, 1);
        var token = (await app.WithTokenServiceAsync(tokens => tokens.CreateAsync(user.Id, "Day pass", expiresAt))).Token!;
        (await GetMeAsync($"Bearer {token.PlainText}")).StatusCode.Should().Be(HttpStatusCode.OK);

        app.Time.Advance(TimeSpan.FromDays(1));

        var response = await GetMeAsync($"Bearer {token.PlainText}");
        await ShouldBeUnauthorizedAsync(response, "the token expired");
        response.Headers.WwwAuthenticate.Single().Parameter.Should().Contain("error_description=\"The token expired\"");
    }

    [Fact]
    public async Task After_regenerating_the_old_secret_gets_401_and_the_new_one_works()
    {
        var user = await app.CreateUserAsync();
        var token = await app.CreateTokenAsync(user.Id, "Rotated");
        (await GetMeAsync($"Bearer {token.PlainText}")).StatusCode.Should().Be(HttpStatusCode.OK);

        var regenerated = (await app.WithTokenServiceAsync(tokens => tokens.RegenerateAsync(user.Id, token.Summary.Id))).Token!;

        await ShouldBeUnauthorizedAsync(await GetMeAsync($"Bearer {token.PlainText}"), "the old secret was replaced");
        var response = await GetMeAsync($"Bearer {regenerated.PlainText}");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await response.Content.ReadFromJsonAsync<MeResponse>())!.Token.Should().Be(new MeToken(token.Summary.Id, "Rotated"));
    }

    [Fact]
    public async Task The_sign_in_cookie_alone_is_not_accepted_on_the_api()
    {
        var user = await app.CreateUserAsync();
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        (await IdentityForms.SignInAsync(client, user.Email!, BeatPassAppFactory.Password)).StatusCode
            .Should().Be(HttpStatusCode.Redirect, "signing in redirects home");
        // The control: the cookie does sign in to the pages.
        (await client.GetAsync("/account/settings")).StatusCode.Should().Be(HttpStatusCode.OK);

        var response = await client.GetAsync("/api/v1/me");

        await ShouldBeUnauthorizedAsync(response, "cookies are not accepted on /api");
    }

    [Fact]
    public async Task Last_used_is_updated_once_within_a_minute_of_repeated_calls()
    {
        var user = await app.CreateUserAsync();
        var token = await app.CreateTokenAsync(user.Id);
        var firstUse = app.Time.GetUtcNow().UtcDateTime;

        for (var i = 0; i < 5; i++)
        {
            (await GetMeAsync($"Bearer {token.PlainText}")).StatusCode.Should().Be(HttpStatusCode.OK);
            app.Time.Advance(TimeSpan.FromSeconds(10));
        }

        (await LastUsedAsync()).Should().Be(firstUse);

        app.Time.Advance(TimeSpan.FromSeconds(15));
        await GetMeAsync($"Bearer {token.PlainText}");
        (await LastUsedAsync()).Should().Be(firstUse.AddSeconds(65));

        async Task<DateTime?> LastUsedAsync()
        {
            await app.WriteTokenUsesAsync();
            return await app.WithDbAsync(db => db.ApiTokens.Where(t => t.Id == token.Summary.Id).Select(t => t.LastUsedAt).SingleAsync());
        }
    }

    [Fact]
    public async Task Health_answers_anonymously()
    {
        var response = await app.CreateClient().GetAsync("/health");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).Should().Be("Healthy");
    }

    private async Task<HttpResponseMessage> GetMeAsync(string? authorization)
    {
        using var client = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/me");
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        return await client.SendAsync(request);
    }

    private static async Task ShouldBeUnauthorizedAsync(HttpResponseMessage response, string because)
    {
        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized, because);
        response.Headers.WwwAuthenticate.Should().ContainSingle().Which.Scheme.Should().Be("Bearer");
        response.Headers.CacheControl!.NoStore.Should().BeTrue();
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        var problem = await response.Content.ReadFromJsonAsync<ProblemDetails>();
        problem!.Status.Should().Be(401);
    }
}

public sealed class ApiTokenAuthenticationTestsOnSqlite(BeatPassAppFactory app) : ApiTokenAuthenticationTests<BeatPassAppFactory>(app);

public sealed class ApiTokenAuthenticationTestsOnPostgreSql(PostgreSqlAppFactory app) : ApiTokenAuthenticationTests<PostgreSqlAppFactory>(app);

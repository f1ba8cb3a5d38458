using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using BeatPass.Core.ApiTokens;
using BeatPass.Core.Audit;
using BeatPass.Core.Data;
using BeatPass.Core.DeveloperAccess;
using BeatPass.Core.Services;
using BeatPass.Tests.Infrastructure;
using BeatPass.Web.Api;
using BeatPass.Web.SecretScanning;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BeatPass.Tests.Api;

/// <summary>The app with two permissions of other services declared: <c>library:read</c>, and the staff-only <c>catalog:write</c>.</summary>
public class TokenCheckApp : BeatPassAppFactory
{
    public const string LibraryRead = "library:read";
    public const string CatalogWrite = "catalog:write";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("ApiTokens:ExtraPermissions:0:Name", LibraryRead);
        builder.UseSetting("ApiTokens:ExtraPermissions:0:Area", "Library");
        builder.UseSetting("ApiTokens:ExtraPermissions:0:Description", "Read your library.");
        builder.UseSetting("ApiTokens:ExtraPermissions:1:Name", CatalogWrite);
        builder.UseSetting("ApiTokens:ExtraPermissions:1:Area", "Catalog");
        builder.UseSetting("ApiTokens:ExtraPermissions:1:Description", "Change the catalog.");
        builder.UseSetting("ApiTokens:ExtraPermissions:1:StaffOnly", "true");
    }

    /// <summary>A service registered from the command line, with its secret.</summary>
    public async Task<AddedServiceClient> AddServiceAsync(string? name = null)
    {
        var (added, error) = await Services.GetRequiredService<ServiceClients>()
            .AddFromCommandLineAsync(name ?? $"service-{Guid.NewGuid():N}"[..20]);
        added.Should().NotBeNull(error);
        return added!;
    }
}

public sealed class PostgreSqlTokenCheckApp : TokenCheckApp
{
    protected override DatabaseProvider Provider => DatabaseProvider.PostgreSQL;
}

public abstract class TokenCheckTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : TokenCheckApp
{
    [Fact]
    public async Task Introspection_of_a_working_token_says_whose_it_is_what_it_may_do_and_when_it_was_issued_and_expires()
    {
        var service = await app.AddServiceAsync();
        var user = await app.CreateUserAsync();
        var issuedAt = app.Time.GetUtcNow().UtcDateTime;
        var expiresAt = ApiTokenExpiration.InDays(issuedAt, 30);
        var token = (await app.WithTokenServiceAsync(tokens =>
            tokens.CreateAsync(user.Id, "Library sync", expiresAt, [ApiPermissions.AccountRead, TokenCheckApp.LibraryRead]))).Token!;

        using var response = await IntrospectAsync(service, token.PlainText);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Headers.CacheControl!.NoStore.Should().BeTrue();
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/json");
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        body.EnumerateObject().Select(p => p.Name).Should().BeEquivalentTo("active", "scope", "sub", "username", "token_id", "iat", "exp");
        body.GetProperty("active").GetBoolean().Should().BeTrue();
        body.GetProperty("scope").GetString().Should().Be("account:read library:read");
        body.GetProperty("sub").GetString().Should().Be(user.Id);
        body.GetProperty("username").GetString().Should().Be(user.UserName);
        body.GetProperty("token_id").GetGuid().Should().Be(token.Summary.Id);
        body.GetProperty("iat").GetInt64().Should().Be(new DateTimeOffset(issuedAt).ToUnixTimeSeconds());
        body.GetProperty("exp").GetInt64().Should().Be(new DateTimeOffset(expiresAt).ToUnixTimeSeconds());
    }

    [Fact]
    public async Task A_token_that_never_expires_has_no_exp_and_a_lapsed_staff_permission_is_not_in_its_scope()
    {
        var service = await app.AddServiceAsync();
        var staff = await app.CreateStaffAsync();
        await app.WithServiceAsync<DeveloperAccessService, bool>(async access => { await access.GrantAsync(staff.Id, staff.Id); return true; });
        var token = (await app.WithTokenServiceAsync(tokens =>
            tokens.CreateAsync(staff.Id, "Catalog editor", null, [ApiPermissions.AccountRead, TokenCheckApp.CatalogWrite]))).Token!;
        (await ScopeAsync(service, token.PlainText)).Should().Be("account:read catalog:write");
        (await CheckAsync(token.PlainText, TokenCheckApp.CatalogWrite)).StatusCode.Should().Be(HttpStatusCode.NoContent);

        await app.WithDbAsync(async db =>
        {
            db.UserRoles.RemoveRange(db.UserRoles.Where(r => r.UserId == staff.Id));
            return await db.SaveChangesAsync();
        });

        using var response = await IntrospectAsync(service, token.PlainText);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        body.GetProperty("scope").GetString().Should().Be("account:read");
        body.TryGetProperty("exp", out _).Should().BeFalse();
        (await CheckAsync(token.PlainText, TokenCheckApp.CatalogWrite)).StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Anything_but_a_working_token_is_exactly_active_false()
    {
        var service = await app.AddServiceAsync();
        var user = await app.CreateUserAsync();
        var deleted = await app.CreateTokenAsync(user.Id, "Deleted");
        await app.WithTokenServiceAsync(tokens => tokens.DeleteAsync(user.Id, deleted.Summary.Id));
        var expired = (await app.WithTokenServiceAsync(tokens =>
            tokens.CreateAsync(user.Id, "Expired", ApiTokenExpiration.InDays(app.Time.GetUtcNow().UtcDateTime, 1)))).Token!;
        var revoked = await app.CreateTokenAsync(user.Id, "Reported");
        using (var report = await app.CreateClient().PostAsJsonAsync(SecretScanningEndpoints.PublicRevocationPath, new { credentials = new[] { revoked.PlainText } }))
        {
            report.StatusCode.Should().Be(HttpStatusCode.Accepted);
        }

        var withoutAccess = await app.CreateUserAsync();
        var ofAccountWithoutAccess = await app.CreateTokenAsync(withoutAccess.Id);
        await app.WithDbAsync(async db =>
        {
            (await db.Users.SingleAsync(u => u.Id == withoutAccess.Id)).HasDeveloperAccess = false;
            return await db.SaveChangesAsync();
        });
        app.Time.Advance(TimeSpan.FromDays(1));

        foreach (var (token, what) in new[]
        {
            (ApiTokenFormat.Generate(), "a made-up token"),
            ("not-a-token", "something else"),
            (deleted.PlainText, "a deleted token"),
            (expired.PlainText, "an expired token"),
            (revoked.PlainText, "a revoked token"),
            (ofAccountWithoutAccess.PlainText, "a token of an account without developer access"),
            ("Bearer " + revoked.PlainText, "a header value"),
        })
        {
            using var response = await IntrospectAsync(service, token);
            response.StatusCode.Should().Be(HttpStatusCode.OK, what);
            (await response.Content.ReadAsStringAsync()).Should().Be("""{"active":false}""", what);
            response.Headers.CacheControl!.NoStore.Should().BeTrue(what);
        }
    }

    [Fact]
    public async Task Wrong_missing_or_revoked_service_credentials_get_401_with_a_Basic_challenge()
    {
        var service = await app.AddServiceAsync();
        var other = await app.AddServiceAsync();
        var token = await app.CreateTokenAsync((await app.CreateUserAsync()).Id);
        (await IntrospectAsync(service, token.PlainText)).StatusCode.Should().Be(HttpStatusCode.OK);

        var attempts = new (string? Authorization, string What)[]
        {
            (null, "no credentials"),
            (ApiClient.Basic(service.Service.ClientId, other.Secret), "another service's secret"),
            (ApiClient.Basic(service.Service.ClientId, ServiceClientFormat.NewSecret()), "a made-up secret"),
            (ApiClient.Basic(ServiceClientFormat.NewClientId(), service.Secret), "an unknown client id"),
            (ApiClient.Basic(service.Service.ClientId, ""), "no secret"),
            ("Basic not-base64!", "not base64"),
            ("Bearer " + token.PlainText, "a token instead of a service"),
        };
        foreach (var (authorization, what) in attempts)
        {
            using var response = await PostIntrospectionAsync(authorization, new FormUrlEncodedContent([new("token", token.PlainText)]));
            await ShouldBeUnauthorizedAsync(response, what);
        }

        var staff = await app.CreateStaffAsync();
        await app.WithServiceAsync<ServiceClients, bool>(async services => { await services.RevokeAsync(staff.Id, service.Service.Id); return true; });

        await ShouldBeUnauthorizedAsync(await IntrospectAsync(service, token.PlainText), "the service was revoked");
        (await IntrospectAsync(other, token.PlainText)).StatusCode.Should().Be(HttpStatusCode.OK, "the other service is still registered");
    }

    [Fact]
    public async Task Bad_requests_get_a_clear_400_and_change_nothing()
    {
        var service = await app.AddServiceAsync();
        var user = await app.CreateUserAsync();
        var token = await app.CreateTokenAsync(user.Id);
        var basic = ApiClient.Basic(service.Service.ClientId, service.Secret);
        var auditBefore = await app.WithDbAsync(db => db.AuditEvents.CountAsync());

        var requests = new (string Path, HttpContent Content, string Says, string What)[]
        {
            (ApiRequests.IntrospectionPath, new FormUrlEncodedContent([new("token_type_hint", "access_token")]), "no token field", "no token field"),
            (ApiRequests.IntrospectionPath, new FormUrlEncodedContent([new("token", "")]), "no token field", "an empty token"),
            (ApiRequests.IntrospectionPath, new FormUrlEncodedContent([new("token", token.PlainText), new("token", token.PlainText)]), "one token field", "two tokens"),
            (ApiRequests.IntrospectionPath, JsonContent.Create(new { token = token.PlainText }), "form field", "a JSON body"),
            (ApiRequests.IntrospectionPath, new FormUrlEncodedContent([new("token", new string('a', 100_000))]), "4096 bytes", "a 100 KB token"),
            ($"{ApiRequests.IntrospectionPath}?client_secret={service.Secret}", new FormUrlEncodedContent([new("token", token.PlainText)]),
                "never in the address", "the secret in the query string"),
            ($"{ApiRequests.IntrospectionPath}?token={token.PlainText}", new StringContent(""), "never in the address", "the token in the query string"),
        };
        foreach (var (path, content, says, what) in requests)
        {
            using var response = await PostIntrospectionAsync(basic, content, path);
            response.StatusCode.Should().Be(HttpStatusCode.BadRequest, what);
            var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            error.GetProperty("error").GetString().Should().Be("invalid_request", what);
            error.GetProperty("error_description").GetString().Should().Contain(says, what);
        }

        using var chunked = new StringContent("token=" + new string('a', 100_000), Encoding.ASCII, "application/x-www-form-urlencoded");
        chunked.Headers.ContentLength = null;
        (await PostIntrospectionAsync(basic, new ChunkedContent(chunked))).StatusCode.Should().Be(HttpStatusCode.BadRequest, "a long body without a length");

        await app.WriteTokenUsesAsync();
        (await app.WithDbAsync(db => db.ApiTokens.Where(t => t.Id == token.Summary.Id).Select(t => t.LastUsedAt).SingleAsync()))
            .Should().BeNull("no request used the token");
        (await app.WithDbAsync(db => db.AuditEvents.CountAsync())).Should().Be(auditBefore);
    }

    [Fact]
    public async Task An_introspection_is_a_use_of_the_token_by_that_service_and_of_the_service()
    {
        var service = await app.AddServiceAsync("library-api");
        var user = await app.CreateUserAsync();
        var token = await app.CreateTokenAsync(user.Id);

        (await IntrospectAsync(service, token.PlainText)).StatusCode.Should().Be(HttpStatusCode.OK);
        await app.WriteTokenUsesAsync();

        var summary = (await app.WithTokenServiceAsync(tokens => tokens.ListAsync(user.Id))).Single();
        summary.LastUsedAt.Should().Be(app.Time.GetUtcNow().UtcDateTime);
        summary.LastUsedByService.Should().Be("library-api");
        summary.LastUsedFrom.Should().BeEmpty("the service's address is not the token user's");
        var staff = await app.CreateStaffAsync();
        await Wait.UntilAsync(async () => (await app.WithServiceAsync<ServiceClients, IReadOnlyList<ServiceClientSummary>>(s => s.ListAsync(staff.Id)))
            .Single(s => s.Id == service.Service.Id).LastUsedAt is not null, TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_gateway_check_answers_204_with_the_account_for_a_working_token()
    {
        var user = await app.CreateUserAsync();
        var token = (await app.WithTokenServiceAsync(tokens =>
            tokens.CreateAsync(user.Id, "Library", null, [ApiPermissions.AccountRead, TokenCheckApp.LibraryRead]))).Token!;

        foreach (var required in new[] { null, TokenCheckApp.LibraryRead })
        {
            using var response = await CheckAsync(token.PlainText, required);

            response.StatusCode.Should().Be(HttpStatusCode.NoContent);
            response.Headers.GetValues(TokenCheckEndpoints.UserIdHeader).Should().Equal(user.Id);
            response.Headers.GetValues(TokenCheckEndpoints.TokenIdHeader).Should().Equal(token.Summary.Id.ToString());
            response.Headers.GetValues("X-Token-Permissions").Should().Equal("account:read library:read");
            response.Headers.CacheControl!.NoStore.Should().BeTrue();
        }
    }

    [Fact]
    public async Task A_gateway_check_answers_the_APIs_403_for_a_missing_permission_and_its_401_for_a_bad_token()
    {
        var user = await app.CreateUserAsync();
        var token = await app.CreateTokenAsync(user.Id);

        using (var forbidden = await CheckAsync(token.PlainText, TokenCheckApp.LibraryRead))
        {
            forbidden.StatusCode.Should().Be(HttpStatusCode.Forbidden);
            forbidden.Headers.WwwAuthenticate.ToString().Should().Be("Bearer error=\"insufficient_scope\", scope=\"library:read\"");
            forbidden.Headers.GetValues("X-Accepted-Permissions").Should().Equal(TokenCheckApp.LibraryRead);
            forbidden.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        }

        foreach (var (authorization, what) in new[] { ((string?)null, "no token"), ("Bearer " + ApiTokenFormat.Generate(), "a made-up token"), ("Basic eDp5", "Basic") })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, ApiRequests.CheckPath);
            if (authorization is not null)
            {
                request.Headers.TryAddWithoutValidation("Authorization", authorization);
            }

            using var response = await app.CreateClient().SendAsync(request);
            response.StatusCode.Should().Be(HttpStatusCode.Unauthorized, what);
            response.Headers.WwwAuthenticate.Should().ContainSingle().Which.Scheme.Should().Be("Bearer", what);
            response.Headers.Contains(TokenCheckEndpoints.UserIdHeader).Should().BeFalse(what);
        }

        using var badHeader = await CheckAsync(token.PlainText, "library:read, tokens:read");
        badHeader.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await badHeader.Content.ReadAsStringAsync()).Should().Contain("X-Required-Permission must be one permission name");
    }

    [Fact]
    public async Task A_deleted_or_rotated_token_is_refused_by_both_on_the_very_next_call()
    {
        var service = await app.AddServiceAsync();
        var user = await app.CreateUserAsync();
        var deleted = await app.CreateTokenAsync(user.Id, "Deleted");
        var rotated = (await app.WithTokenServiceAsync(tokens =>
            tokens.CreateAsync(user.Id, "Rotated", null, [ApiPermissions.AccountRead, ApiPermissions.TokensRotateSelf]))).Token!;
        foreach (var token in new[] { deleted, rotated })
        {
            (await CheckAsync(token.PlainText)).StatusCode.Should().Be(HttpStatusCode.NoContent);
            (await ScopeAsync(service, token.PlainText)).Should().NotBeNull();
        }

        await app.WithTokenServiceAsync(tokens => tokens.DeleteAsync(user.Id, deleted.Summary.Id));
        using (var rotation = await app.CreateClient().SendWithTokenAsync(HttpMethod.Post, "/api/v1/tokens/self/rotate", rotated.PlainText))
        {
            rotation.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        foreach (var token in new[] { deleted, rotated })
        {
            (await CheckAsync(token.PlainText)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
            (await ScopeAsync(service, token.PlainText)).Should().BeNull();
        }
    }

    [Fact]
    public async Task The_declared_permissions_are_offered_beside_the_built_in_ones()
    {
        var catalog = app.Services.GetRequiredService<ApiPermissionCatalog>();

        catalog.OfferedTo(isStaff: false).Select(p => p.Name).Should().Contain(TokenCheckApp.LibraryRead).And.NotContain(TokenCheckApp.CatalogWrite);
        catalog.OfferedTo(isStaff: true).Select(p => p.Name).Should().Contain([TokenCheckApp.LibraryRead, TokenCheckApp.CatalogWrite]);
        catalog.Find(TokenCheckApp.LibraryRead)!.Area.Should().Be("Library");
        var user = await app.CreateUserAsync();
        var refused = await app.WithTokenServiceAsync(tokens => tokens.CreateAsync(user.Id, "Catalog", null, [TokenCheckApp.CatalogWrite]));
        refused.Succeeded.Should().BeFalse();
        refused.ErrorMessage.Should().Be("Only BeatPass staff can give a token catalog:write.");
    }

    private async Task<string?> ScopeAsync(AddedServiceClient service, string token)
    {
        using var response = await IntrospectAsync(service, token);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return body.GetProperty("active").GetBoolean() ? body.GetProperty("scope").GetString() : null;
    }

    private Task<HttpResponseMessage> IntrospectAsync(AddedServiceClient service, string token) => app.CreateClient().IntrospectAsync(service, token);

    private Task<HttpResponseMessage> PostIntrospectionAsync(string? authorization, HttpContent content, string path = ApiRequests.IntrospectionPath) =>
        app.CreateClient().PostIntrospectionAsync(authorization, content, path);

    private async Task<HttpResponseMessage> CheckAsync(string token, string? requiredPermission = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, ApiRequests.CheckPath);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (requiredPermission is not null)
        {
            request.Headers.TryAddWithoutValidation(TokenCheckEndpoints.RequiredPermissionHeader, requiredPermission);
        }

        return await app.CreateClient().SendAsync(request);
    }

    private static async Task ShouldBeUnauthorizedAsync(HttpResponseMessage response, string because)
    {
        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized, because);
        response.Headers.WwwAuthenticate.Should().ContainSingle().Which.Scheme.Should().Be("Basic", because);
        response.Headers.CacheControl!.NoStore.Should().BeTrue(because);
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString().Should().Be("invalid_client", because);
    }

    /// <summary>Sends its content without a Content-Length, as a chunked upload does.</summary>
    private sealed class ChunkedContent : HttpContent
    {
        private readonly HttpContent inner;

        public ChunkedContent(HttpContent inner)
        {
            this.inner = inner;
            Headers.ContentType = inner.Headers.ContentType;
        }

        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) => inner.CopyToAsync(stream);

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}

public sealed class TokenCheckTestsOnSqlite(TokenCheckApp app) : TokenCheckTests<TokenCheckApp>(app);

public sealed class TokenCheckTestsOnPostgreSql(PostgreSqlTokenCheckApp app) : TokenCheckTests<PostgreSqlTokenCheckApp>(app);

/// <summary>An app whose declared permissions are wrong: it must not start.</summary>
public sealed class BadExtraPermissionsTests
{
    [Fact]
    public async Task The_app_refuses_to_start_and_names_the_setting_and_the_entry()
    {
        await using var app = new BadExtraPermissionsApp();

        var start = () => app.InitializeAsync();

        (await start.Should().ThrowAsync<Exception>()).Which.ToString()
            .Should().Contain("ApiTokens:ExtraPermissions:0 Name \"account:read\" is a built-in permission.");
    }

    private sealed class BadExtraPermissionsApp : BeatPassAppFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("ApiTokens:ExtraPermissions:0:Name", ApiPermissions.AccountRead);
            builder.UseSetting("ApiTokens:ExtraPermissions:0:Area", "Account");
            builder.UseSetting("ApiTokens:ExtraPermissions:0:Description", "Again.");
        }
    }
}

/// <summary>Wrong service credentials count as failed authentications, as a bad token does on the API.</summary>
public sealed class IntrospectionLimitTests(IntrospectionLimitTests.LimitedApp app) : IClassFixture<IntrospectionLimitTests.LimitedApp>
{
    public sealed class LimitedApp : TokenCheckApp
    {
        protected override int FailedAuthenticationsPerWindow => 3;
    }

    [Fact]
    public async Task Past_the_limit_wrong_credentials_get_429_while_a_registered_service_goes_on_working()
    {
        var service = await app.AddServiceAsync();
        var token = await app.CreateTokenAsync((await app.CreateUserAsync()).Id);
        var wrong = ApiClient.Basic(service.Service.ClientId, ServiceClientFormat.NewSecret());
        var right = ApiClient.Basic(service.Service.ClientId, service.Secret);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            statuses.Add((await PostAsync(wrong, token.PlainText)).StatusCode);
        }

        statuses.Should().Equal(HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests);
        using var refused = await PostAsync(wrong, token.PlainText);
        refused.Headers.RetryAfter.Should().NotBeNull();
        (await PostAsync(right, token.PlainText)).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    private Task<HttpResponseMessage> PostAsync(string authorization, string token) =>
        app.CreateClient().PostIntrospectionAsync(authorization, new FormUrlEncodedContent([new("token", token)]));
}

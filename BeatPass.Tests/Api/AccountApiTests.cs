using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using BeatPass.Core.ApiTokens;
using BeatPass.Core.Audit;
using BeatPass.Core.Data;
using BeatPass.Core.DeveloperAccess;
using BeatPass.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace BeatPass.Tests.Api;

/// <summary>The account API (SPEC "Account API"): each endpoint's permission, and what it answers.</summary>
public abstract class AccountApiTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : BeatPassAppFactory
{
    /// <summary>Every endpoint with the permission it needs; <c>{token}</c> and <c>{account}</c> are filled in per test.</summary>
    public static TheoryData<string, string, string> Endpoints() => new()
    {
        { "GET", "/api/v1/me", ApiPermissions.AccountRead },
        { "GET", "/api/v1/tokens", ApiPermissions.TokensRead },
        { "GET", "/api/v1/tokens/{token}", ApiPermissions.TokensRead },
        { "POST", "/api/v1/tokens/self/rotate", ApiPermissions.TokensRotateSelf },
        { "GET", "/api/v1/security-log?page=1&pageSize=10", ApiPermissions.SecurityLogRead },
        { "GET", "/api/v1/admin/accounts?search=&page=1&pageSize=10", ApiPermissions.DeveloperAccessRead },
        { "PUT", "/api/v1/admin/accounts/{account}/developer-access", ApiPermissions.DeveloperAccessWrite },
        { "DELETE", "/api/v1/admin/accounts/{account}/developer-access", ApiPermissions.DeveloperAccessWrite },
        { "GET", "/api/v1/admin/audit?account={account}&page=1", ApiPermissions.DeveloperAccessRead },
        { "GET", "/api/v1/admin/access-requests", ApiPermissions.DeveloperAccessRead },
        { "POST", "/api/v1/admin/access-requests/{request}/approve", ApiPermissions.DeveloperAccessWrite },
        { "POST", "/api/v1/admin/access-requests/{request}/decline", ApiPermissions.DeveloperAccessWrite },
    };

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task A_token_with_the_endpoints_permission_is_served(string method, string path, string permission)
    {
        var holder = await CreateHolderAsync(staff: ApiPermissionCatalog.BuiltIn.Find(permission)!.StaffOnly);
        var token = await CreateTokenAsync(holder.Id, [permission]);
        var account = await app.CreateUserAsync(hasDeveloperAccess: method == "DELETE");

        using var response = await SendAsync(method, await FillAsync(path, token, account), token.PlainText);

        response.IsSuccessStatusCode.Should().BeTrue(await response.Content.ReadAsStringAsync());
        response.Headers.GetValues("X-Token-Permissions").Should().Equal(permission);
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task A_token_without_the_endpoints_permission_gets_403_with_the_challenge_and_changes_nothing(string method, string path, string permission)
    {
        var holder = await CreateHolderAsync(staff: true);
        // Every other permission, staff ones included: only the one named is missing.
        var others = ApiPermissionCatalog.BuiltIn.All.Select(p => p.Name).Where(name => name != permission).ToArray();
        var token = await CreateTokenAsync(holder.Id, others);
        var account = await app.CreateUserAsync(hasDeveloperAccess: method == "DELETE");

        using var response = await SendAsync(method, await FillAsync(path, token, account), token.PlainText);

        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        response.Headers.WwwAuthenticate.Should().ContainSingle().Which.ToString().Should()
            .Be($"Bearer error=\"insufficient_scope\", scope=\"{permission}\"");
        response.Headers.GetValues("X-Accepted-Permissions").Should().Equal(permission);
        response.Headers.GetValues("X-Token-Permissions").Single().Split(' ').Should().BeEquivalentTo(others);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        problem.RootElement.GetProperty("status").GetInt32().Should().Be(403);
        problem.RootElement.GetProperty("permission").GetString().Should().Be(permission);
        problem.RootElement.GetProperty("detail").GetString().Should().Contain(permission);

        (await app.WithDbAsync(db => db.Users.Where(u => u.Id == account.Id).Select(u => u.HasDeveloperAccess).SingleAsync()))
            .Should().Be(method == "DELETE", "a refused grant or revoke changes nothing");
        (await app.WithDbAsync(db => db.ApiTokens.Where(t => t.Id == token.Summary.Id).Select(t => t.TokenHash).SingleAsync()))
            .Should().Equal(ApiTokenHash.Parse(token.PlainText).ToArray(), "a refused rotation keeps the secret");
        (await app.WithDbAsync(db => db.AccessRequests.Where(r => r.UserId == account.Id).Select(r => r.Status).ToListAsync()))
            .Should().NotContain(status => status != AccessRequestStatus.Pending, "a refused approval or decline decides nothing");
    }

    [Fact]
    public async Task Staff_answer_requests_through_the_api_audited_naming_the_token_and_emailed()
    {
        var staff = await CreateHolderAsync(staff: true);
        var token = await CreateTokenAsync(staff.Id, [ApiPermissions.DeveloperAccessRead, ApiPermissions.DeveloperAccessWrite], "Queue script");
        var approved = await app.CreateUserAsync(hasDeveloperAccess: false);
        var declined = await app.CreateUserAsync(hasDeveloperAccess: false);
        var approvedId = await RequestAccessAsync(approved);
        var declinedId = await RequestAccessAsync(declined);

        using var queue = await SendAsync("GET", "/api/v1/admin/access-requests", token.PlainText);
        var pending = (await queue.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("pending").EnumerateArray()
            .Where(r => r.GetProperty("accountId").GetString() is var id && (id == approved.Id || id == declined.Id)).ToList();
        pending.Select(r => r.GetProperty("id").GetGuid()).Should().Equal(approvedId, declinedId);
        pending[0].GetProperty("status").GetString().Should().Be("pending");
        pending[0].GetProperty("text").GetString().Should().Be("An exporter for my own playlists.");

        (await SendAsync("POST", $"/api/v1/admin/access-requests/{approvedId}/approve", token.PlainText)).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await app.WithDbAsync(db => db.Users.Where(u => u.Id == approved.Id).Select(u => u.HasDeveloperAccess).SingleAsync())).Should().BeTrue();
        await app.Mail.WaitForMessageAsync(approved.Email!, m => m.Subject == "Your request for developer access was approved");
        using var again = await SendAsync("POST", $"/api/v1/admin/access-requests/{approvedId}/decline", token.PlainText);
        again.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await again.Content.ReadAsStringAsync()).Should().Contain("This request was already approved.");

        var declineAddress = $"/api/v1/admin/access-requests/{declinedId}/decline";
        using var notJson = await PostAsync(declineAddress, token.PlainText,
            new StringContent("reason=Not now", System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"));
        notJson.StatusCode.Should().Be(HttpStatusCode.UnsupportedMediaType, "a reason that can't be read is not taken as none");

        using var badReason = await PostAsync(declineAddress, token.PlainText, JsonContent.Create(new { reason = "Two\nlines" }));
        badReason.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await badReason.Content.ReadAsStringAsync()).Should().Contain("control characters");
        using var decline = await PostAsync(declineAddress, token.PlainText, JsonContent.Create(new { reason = "Write to us first." }));
        decline.StatusCode.Should().Be(HttpStatusCode.NoContent);
        var mail = await app.Mail.WaitForMessageAsync(declined.Email!, m => m.Subject == "Your request for developer access was declined");
        mail.TextBody.Should().Contain("Write to us first.");

        using var audit = await SendAsync("GET", $"/api/v1/admin/audit?account={declined.Id}", token.PlainText);
        var items = (await audit.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items");
        items[0].GetProperty("action").GetString().Should().Be("accessRequestDeclined");
        items[0].GetProperty("actor").GetString().Should().Be(staff.Email);
        items[0].GetProperty("detail").GetString().Should().Contain("Through the API with token \"Queue script\"");
        (await SendAsync("POST", $"/api/v1/admin/access-requests/{Guid.NewGuid()}/approve", token.PlainText)).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Any_token_may_read_and_delete_itself()
    {
        var holder = await app.CreateUserAsync();
        var token = await CreateTokenAsync(holder.Id, [ApiPermissions.AccountRead]);

        using var self = await SendAsync("GET", "/api/v1/tokens/self", token.PlainText);
        self.StatusCode.Should().Be(HttpStatusCode.OK);
        using var json = JsonDocument.Parse(await self.Content.ReadAsStringAsync());
        json.RootElement.GetProperty("id").GetGuid().Should().Be(token.Summary.Id);
        json.RootElement.GetProperty("permissions").EnumerateArray().Select(p => p.GetString()).Should().Equal(ApiPermissions.AccountRead);
        json.RootElement.GetProperty("revoked").ValueKind.Should().Be(JsonValueKind.Null);

        using var deleted = await SendAsync("DELETE", "/api/v1/tokens/self", token.PlainText);
        deleted.StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await SendAsync("GET", "/api/v1/tokens/self", token.PlainText)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await app.WithTokenServiceAsync(tokens => tokens.ListAsync(holder.Id))).Should().BeEmpty();
        (await app.WithDbAsync(db => db.AuditEvents.SingleAsync(e => e.SubjectUserId == holder.Id && e.Action == AuditAction.TokenDeleted)))
            .ActorTokenName.Should().Be(token.Summary.Name, "the security log says the token deleted itself through the API");
    }

    [Fact]
    public async Task Tokens_are_listed_in_the_specs_shape_without_any_secret_and_another_accounts_id_is_404()
    {
        var holder = await app.CreateUserAsync();
        var reader = await CreateTokenAsync(holder.Id, [ApiPermissions.TokensRead]);
        app.Time.Advance(TimeSpan.FromMinutes(1));
        var other = await CreateTokenAsync(holder.Id, [ApiPermissions.AccountRead, ApiPermissions.SecurityLogRead]);
        var stranger = await app.CreateUserAsync();
        var strangersToken = await CreateTokenAsync(stranger.Id, [ApiPermissions.AccountRead]);

        using var list = await SendAsync("GET", "/api/v1/tokens", reader.PlainText);
        var body = await list.Content.ReadAsStringAsync();

        list.StatusCode.Should().Be(HttpStatusCode.OK);
        body.Should().NotContain(reader.PlainText).And.NotContain(other.PlainText).And.NotContain(strangersToken.Summary.Id.ToString());
        using var json = JsonDocument.Parse(body);
        json.RootElement.EnumerateArray().Select(t => t.GetProperty("id").GetGuid()).Should().Equal(other.Summary.Id, reader.Summary.Id);
        var first = json.RootElement[0];
        first.EnumerateObject().Select(p => p.Name).Should().BeEquivalentTo(
            "id", "name", "description", "hint", "permissions", "createdAt", "lastUsedAt", "lastUsedFrom", "lastUsedUserAgent", "lastUsedByService", "expiresAt", "revoked");
        first.GetProperty("permissions").EnumerateArray().Select(p => p.GetString()).Should().Equal(ApiPermissions.AccountRead, ApiPermissions.SecurityLogRead);
        first.GetProperty("hint").GetString().Should().Be(other.Summary.Hint);

        (await SendAsync("GET", $"/api/v1/tokens/{other.Summary.Id}", reader.PlainText)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await SendAsync("GET", $"/api/v1/tokens/{strangersToken.Summary.Id}", reader.PlainText)).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_token_shows_when_and_with_what_it_was_last_used_once_its_use_is_written()
    {
        var holder = await app.CreateUserAsync();
        var reader = await CreateTokenAsync(holder.Id, [ApiPermissions.TokensRead]);
        using var client = app.CreateClient();
        (await client.SendWithTokenAsync(HttpMethod.Get, "/api/v1/me", reader.PlainText, h => h.UserAgent.ParseAdd("curl/8.5"))).Dispose();
        await app.WriteTokenUsesAsync();

        using var shown = await SendAsync("GET", $"/api/v1/tokens/{reader.Summary.Id}", reader.PlainText);
        using var json = JsonDocument.Parse(await shown.Content.ReadAsStringAsync());

        json.RootElement.GetProperty("lastUsedAt").GetDateTime().Should().Be(app.Time.GetUtcNow().UtcDateTime);
        json.RootElement.GetProperty("lastUsedUserAgent").GetString().Should().Be("curl/8.5");
        // The in-process test server has no client address; the browser tests see 127.0.0.1 listed.
        json.RootElement.GetProperty("lastUsedFrom").ValueKind.Should().Be(JsonValueKind.Array);
    }

    [Fact]
    public async Task Rotating_gives_a_new_secret_with_the_same_id_name_permissions_and_lifetime_and_the_old_one_stops_at_once()
    {
        var holder = await app.CreateUserAsync();
        var now = app.Time.GetUtcNow().UtcDateTime;
        var created = (await app.WithTokenServiceAsync(tokens => tokens.CreateAsync(
            holder.Id, "Rotating script", ApiTokenExpiration.InDays(now, 30), [ApiPermissions.TokensRotateSelf, ApiPermissions.AccountRead]))).Token!;
        app.Time.Advance(TimeSpan.FromDays(10));

        using var response = await SendAsync("POST", "/api/v1/tokens/self/rotate", created.PlainText);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var secret = json.RootElement.GetProperty("token").GetString()!;
        ApiTokenFormat.IsWellFormed(secret).Should().BeTrue();
        json.RootElement.GetProperty("id").GetGuid().Should().Be(created.Summary.Id);
        json.RootElement.GetProperty("name").GetString().Should().Be("Rotating script");
        json.RootElement.GetProperty("permissions").EnumerateArray().Select(p => p.GetString())
            .Should().Equal(ApiPermissions.AccountRead, ApiPermissions.TokensRotateSelf);
        json.RootElement.GetProperty("expiresAt").GetDateTime().Should().Be(app.Time.GetUtcNow().UtcDateTime.AddDays(30), "a new expiry of the same length");
        (await SendAsync("GET", "/api/v1/me", created.PlainText)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await SendAsync("GET", "/api/v1/me", secret)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await app.WithDbAsync(db => db.AuditEvents.SingleAsync(e => e.SubjectUserId == holder.Id && e.Action == AuditAction.TokenRotated)))
            .ActorTokenName.Should().Be("Rotating script");
        (await app.Mail.WaitForMessageAsync(holder.Email!, m => m.Subject == "An API token on your BeatPass account was rotated"))
            .TextBody.Should().Contain("\"Rotating script\"").And.NotContain(secret).And.NotContain(created.PlainText);
    }

    [Fact]
    public async Task Presenting_a_rotated_away_secret_to_rotate_again_revokes_the_token_and_emails_its_holder()
    {
        var holder = await app.CreateUserAsync();
        var created = await CreateTokenAsync(holder.Id, [ApiPermissions.TokensRotateSelf, ApiPermissions.AccountRead]);
        using var rotated = await SendAsync("POST", "/api/v1/tokens/self/rotate", created.PlainText);
        var current = (await rotated.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
        (await SendAsync("GET", "/api/v1/me", current)).StatusCode.Should().Be(HttpStatusCode.OK);

        using var replayed = await SendAsync("POST", "/api/v1/tokens/self/rotate", created.PlainText);

        replayed.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        replayed.Headers.WwwAuthenticate.Single().Parameter.Should().Contain("revoked the token");
        (await SendAsync("GET", "/api/v1/me", current)).StatusCode.Should().Be(HttpStatusCode.Unauthorized, "the current secret dies with the token");
        (await SendAsync("POST", "/api/v1/tokens/self/rotate", current)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        var listed = (await app.WithTokenServiceAsync(tokens => tokens.ListAsync(holder.Id))).Should().ContainSingle().Subject;
        listed.IsRevoked.Should().BeTrue("it stays in the list, marked revoked");
        listed.RevokedReason.Should().Be(ApiTokenService.ReusedSecretReason);
        var logged = await app.WithDbAsync(db => db.AuditEvents.SingleAsync(e => e.SubjectUserId == holder.Id && e.Action == AuditAction.TokenRevoked));
        logged.TokenName.Should().Be(created.Summary.Name);
        logged.Detail.Should().Be(ApiTokenService.ReusedSecretReason);
        var email = await app.Mail.WaitForMessageAsync(holder.Email!, m => m.Subject == "An API token on your BeatPass account was revoked");
        email.TextBody.Should().Contain($"\"{created.Summary.Name}\"").And.Contain("old copy");

        // Again: no second email or audit entry for a token already revoked.
        (await SendAsync("POST", "/api/v1/tokens/self/rotate", created.PlainText)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await app.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.SubjectUserId == holder.Id && e.Action == AuditAction.TokenRevoked))).Should().Be(1);
    }

    [Fact]
    public async Task A_rotated_away_secret_on_another_endpoint_is_refused_without_revoking()
    {
        var holder = await app.CreateUserAsync();
        var created = await CreateTokenAsync(holder.Id, [ApiPermissions.TokensRotateSelf, ApiPermissions.AccountRead]);
        using var rotated = await SendAsync("POST", "/api/v1/tokens/self/rotate", created.PlainText);
        var current = (await rotated.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;

        (await SendAsync("GET", "/api/v1/me", created.PlainText)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);

        (await SendAsync("GET", "/api/v1/me", current)).StatusCode.Should().Be(HttpStatusCode.OK, "only rotate checks for old secrets");
    }

    [Fact]
    public async Task A_staff_permission_stops_working_on_the_next_request_once_the_holder_leaves_staff()
    {
        var holder = await CreateHolderAsync(staff: true);
        var token = await CreateTokenAsync(holder.Id, [ApiPermissions.DeveloperAccessRead, ApiPermissions.TokensRead]);
        (await SendAsync("GET", "/api/v1/admin/accounts", token.PlainText)).StatusCode.Should().Be(HttpStatusCode.OK);

        await LeaveStaffAsync(holder);

        using var refused = await SendAsync("GET", "/api/v1/admin/accounts", token.PlainText);
        refused.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        refused.Headers.GetValues("X-Accepted-Permissions").Should().Equal(ApiPermissions.DeveloperAccessRead);
        refused.Headers.GetValues("X-Token-Permissions").Should().Equal(ApiPermissions.TokensRead);
        using var self = await SendAsync("GET", "/api/v1/tokens/self", token.PlainText);
        (await self.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("permissions").EnumerateArray().Select(p => p.GetString())
            .Should().Equal([ApiPermissions.TokensRead, ApiPermissions.DeveloperAccessRead], "the token keeps what it was given; the list marks what no longer works");
        (await app.WithTokenServiceAsync(tokens => tokens.ListAsync(holder.Id))).Single().NoLongerAvailable
            .Should().Equal(ApiPermissions.DeveloperAccessRead);
    }

    [Fact]
    public async Task Staff_granting_and_revoking_through_the_api_is_audited_naming_the_token_and_emailed()
    {
        var staff = await CreateHolderAsync(staff: true);
        var token = await CreateTokenAsync(staff.Id, [ApiPermissions.DeveloperAccessRead, ApiPermissions.DeveloperAccessWrite], "Access script");
        var account = await app.CreateUserAsync(hasDeveloperAccess: false);

        (await SendAsync("PUT", $"/api/v1/admin/accounts/{account.Id}/developer-access", token.PlainText)).StatusCode.Should().Be(HttpStatusCode.NoContent);

        await app.Mail.WaitForMessageAsync(account.Email!, m => m.Subject == "Your BeatPass account now has developer access");
        using var audit = await SendAsync("GET", $"/api/v1/admin/audit?account={account.Id}", token.PlainText);
        var items = (await audit.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items");
        items.GetArrayLength().Should().Be(1);
        items[0].GetProperty("action").GetString().Should().Be("developerAccessGranted");
        items[0].GetProperty("actor").GetString().Should().Be(staff.Email);
        items[0].GetProperty("detail").GetString().Should().Contain("Through the API with token \"Access script\"");

        (await SendAsync("DELETE", $"/api/v1/admin/accounts/{account.Id}/developer-access", token.PlainText)).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await app.WithDbAsync(db => db.Users.Where(u => u.Id == account.Id).Select(u => u.HasDeveloperAccess).SingleAsync())).Should().BeFalse();
        await app.Mail.WaitForMessageAsync(account.Email!, m => m.Subject == "Your BeatPass account no longer has developer access");
        (await SendAsync("PUT", $"/api/v1/admin/accounts/{Guid.NewGuid()}/developer-access", token.PlainText)).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("/api/v1/security-log?page=0")]
    [InlineData("/api/v1/security-log?pageSize=0")]
    [InlineData("/api/v1/security-log?pageSize=51")]
    [InlineData("/api/v1/security-log?page=one")]
    [InlineData("/api/v1/admin/accounts?page=-1")]
    [InlineData("/api/v1/admin/accounts?pageSize=1000")]
    [InlineData("/api/v1/admin/audit?pageSize=0")]
    public async Task Paging_out_of_range_gets_400(string path)
    {
        var holder = await CreateHolderAsync(staff: true);
        var token = await CreateTokenAsync(holder.Id, [ApiPermissions.SecurityLogRead, ApiPermissions.DeveloperAccessRead]);

        using var response = await SendAsync("GET", path, token.PlainText);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task The_security_log_pages_newest_first_with_a_total()
    {
        var holder = await app.CreateUserAsync();
        var token = await CreateTokenAsync(holder.Id, [ApiPermissions.SecurityLogRead], "Log reader");
        for (var i = 0; i < 3; i++)
        {
            app.Time.Advance(TimeSpan.FromMinutes(1));
            await CreateTokenAsync(holder.Id, [ApiPermissions.AccountRead], $"Token {i}");
        }

        using var response = await SendAsync("GET", "/api/v1/security-log?page=2&pageSize=2", token.PlainText);

        var page = await response.Content.ReadFromJsonAsync<JsonElement>();
        page.GetProperty("total").GetInt32().Should().Be(4);
        page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("detail").GetString()).Should().Equal(
            "Token \"Token 0\". Permissions: account:read.", "Token \"Log reader\". Permissions: security-log:read.");
        page.GetProperty("items")[0].GetProperty("action").GetString().Should().Be("tokenCreated");
    }

    private async Task<BeatPassUser> CreateHolderAsync(bool staff)
    {
        if (!staff)
        {
            return await app.CreateUserAsync();
        }

        var holder = await app.CreateStaffAsync();
        await app.WithDbAsync(async db =>
        {
            (await db.Users.SingleAsync(u => u.Id == holder.Id)).HasDeveloperAccess = true;
            return await db.SaveChangesAsync();
        });
        return holder;
    }

    // The role row alone, through the context as Identity's role store removes it: the account's row is untouched, so
    // only the role change can tell the token cache.
    private Task LeaveStaffAsync(BeatPassUser holder) => app.WithDbAsync(async db =>
    {
        db.UserRoles.Remove(await db.UserRoles.SingleAsync(r => r.UserId == holder.Id));
        return await db.SaveChangesAsync();
    });

    private async Task<CreatedApiToken> CreateTokenAsync(string userId, string[] permissions, string? name = null)
    {
        var result = await app.WithTokenServiceAsync(tokens => tokens.CreateAsync(userId, name ?? $"Token {Guid.NewGuid():N}"[..20], permissions: permissions));
        result.Succeeded.Should().BeTrue(result.ErrorMessage);
        return result.Token!;
    }

    // {request} is a request the account sends now.
    private async Task<string> FillAsync(string path, CreatedApiToken token, BeatPassUser account) =>
        path.Replace("{token}", token.Summary.Id.ToString()).Replace("{account}", account.Id)
            .Replace("{request}", path.Contains("{request}") ? (await RequestAccessAsync(account)).ToString() : "");

    private async Task<Guid> RequestAccessAsync(BeatPassUser account)
    {
        var result = await app.WithServiceAsync<AccessRequests, AccessRequestResult>(requests =>
            requests.RequestAsync(account.Id, "An exporter for my own playlists.", "https://beatpass.test/admin"));
        result.Succeeded.Should().BeTrue(result.ErrorMessage);
        return result.Request!.Id;
    }

    private async Task<HttpResponseMessage> PostAsync(string path, string token, HttpContent body)
    {
        using var client = app.CreateClient();
        return await client.SendWithTokenAsync(HttpMethod.Post, path, token, content: body);
    }

    private async Task<HttpResponseMessage> SendAsync(string method, string path, string token)
    {
        using var client = app.CreateClient();
        return await client.SendWithTokenAsync(new HttpMethod(method), path, token);
    }
}

public sealed class AccountApiTestsOnSqlite(BeatPassAppFactory app) : AccountApiTests<BeatPassAppFactory>(app);

public sealed class AccountApiTestsOnPostgreSql(PostgreSqlAppFactory app) : AccountApiTests<PostgreSqlAppFactory>(app);

using BeatPass.Core.ApiTokens;
using BeatPass.Core.Audit;
using BeatPass.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace BeatPass.Tests.Core;

public sealed class ApiTokenServiceTests : IAsyncLifetime
{
    private TestDatabase _database = null!;
    private ApiTokenService _tokens = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(maxTokensPerAccount: 3);
        _tokens = _database.CreateTokenService();
    }

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task Create_returns_the_plaintext_once_and_list_shows_name_and_hint()
    {
        var userId = await _database.CreateUserAsync();

        var result = await _tokens.CreateAsync(userId, "Deploy script");

        result.Succeeded.Should().BeTrue();
        ApiTokenFormat.IsWellFormed(result.Token!.PlainText).Should().BeTrue();
        var listed = await _tokens.ListAsync(userId);
        listed.Should().ContainSingle().Which.Should().BeEquivalentTo(new
        {
            result.Token.Summary.Id,
            Name = "Deploy script",
            Hint = "bpat_…" + result.Token.PlainText[^4..],
            LastUsedAt = (DateTime?)null,
        });
    }

    [Fact]
    public async Task Delete_removes_the_token_and_it_no_longer_authenticates()
    {
        var userId = await _database.CreateUserAsync();
        var created = (await _tokens.CreateAsync(userId, "Old laptop")).Token!;

        var deleted = await _tokens.DeleteAsync(userId, created.Summary.Id);

        deleted.Should().BeTrue();
        (await _tokens.ListAsync(userId)).Should().BeEmpty();
        (await _tokens.AuthenticateAsync(created.PlainText)).Should().BeNull();
    }

    [Theory]
    [InlineData("abc", "abc")]
    [InlineData("  Sync job  ", "Sync job")]
    [InlineData("\tTabbed ends\n", "Tabbed ends")]
    [InlineData("Beats ♫ uploader", "Beats ♫ uploader")]
    public async Task Accepted_names_are_stored_trimmed(string name, string stored)
    {
        var userId = await _database.CreateUserAsync();

        var result = await _tokens.CreateAsync(userId, name);

        result.Succeeded.Should().BeTrue(result.ErrorMessage);
        (await _tokens.ListAsync(userId)).Single().Name.Should().Be(stored);
    }

    [Fact]
    public async Task Names_of_exactly_3_and_100_characters_are_accepted()
    {
        var userId = await _database.CreateUserAsync();

        (await _tokens.CreateAsync(userId, new string('a', 3))).Succeeded.Should().BeTrue();
        (await _tokens.CreateAsync(userId, new string('b', 100))).Succeeded.Should().BeTrue();
    }

    [Theory]
    [InlineData(null, "Enter a token name.")]
    [InlineData("", "Enter a token name.")]
    [InlineData("     ", "Enter a token name.")]
    [InlineData("ab", "at least 3 characters")]
    [InlineData("  ab  ", "at least 3 characters")]
    [InlineData("bad\u0001name", "control characters")]
    [InlineData("two\nlines", "control characters")]
    [InlineData("nul\0byte", "control characters")]
    public async Task Invalid_names_are_refused_with_a_clear_message_and_nothing_is_written(string? name, string message)
    {
        var userId = await _database.CreateUserAsync();

        var result = await _tokens.CreateAsync(userId, name);

        result.Error.Should().Be(ApiTokenError.InvalidName);
        result.ErrorMessage.Should().Contain(message);
        await ShouldHaveNoTokensOrEventsAsync();
    }

    [Fact]
    public async Task A_name_of_101_characters_is_refused()
    {
        var userId = await _database.CreateUserAsync();

        var result = await _tokens.CreateAsync(userId, new string('x', 101));

        result.Error.Should().Be(ApiTokenError.InvalidName);
        result.ErrorMessage.Should().Be("The token name must be at most 100 characters.");
        await ShouldHaveNoTokensOrEventsAsync();
    }

    [Fact]
    public async Task A_duplicate_name_differing_only_in_case_is_refused()
    {
        var userId = await _database.CreateUserAsync();
        await _tokens.CreateAsync(userId, "CI Runner");

        var result = await _tokens.CreateAsync(userId, "  ci runner ");

        result.Error.Should().Be(ApiTokenError.DuplicateName);
        result.ErrorMessage.Should().Be("You already have a token with this name. Choose another name.");
        (await _tokens.ListAsync(userId)).Should().ContainSingle();
    }

    [Fact]
    public async Task Concurrent_creates_of_one_name_make_one_token_and_refuse_the_rest_cleanly()
    {
        var userId = await _database.CreateUserAsync();

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            Task.Run(() => _database.CreateTokenService().CreateAsync(userId, "Raced"))));

        results.Count(r => r.Succeeded).Should().Be(1);
        results.Where(r => !r.Succeeded).Should().OnlyContain(r => r.Error == ApiTokenError.DuplicateName);
    }

    [Fact]
    public async Task Concurrent_creates_never_exceed_the_limit()
    {
        var userId = await _database.CreateUserAsync();

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            Task.Run(() => _database.CreateTokenService().CreateAsync(userId, $"Parallel {i}"))));

        results.Count(r => r.Succeeded).Should().Be(3);
        (await _tokens.ListAsync(userId)).Should().HaveCount(3);
    }

    [Fact]
    public async Task The_same_name_may_be_used_by_two_accounts()
    {
        var first = await _database.CreateUserAsync();
        var second = await _database.CreateUserAsync();
        await _tokens.CreateAsync(first, "Laptop");

        var result = await _tokens.CreateAsync(second, "Laptop");

        result.Succeeded.Should().BeTrue();
    }

    [Fact]
    public async Task The_per_account_limit_refuses_one_more_token()
    {
        var userId = await _database.CreateUserAsync();
        for (var i = 1; i <= 3; i++)
        {
            (await _tokens.CreateAsync(userId, $"Token {i}")).Succeeded.Should().BeTrue();
        }

        var result = await _tokens.CreateAsync(userId, "Token 4");

        result.Error.Should().Be(ApiTokenError.LimitReached);
        result.ErrorMessage.Should().Contain("limit of 3 tokens");
        (await _tokens.ListAsync(userId)).Should().HaveCount(3);
    }

    [Fact]
    public async Task An_account_without_developer_access_cannot_create_a_token()
    {
        var userId = await _database.CreateUserAsync(hasDeveloperAccess: false);

        var result = await _tokens.CreateAsync(userId, "Sneaky");

        result.Error.Should().Be(ApiTokenError.NoDeveloperAccess);
        result.ErrorMessage.Should().Contain("developer access");
        await ShouldHaveNoTokensOrEventsAsync();
    }

    [Fact]
    public async Task An_unknown_account_cannot_create_a_token()
    {
        var result = await _tokens.CreateAsync("no-such-user", "Ghost");

        result.Error.Should().Be(ApiTokenError.NoDeveloperAccess);
        await ShouldHaveNoTokensOrEventsAsync();
    }

    [Fact]
    public async Task Deleting_another_accounts_token_id_changes_nothing()
    {
        var owner = await _database.CreateUserAsync();
        var intruder = await _database.CreateUserAsync();
        var created = (await _tokens.CreateAsync(owner, "Owner's token")).Token!;

        var deleted = await _tokens.DeleteAsync(intruder, created.Summary.Id);

        deleted.Should().BeFalse();
        (await _tokens.ListAsync(owner)).Should().ContainSingle();
        (await _tokens.AuthenticateAsync(created.PlainText)).Should().NotBeNull();
        await using var db = _database.CreateDbContext();
        (await db.AuditEvents.CountAsync(e => e.Action == AuditAction.TokenDeleted)).Should().Be(0);
    }

    [Fact]
    public async Task Each_account_lists_only_its_own_tokens()
    {
        var first = await _database.CreateUserAsync();
        var second = await _database.CreateUserAsync();
        await _tokens.CreateAsync(first, "First's");

        (await _tokens.ListAsync(second)).Should().BeEmpty();
    }

    [Fact]
    public async Task Creating_and_deleting_write_audit_events_with_the_token_name()
    {
        var userId = await _database.CreateUserAsync();
        var created = (await _tokens.CreateAsync(userId, "Audited")).Token!;
        await _tokens.DeleteAsync(userId, created.Summary.Id);

        await using var db = _database.CreateDbContext();
        var events = await db.AuditEvents.OrderBy(e => e.Id).ToListAsync();
        events.Select(e => (e.Action, e.ActorUserId, e.SubjectUserId, e.TokenName)).Should().Equal(
            (AuditAction.TokenCreated, userId, userId, "Audited"),
            (AuditAction.TokenDeleted, userId, userId, "Audited"));
    }

    [Fact]
    public async Task Authenticate_returns_the_owner_and_token()
    {
        var userId = await _database.CreateUserAsync();
        var created = (await _tokens.CreateAsync(userId, "Reader")).Token!;

        var identity = await _tokens.AuthenticateAsync(created.PlainText);

        identity.Should().BeEquivalentTo(new { TokenId = created.Summary.Id, TokenName = "Reader", UserId = userId });
    }

    [Fact]
    public async Task A_token_stops_working_when_its_owner_loses_developer_access()
    {
        var userId = await _database.CreateUserAsync();
        var created = (await _tokens.CreateAsync(userId, "Reader")).Token!;

        await _database.SetDeveloperAccessAsync(userId, false);

        (await _tokens.AuthenticateAsync(created.PlainText)).Should().BeNull();
    }

    [Fact]
    public async Task A_locked_out_accounts_tokens_stop_working_until_the_lockout_ends()
    {
        var userId = await _database.CreateUserAsync();
        var created = (await _tokens.CreateAsync(userId, "Suspended")).Token!;

        await _database.LockOutAsync(userId, _database.Time.GetUtcNow().AddMinutes(5));

        (await _tokens.AuthenticateAsync(created.PlainText)).Should().BeNull();
        _database.Time.Advance(TimeSpan.FromMinutes(6));
        (await _tokens.AuthenticateAsync(created.PlainText)).Should().NotBeNull();
    }

    [Fact]
    public async Task Last_used_is_written_at_most_once_a_minute()
    {
        var userId = await _database.CreateUserAsync();
        var created = (await _tokens.CreateAsync(userId, "Busy script")).Token!;
        var firstUse = _database.Time.GetUtcNow().UtcDateTime;

        await _tokens.AuthenticateAsync(created.PlainText);
        _database.Time.Advance(TimeSpan.FromSeconds(30));
        await _tokens.AuthenticateAsync(created.PlainText);
        _database.Time.Advance(TimeSpan.FromSeconds(29));
        await _tokens.AuthenticateAsync(created.PlainText);
        (await LastUsedAsync()).Should().Be(firstUse);

        _database.Time.Advance(TimeSpan.FromSeconds(2));
        await _tokens.AuthenticateAsync(created.PlainText);
        (await LastUsedAsync()).Should().Be(firstUse.AddSeconds(61));

        async Task<DateTime?> LastUsedAsync() => (await _tokens.ListAsync(userId)).Single().LastUsedAt;
    }

    [Fact]
    public async Task A_malformed_token_is_refused_without_touching_the_database()
    {
        // A database that cannot even be opened: any query would throw.
        await using var unreachable = await TestDatabase.CreateAsync(connectionString: "Data Source=/nonexistent/dir/x.db;Mode=ReadOnly");
        var tokens = unreachable.CreateTokenService();
        var valid = ApiTokenFormat.Generate();
        var badChecksum = TestFiles.WithLastCharacterChanged(valid);

        (await tokens.AuthenticateAsync(badChecksum)).Should().BeNull();
        (await tokens.AuthenticateAsync("bpat_short")).Should().BeNull();
        // The control: a well-formed token does reach the (unreachable) database.
        var reachDatabase = () => tokens.AuthenticateAsync(valid);
        await reachDatabase.Should().ThrowAsync<Exception>();
    }

    private async Task ShouldHaveNoTokensOrEventsAsync()
    {
        await using var db = _database.CreateDbContext();
        (await db.ApiTokens.CountAsync()).Should().Be(0);
        (await db.AuditEvents.CountAsync()).Should().Be(0);
    }
}

using BeatPass.Core.Data;
using BeatPass.Core.ApiTokens;
using BeatPass.Core.Audit;
using BeatPass.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace BeatPass.Tests.Core;

public abstract class ApiTokenServiceTests(DatabaseProvider provider) : IAsyncLifetime
{
    private TestDatabase _database = null!;
    private ApiTokenService _tokens = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(maxTokensPerAccount: 3, provider: provider);
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

        (await _database.AuthenticateAsync(created.PlainText)).Should().NotBeNull("the token is now in the cache");

        var deleted = await _tokens.DeleteAsync(userId, created.Summary.Id);

        deleted.Should().BeTrue();
        (await _tokens.ListAsync(userId)).Should().BeEmpty();
        (await _database.AuthenticateAsync(created.PlainText)).Should().BeNull();
    }

    [Theory]
    [InlineData("abc", "abc")]
    [InlineData("  Sync job  ", "Sync job")]
    [InlineData("\tTabbed ends\n", "Tabbed ends")]
    [InlineData("Beats ♫ uploader", "Beats ♫ uploader")]
    [InlineData("Coder 👩\u200D💻", "Coder 👩\u200D💻")]
    [InlineData("<script>alert(1)</script>", "<script>alert(1)</script>")]
    [InlineData("عربي script", "عربي script")]
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
    [InlineData("evil\u202Egnp.exe", "text-direction characters")]
    [InlineData("zero\u200Bwidth", "text-direction characters")]
    [InlineData("\u2066isolated\u2069", "text-direction characters")]
    public async Task Invalid_names_are_refused_with_a_clear_message_and_nothing_is_written(string? name, string message)
    {
        var userId = await _database.CreateUserAsync();

        var result = await _tokens.CreateAsync(userId, name);

        result.Error.Should().Be(ApiTokenError.InvalidName);
        result.ErrorMessage.Should().Contain(message);
        await ShouldHaveNoTokensOrEventsAsync();
    }

    [Theory]
    [MemberData(nameof(TokenNameCases.Refused), MemberType = typeof(TokenNameCases))]
    public async Task A_name_that_hides_characters_or_passes_for_another_is_refused_and_nothing_is_written(
        string name, string message, string what)
    {
        var userId = await _database.CreateUserAsync();
        (await _tokens.CreateAsync(userId, TokenNameCases.ExistingName)).Succeeded.Should().BeTrue();
        var before = await _tokens.ListAsync(userId);

        var result = await _tokens.CreateAsync(userId, name);

        result.Succeeded.Should().BeFalse(what);
        result.ErrorMessage.Should().Contain(message, what);
        (await _tokens.ListAsync(userId)).Should().BeEquivalentTo(before);
    }

    [Theory]
    [MemberData(nameof(TokenNameCases.Accepted), MemberType = typeof(TokenNameCases))]
    public async Task Names_in_any_one_script_with_accents_or_emoji_are_accepted(string name)
    {
        var userId = await _database.CreateUserAsync();

        var result = await _tokens.CreateAsync(userId, name);

        result.Succeeded.Should().BeTrue(result.ErrorMessage);
        result.Token!.Summary.Name.Should().Be(name.Normalize(System.Text.NormalizationForm.FormC));
    }

    [Fact]
    public async Task A_name_is_stored_in_NFC()
    {
        var userId = await _database.CreateUserAsync();

        var result = await _tokens.CreateAsync(userId, "Cafe\u0301 Token");

        result.Token!.Summary.Name.Should().Be(TokenNameCases.ExistingName);
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
    public async Task A_name_of_a_megabyte_is_refused_and_nothing_is_written()
    {
        var userId = await _database.CreateUserAsync();

        var result = await _tokens.CreateAsync(userId, new string('x', 1024 * 1024));

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
        (await _database.AuthenticateAsync(created.PlainText)).Should().NotBeNull();
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
    public async Task No_expiration_is_the_default_and_a_chosen_expiry_is_listed()
    {
        var userId = await _database.CreateUserAsync();
        var now = _database.Time.GetUtcNow().UtcDateTime;

        await _tokens.CreateAsync(userId, "Forever");
        await _tokens.CreateAsync(userId, "Month", ApiTokenExpiration.InDays(now, 30));

        var listed = await _tokens.ListAsync(userId);
        listed.Single(t => t.Name == "Forever").ExpiresAt.Should().BeNull();
        listed.Single(t => t.Name == "Month").ExpiresAt.Should().Be(now.AddDays(30));
    }

    [Theory]
    [InlineData(-1, "Choose an expiration date after today.")]
    [InlineData(-30, "Choose an expiration date after today.")]
    [InlineData(367, "Choose an expiration date at most a year from today.")]
    public async Task A_custom_date_in_the_past_or_over_a_year_ahead_is_refused(int daysFromToday, string message)
    {
        var userId = await _database.CreateUserAsync();
        var now = _database.Time.GetUtcNow().UtcDateTime;
        var date = DateOnly.FromDateTime(now).AddDays(daysFromToday);

        var result = await _tokens.CreateAsync(userId, "Dated", ApiTokenExpiration.EndOfDay(date, TimeZoneInfo.Utc));

        result.Error.Should().Be(ApiTokenError.InvalidExpiration);
        result.ErrorMessage.Should().Be(message);
        await ShouldHaveNoTokensOrEventsAsync();
    }

    [Fact]
    public async Task The_custom_date_range_runs_from_tomorrow_to_a_year_ahead_and_both_ends_are_accepted()
    {
        var userId = await _database.CreateUserAsync();
        var now = _database.Time.GetUtcNow().UtcDateTime;
        var (first, last) = ApiTokenExpiration.CustomDateRange(now);

        first.Should().Be(DateOnly.FromDateTime(now).AddDays(1));
        last.Should().Be(DateOnly.FromDateTime(now).AddYears(1));
        (await _tokens.CreateAsync(userId, "Tomorrow", ApiTokenExpiration.EndOfDay(first, TimeZoneInfo.Utc))).Succeeded.Should().BeTrue();
        (await _tokens.CreateAsync(userId, "Next year", ApiTokenExpiration.EndOfDay(last, TimeZoneInfo.Utc))).Succeeded.Should().BeTrue();
        (await _tokens.CreateAsync(userId, "Too late", ApiTokenExpiration.EndOfDay(last.AddDays(1), TimeZoneInfo.Utc))).Succeeded.Should().BeFalse();
    }

    [Fact]
    public void A_custom_date_ends_at_the_end_of_that_day_in_the_holders_zone()
    {
        var date = new DateOnly(2027, 3, 14);
        var losAngeles = TimeZoneInfo.FindSystemTimeZoneById("America/Los_Angeles");
        var tokyo = TimeZoneInfo.FindSystemTimeZoneById("Asia/Tokyo");

        ApiTokenExpiration.EndOfDay(date, TimeZoneInfo.Utc).Should().Be(new DateTime(2027, 3, 14, 23, 59, 59, DateTimeKind.Utc));
        ApiTokenExpiration.EndOfDay(date, losAngeles).Should().Be(new DateTime(2027, 3, 15, 6, 59, 59, DateTimeKind.Utc), "23:59:59 PDT");
        ApiTokenExpiration.EndOfDay(date, tokyo).Should().Be(new DateTime(2027, 3, 14, 14, 59, 59, DateTimeKind.Utc), "23:59:59 JST");
    }

    [Fact]
    public async Task Regenerate_keeps_id_name_and_lifetime_gives_a_new_secret_and_is_audited()
    {
        var userId = await _database.CreateUserAsync();
        var created = (await _tokens.CreateAsync(userId, "Rotating", ApiTokenExpiration.InDays(_database.Time.GetUtcNow().UtcDateTime, 7))).Token!;
        _database.Time.Advance(TimeSpan.FromDays(10));
        var listed = (await _tokens.ListAsync(userId)).Single();
        var promised = ApiTokenExpiration.Regenerated(_database.Time.GetUtcNow().UtcDateTime, listed.IssuedAt, listed.ExpiresAt);

        var result = await _tokens.RegenerateAsync(userId, created.Summary.Id);

        var regenerated = result.Token!;
        regenerated.PlainText.Should().NotBe(created.PlainText);
        ApiTokenFormat.IsWellFormed(regenerated.PlainText).Should().BeTrue();
        regenerated.Summary.Should().BeEquivalentTo(new
        {
            created.Summary.Id,
            Name = "Rotating",
            Hint = "bpat_…" + regenerated.PlainText[^4..],
            ExpiresAt = _database.Time.GetUtcNow().UtcDateTime.AddDays(7),
        });
        regenerated.Summary.ExpiresAt.Should().Be(promised, "a regeneration that names no expiry keeps the lifetime, as a rotation does");
        (await _tokens.ListAsync(userId)).Should().ContainSingle().Which.Should().BeEquivalentTo(regenerated.Summary);
        await using var db = _database.CreateDbContext();
        (await db.AuditEvents.Where(e => e.Action == AuditAction.TokenRegenerated).Select(e => e.TokenName).SingleAsync()).Should().Be("Rotating");
    }

    [Fact]
    public async Task Regenerate_gives_the_new_secret_the_expiry_the_holder_chose_or_none()
    {
        var userId = await _database.CreateUserAsync();
        var now = _database.Time.GetUtcNow().UtcDateTime;
        var created = (await _tokens.CreateAsync(userId, "Chosen expiry", ApiTokenExpiration.InDays(now, 7))).Token!;

        var longer = (await _tokens.RegenerateAsync(userId, created.Summary.Id, ApiTokenExpiration.InDays(now, 90))).Token!;
        var never = (await _tokens.RegenerateAsync(userId, created.Summary.Id, expiresAt: null)).Token!;

        longer.Summary.ExpiresAt.Should().Be(now.AddDays(90));
        never.Summary.ExpiresAt.Should().BeNull();
        (await _database.AuthenticateAsync(never.PlainText)).Should().NotBeNull();
        await using var db = _database.CreateDbContext();
        (await db.AuditEvents.Where(e => e.Action == AuditAction.TokenRegenerated).OrderBy(e => e.Id).Select(e => e.Detail).ToListAsync())
            .Should().Equal($"Expires {now.AddDays(90):yyyy-MM-dd HH:mm} UTC.", "Never expires.");
    }

    [Theory]
    [InlineData(0, "Choose an expiration date after today.")]
    [InlineData(-3, "Choose an expiration date after today.")]
    [InlineData(367, "Choose an expiration date at most a year from today.")]
    public async Task Regenerate_with_an_expiry_out_of_range_is_refused_and_the_old_secret_keeps_working(int days, string message)
    {
        var userId = await _database.CreateUserAsync();
        var created = (await _tokens.CreateAsync(userId, "Out of range")).Token!;

        var result = await _tokens.RegenerateAsync(userId, created.Summary.Id, _database.Time.GetUtcNow().UtcDateTime.AddDays(days));

        result.Error.Should().Be(ApiTokenError.InvalidExpiration);
        result.ErrorMessage.Should().Be(message);
        (await _database.AuthenticateAsync(created.PlainText)).Should().NotBeNull();
        (await _tokens.ListAsync(userId)).Single().Hint.Should().Be(created.Summary.Hint);
    }

    [Fact]
    public async Task Edit_renames_and_describes_a_token_keeps_its_secret_and_records_each_change()
    {
        var userId = await _database.CreateUserAsync();
        var created = (await _tokens.CreateAsync(userId, "Old name", description: "  Nightly backup  ")).Token!;
        created.Summary.Description.Should().Be("Nightly backup", "a description is trimmed");

        var renamed = await _tokens.EditAsync(userId, created.Summary.Id, " New name ", "Nightly backup");
        var described = await _tokens.EditAsync(userId, created.Summary.Id, "New name", "Runs on the NAS in the cupboard");
        var cleared = await _tokens.EditAsync(userId, created.Summary.Id, "New name", "   ");
        var unchanged = await _tokens.EditAsync(userId, created.Summary.Id, "New name", null);

        renamed.Token!.Name.Should().Be("New name");
        described.Token!.Description.Should().Be("Runs on the NAS in the cupboard");
        cleared.Token!.Description.Should().BeNull();
        unchanged.Succeeded.Should().BeTrue();
        var listed = (await _tokens.ListAsync(userId)).Single();
        listed.Should().BeEquivalentTo(new { Name = "New name", Description = (string?)null, created.Summary.Hint, created.Summary.Permissions });
        (await _database.AuthenticateAsync(created.PlainText)).Should().NotBeNull("editing never touches the secret");
        await using var db = _database.CreateDbContext();
        (await db.AuditEvents.Where(e => e.Action == AuditAction.TokenRenamed || e.Action == AuditAction.TokenDescribed).OrderBy(e => e.Id)
                .Select(e => new { e.Action, e.TokenName, e.Detail }).ToListAsync())
            .Should().Equal(
                new { Action = AuditAction.TokenRenamed, TokenName = (string?)"New name", Detail = (string?)"Was “Old name”." },
                new { Action = AuditAction.TokenDescribed, TokenName = (string?)"New name", Detail = (string?)"Description: Runs on the NAS in the cupboard" },
                new { Action = AuditAction.TokenDescribed, TokenName = (string?)"New name", Detail = (string?)"Description removed." });
    }

    public static TheoryData<string?, string?, ApiTokenError, string> BadEdits => new()
    {
        { "ab", null, ApiTokenError.InvalidName, "The token name must be at least 3 characters." },
        { new string('n', 101), null, ApiTokenError.InvalidName, "The token name must be at most 100 characters." },
        { "   ", null, ApiTokenError.InvalidName, "Enter a token name." },
        { "Tab\there", null, ApiTokenError.InvalidName, "The token name can't contain control characters such as tabs or line breaks." },
        { "The other one", null, ApiTokenError.DuplicateName, "You already have a token with this name. Choose another name." },
        { "THE OTHER ONE", null, ApiTokenError.DuplicateName, "You already have a token with this name. Choose another name." },
        { "Fine name", new string('d', 201), ApiTokenError.InvalidDescription, "The description must be at most 200 characters." },
        { "Fine name", "Two\nlines", ApiTokenError.InvalidDescription, "The description can't contain control characters such as tabs or line breaks." },
        { "Fine name", "Zero\u200Bwidth", ApiTokenError.InvalidDescription,
            "The description can't contain invisible characters, special spaces or text-direction characters. Use plain spaces between words." },
    };

    [Theory]
    [MemberData(nameof(BadEdits))]
    public async Task A_bad_edit_is_refused_with_a_clear_message_and_changes_nothing(string? name, string? description, ApiTokenError error, string message)
    {
        var userId = await _database.CreateUserAsync();
        await _tokens.CreateAsync(userId, "The other one");
        var token = (await _tokens.CreateAsync(userId, "Edited", description: "As it was")).Token!;

        var result = await _tokens.EditAsync(userId, token.Summary.Id, Unescape(name), Unescape(description));

        result.Error.Should().Be(error);
        result.ErrorMessage.Should().Be(message);
        (await _tokens.FindAsync(userId, token.Summary.Id)).Should().BeEquivalentTo(new { Name = "Edited", Description = "As it was" });
        await using var db = _database.CreateDbContext();
        (await db.AuditEvents.CountAsync(e => e.Action == AuditAction.TokenRenamed || e.Action == AuditAction.TokenDescribed)).Should().Be(0);
    }

    // Kept escaped in the theory data, so the test names stay readable.
    private static string? Unescape(string? text) => text is null ? null : System.Text.RegularExpressions.Regex.Unescape(text);

    [Fact]
    public async Task Editing_another_accounts_token_or_one_without_developer_access_changes_nothing()
    {
        var owner = await _database.CreateUserAsync();
        var intruder = await _database.CreateUserAsync();
        var created = (await _tokens.CreateAsync(owner, "Owner's token")).Token!;

        var byIntruder = await _tokens.EditAsync(intruder, created.Summary.Id, "Stolen", "mine now");
        await using (var db = _database.CreateDbContext())
        {
            await db.Users.Where(u => u.Id == owner).ExecuteUpdateAsync(u => u.SetProperty(x => x.HasDeveloperAccess, false));
        }

        var withoutAccess = await _tokens.EditAsync(owner, created.Summary.Id, "Renamed", null);

        byIntruder.Error.Should().Be(ApiTokenError.NotFound);
        withoutAccess.Error.Should().Be(ApiTokenError.NoDeveloperAccess);
        (await _tokens.FindAsync(owner, created.Summary.Id))!.Name.Should().Be("Owner's token");
    }

    [Fact]
    public async Task Regenerating_another_accounts_token_id_changes_nothing()
    {
        var owner = await _database.CreateUserAsync();
        var intruder = await _database.CreateUserAsync();
        var created = (await _tokens.CreateAsync(owner, "Owner's token")).Token!;

        var result = await _tokens.RegenerateAsync(intruder, created.Summary.Id);

        result.Error.Should().Be(ApiTokenError.NotFound);
        (await _database.AuthenticateAsync(created.PlainText)).Should().NotBeNull();
        await using var db = _database.CreateDbContext();
        (await db.AuditEvents.CountAsync(e => e.Action == AuditAction.TokenRegenerated)).Should().Be(0);
    }

    [Fact]
    public async Task A_token_holds_account_read_unless_told_otherwise_and_the_choice_is_stored_in_catalog_order_once()
    {
        var userId = await _database.CreateUserAsync();

        var byDefault = (await _tokens.CreateAsync(userId, "Default")).Token!;
        var chosen = (await _tokens.CreateAsync(userId, "Chosen", permissions:
            [ApiPermissions.SecurityLogRead, " tokens:read ", ApiPermissions.SecurityLogRead])).Token!;

        byDefault.Summary.Permissions.Should().Equal(ApiPermissions.AccountRead);
        chosen.Summary.Permissions.Should().Equal(ApiPermissions.TokensRead, ApiPermissions.SecurityLogRead);
        (await _database.AuthenticateAsync(chosen.PlainText))!.Permissions.Should().Be("tokens:read security-log:read");
        await using var db = _database.CreateDbContext();
        (await db.AuditEvents.Where(e => e.TokenName == "Chosen").Select(e => e.Detail).SingleAsync())
            .Should().Be("Permissions: tokens:read, security-log:read");
    }

    [Theory]
    [InlineData(new string[0], "Choose at least one permission.")]
    [InlineData(new[] { " ", "" }, "Choose at least one permission.")]
    [InlineData(new[] { "account:read", "tokens:write" }, "There is no permission called \"tokens:write\".")]
    [InlineData(new[] { "ACCOUNT:READ" }, "There is no permission called \"ACCOUNT:READ\".")]
    [InlineData(new[] { "account:read\u0000x" }, "There is no permission called \"account:readx…\".")]
    [InlineData(new[] { "developer-access:read" }, "Only BeatPass staff can give a token developer-access:read.")]
    [InlineData(new[] { "account:read", "developer-access:write" }, "Only BeatPass staff can give a token developer-access:write.")]
    public async Task A_bad_choice_of_permissions_is_refused_with_a_clear_message_and_nothing_is_written(string[] permissions, string message)
    {
        var userId = await _database.CreateUserAsync();

        var result = await _tokens.CreateAsync(userId, "Refused", permissions: permissions);

        result.Error.Should().Be(ApiTokenError.InvalidPermissions);
        result.ErrorMessage.Should().Be(message);
        await ShouldHaveNoTokensOrEventsAsync();
    }

    [Fact]
    public async Task Staff_may_give_a_token_staff_permissions_which_work_only_while_they_are_staff()
    {
        var staffId = await _database.CreateStaffAsync();
        await _database.SetDeveloperAccessAsync(staffId, true);

        var created = (await _tokens.CreateAsync(staffId, "Admin script", permissions: [ApiPermissions.DeveloperAccessWrite, ApiPermissions.AccountRead])).Token!;

        created.Summary.Permissions.Should().Equal(ApiPermissions.AccountRead, ApiPermissions.DeveloperAccessWrite);
        (await _database.AuthenticateAsync(created.PlainText))!.Holds(ApiPermissions.DeveloperAccessWrite).Should().BeTrue();
        await using (var db = _database.CreateDbContext())
        {
            db.UserRoles.Remove(await db.UserRoles.SingleAsync(r => r.UserId == staffId));
            await db.SaveChangesAsync();
        }

        var identity = (await _database.AuthenticateAsync(created.PlainText))!;
        identity.Permissions.Should().Be(ApiPermissions.AccountRead, "the role change reached the token cache");
        identity.Holds(ApiPermissions.DeveloperAccessWrite).Should().BeFalse();
        var listed = (await _tokens.ListAsync(staffId)).Single();
        listed.Permissions.Should().Equal(ApiPermissions.AccountRead, ApiPermissions.DeveloperAccessWrite);
        listed.NoLongerAvailable.Should().Equal(ApiPermissions.DeveloperAccessWrite);
        (await _tokens.CreateAsync(staffId, "Another", permissions: [ApiPermissions.DeveloperAccessWrite])).ErrorMessage
            .Should().Be("Only BeatPass staff can give a token developer-access:write.");
    }

    [Fact]
    public async Task Regenerating_keeps_the_permissions()
    {
        var userId = await _database.CreateUserAsync();
        var created = (await _tokens.CreateAsync(userId, "Kept", permissions: [ApiPermissions.TokensRead])).Token!;

        var regenerated = (await _tokens.RegenerateAsync(userId, created.Summary.Id)).Token!;

        regenerated.Summary.Permissions.Should().Equal(ApiPermissions.TokensRead);
        (await _database.AuthenticateAsync(regenerated.PlainText))!.Permissions.Should().Be(ApiPermissions.TokensRead);
    }

    private async Task ShouldHaveNoTokensOrEventsAsync()
    {
        await using var db = _database.CreateDbContext();
        (await db.ApiTokens.CountAsync()).Should().Be(0);
        (await db.AuditEvents.CountAsync()).Should().Be(0);
    }
}

public sealed class ApiTokenServiceTestsOnSqlite() : ApiTokenServiceTests(DatabaseProvider.Sqlite);

public sealed class ApiTokenServiceTestsOnPostgreSql() : ApiTokenServiceTests(DatabaseProvider.PostgreSQL);

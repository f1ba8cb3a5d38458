using BeatPass.Core.Data;
using BeatPass.Core.ApiTokens;
using BeatPass.Core.Audit;
using BeatPass.Core.DeveloperAccess;
using BeatPass.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BeatPass.Tests.Core;

public abstract class DeveloperAccessServiceTests(DatabaseProvider provider) : IAsyncLifetime
{
    private TestDatabase _database = null!;
    private ApiTokenService _tokens = null!;
    private DeveloperAccessService _access = null!;
    private ServiceProvider _services = null!;

    private AccountsQuery Accounts => _services.GetRequiredService<AccountsQuery>();

    private AuditFeedQuery AuditFeed => _services.GetRequiredService<AuditFeedQuery>();
    private string _staffId = "";

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(provider: provider);
        _tokens = _database.CreateTokenService();
        var services = new ServiceCollection();
        _database.AddCoreServicesTo(services);
        _services = services.BuildServiceProvider();
        _access = _services.GetRequiredService<DeveloperAccessService>();
        _staffId = await _database.CreateStaffAsync();
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task Staff_grant_access_and_the_grant_is_audited()
    {
        var userId = await _database.CreateUserAsync(hasDeveloperAccess: false);

        await _access.GrantAsync(_staffId, userId);

        (await _access.HasAccessAsync(userId)).Should().BeTrue();
        (await EventsAsync()).Should().Equal((AuditAction.DeveloperAccessGranted, _staffId, userId, (string?)null));
    }

    [Fact]
    public async Task Granting_twice_is_harmless_and_audited_once()
    {
        var userId = await _database.CreateUserAsync(hasDeveloperAccess: false);

        await _access.GrantAsync(_staffId, userId);
        await _access.GrantAsync(_staffId, userId);

        (await _access.HasAccessAsync(userId)).Should().BeTrue();
        (await EventsAsync()).Should().ContainSingle();
    }

    [Fact]
    public async Task Revoking_deletes_the_tokens_and_writes_the_events()
    {
        var userId = await _database.CreateUserAsync();
        var first = (await _tokens.CreateAsync(userId, "First")).Token!;
        await _tokens.CreateAsync(userId, "Second");
        (await _database.AuthenticateAsync(first.PlainText)).Should().NotBeNull("the token is now in the cache");
        await ClearEventsAsync();

        var deleted = await _access.RevokeAsync(_staffId, userId);

        deleted.Should().Be(2);
        (await _access.HasAccessAsync(userId)).Should().BeFalse();
        (await _tokens.ListAsync(userId)).Should().BeEmpty();
        (await _database.AuthenticateAsync(first.PlainText)).Should().BeNull();
        (await EventsAsync()).Should().BeEquivalentTo(new[]
        {
            (AuditAction.DeveloperAccessRevoked, _staffId, userId, (string?)null),
            (AuditAction.TokenDeleted, _staffId, userId, (string?)"First"),
            (AuditAction.TokenDeleted, _staffId, userId, (string?)"Second"),
        });
    }

    [Fact]
    public async Task No_token_created_while_access_is_revoked_outlives_the_revoke()
    {
        // Each round races six creates against one revoke: a create either commits first and is deleted by the
        // revoke, or comes after it and is refused. Without the account lock some rounds would leave a token.
        for (var round = 0; round < 10; round++)
        {
            var userId = await _database.CreateUserAsync();
            var creates = Enumerable.Range(0, 6).Select(i => Task.Run(() => _tokens.CreateAsync(userId, $"Racer {i}")));
            var revoke = Task.Run(() => _access.RevokeAsync(_staffId, userId));

            await Task.WhenAll([.. creates, revoke]);

            (await _tokens.ListAsync(userId)).Should().BeEmpty($"round {round} revoked access while tokens were being created");
            (await _access.HasAccessAsync(userId)).Should().BeFalse();
        }
    }

    [Fact]
    public async Task Revoking_an_account_without_tokens_turns_access_off()
    {
        var userId = await _database.CreateUserAsync();

        var deleted = await _access.RevokeAsync(_staffId, userId);

        deleted.Should().Be(0);
        (await _access.HasAccessAsync(userId)).Should().BeFalse();
        (await EventsAsync()).Should().Equal((AuditAction.DeveloperAccessRevoked, _staffId, userId, (string?)null));
    }

    [Fact]
    public async Task A_non_staff_actor_is_refused_and_nothing_changes()
    {
        var intruder = await _database.CreateUserAsync();
        var withAccess = await _database.CreateUserAsync();
        var withoutAccess = await _database.CreateUserAsync(hasDeveloperAccess: false);
        await _tokens.CreateAsync(withAccess, "Precious");
        await ClearEventsAsync();

        await FluentActions.Awaiting(() => _access.RevokeAsync(intruder, withAccess)).Should().ThrowAsync<StaffOnlyException>();
        await FluentActions.Awaiting(() => _access.GrantAsync(intruder, withoutAccess)).Should().ThrowAsync<StaffOnlyException>();
        await FluentActions.Awaiting(() => _access.GrantAsync(intruder, intruder)).Should().ThrowAsync<StaffOnlyException>();
        await FluentActions.Awaiting(() => Accounts.SearchAsync(intruder, new AccountQuery())).Should().ThrowAsync<StaffOnlyException>();
        await FluentActions.Awaiting(() => AuditFeed.RecentAsync(intruder, null)).Should().ThrowAsync<StaffOnlyException>();

        (await _access.HasAccessAsync(withAccess)).Should().BeTrue();
        (await _access.HasAccessAsync(withoutAccess)).Should().BeFalse();
        (await _tokens.ListAsync(withAccess)).Should().ContainSingle();
        (await EventsAsync()).Should().BeEmpty();
    }

    [Fact]
    public async Task A_staff_member_who_loses_the_role_is_refused_on_the_next_call()
    {
        var subject = await _database.CreateUserAsync(hasDeveloperAccess: false);
        await Accounts.SearchAsync(_staffId, new AccountQuery());

        await using (var db = _database.CreateDbContext())
        {
            await db.UserRoles.Where(r => r.UserId == _staffId).ExecuteDeleteAsync();
        }

        await FluentActions.Awaiting(() => _access.GrantAsync(_staffId, subject)).Should().ThrowAsync<StaffOnlyException>();
        (await _access.HasAccessAsync(subject)).Should().BeFalse();
    }

    [Fact]
    public async Task Search_narrows_by_email_whatever_the_case_and_pages_in_order()
    {
        for (var i = 0; i < 5; i++)
        {
            await _database.CreateUserAsync(email: $"producer{i}@beats.test");
        }

        await _database.CreateUserAsync(email: "listener@elsewhere.test");

        var firstPage = await Accounts.SearchAsync(_staffId, new AccountQuery("PRODUCER", Page: 0, PageSize: 2));
        var lastPage = await Accounts.SearchAsync(_staffId, new AccountQuery("producer", Page: 2, PageSize: 2));

        firstPage.TotalCount.Should().Be(5);
        firstPage.Items.Select(a => a.Email).Should().Equal("producer0@beats.test", "producer1@beats.test");
        lastPage.Items.Select(a => a.Email).Should().Equal("producer4@beats.test");
    }

    [Fact]
    public async Task Search_rows_carry_the_token_count_and_last_api_use()
    {
        var userId = await _database.CreateUserAsync(email: "counted@beats.test");
        var token = (await _tokens.CreateAsync(userId, "One")).Token!;
        await _tokens.CreateAsync(userId, "Two");
        await _database.AuthenticateAsync(token.PlainText);
        await _database.WriteTokenUsesAsync();

        var page = await Accounts.SearchAsync(_staffId, new AccountQuery("counted"));

        page.Items.Should().ContainSingle().Which.Should().BeEquivalentTo(new
        {
            Email = "counted@beats.test",
            HasDeveloperAccess = true,
            TokenCount = 2,
            LastApiUseAt = _database.Time.GetUtcNow().UtcDateTime,
        });
    }

    [Fact]
    public async Task Sorting_by_token_count_puts_the_busiest_account_first()
    {
        var quiet = await _database.CreateUserAsync(email: "a-quiet@beats.test");
        var busy = await _database.CreateUserAsync(email: "z-busy@beats.test");
        await _tokens.CreateAsync(busy, "One");
        await _tokens.CreateAsync(busy, "Two");
        await _tokens.CreateAsync(quiet, "Only");

        var page = await Accounts.SearchAsync(_staffId, new AccountQuery("beats.test", SortBy: AccountSort.TokenCount, Descending: true));

        page.Items.Select(a => a.UserId).Should().Equal(busy, quiet);
    }

    [Fact]
    public async Task Recent_events_can_be_filtered_by_account()
    {
        var first = await _database.CreateUserAsync(hasDeveloperAccess: false, email: "first@beats.test");
        var second = await _database.CreateUserAsync(hasDeveloperAccess: false, email: "second@beats.test");
        await _access.GrantAsync(_staffId, first);
        await _access.GrantAsync(_staffId, second);

        var events = await AuditFeed.RecentAsync(_staffId, "FIRST@");

        events.Should().ContainSingle().Which.Should().BeEquivalentTo(new
        {
            Subject = "first@beats.test",
            Action = AuditAction.DeveloperAccessGranted,
        });
    }

    private async Task<List<(AuditAction, string, string, string?)>> EventsAsync()
    {
        await using var db = _database.CreateDbContext();
        var events = await db.AuditEvents.OrderBy(e => e.Id).ToListAsync();
        return events.Select(e => (e.Action, e.ActorUserId, e.SubjectUserId, e.TokenName)).ToList();
    }

    private async Task ClearEventsAsync()
    {
        await using var db = _database.CreateDbContext();
        await db.AuditEvents.ExecuteDeleteAsync();
    }
}

public sealed class DeveloperAccessServiceTestsOnSqlite() : DeveloperAccessServiceTests(DatabaseProvider.Sqlite);

public sealed class DeveloperAccessServiceTestsOnPostgreSql() : DeveloperAccessServiceTests(DatabaseProvider.PostgreSQL);

using BeatPass.Core.Data;
using BeatPass.Core.ApiTokens;
using BeatPass.Core.Audit;
using BeatPass.Tests.Infrastructure;

namespace BeatPass.Tests.Core;

public abstract class SecurityLogServiceTests(DatabaseProvider provider) : IAsyncLifetime
{
    private TestDatabase _database = null!;

    public async Task InitializeAsync() => _database = await TestDatabase.CreateAsync(provider: provider);

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task The_holder_sees_their_own_token_that_acted_but_never_staffs()
    {
        var staff = await _database.CreateStaffAsync();
        var holder = await _database.CreateUserAsync(hasDeveloperAccess: false);
        await _database.CreateDeveloperAccessService().GrantAsync(staff, holder, viaTokenName: "Staff's admin script");
        var tokens = _database.CreateTokenService();
        var created = (await tokens.CreateAsync(holder, "Cleaner")).Token!;
        _database.Time.Advance(TimeSpan.FromSeconds(1));

        await tokens.DeleteAsync(holder, created.Summary.Id, viaTokenName: "Cleaner");

        var log = (await _database.CreateSecurityLog().ListAsync(holder)).Items;
        log.Select(e => (e.Action, e.ViaTokenName)).Should().Equal(
            (AuditAction.TokenDeleted, "Cleaner"), (AuditAction.TokenCreated, null), (AuditAction.DeveloperAccessGranted, null));
    }

    [Fact]
    public void A_detail_longer_than_its_column_is_cut_short_with_an_ellipsis()
    {
        var audit = AuditEvent.Create(DateTime.UtcNow, Actor.Account("someone"), "someone", AuditAction.TokenCreated, "Token", new string('x', 600));

        audit.Detail.Should().HaveLength(AuditEvent.MaxDetailLength).And.EndWith("…");
    }

    [Fact]
    public async Task Every_event_type_shows_for_its_account_newest_first_and_never_for_another()
    {
        var staff = await _database.CreateStaffAsync();
        var holder = await _database.CreateUserAsync(hasDeveloperAccess: false);
        var bystander = await _database.CreateUserAsync();
        var access = _database.CreateDeveloperAccessService();
        var tokens = _database.CreateTokenService();
        await tokens.CreateAsync(bystander, "Bystander's");

        await Step(() => access.GrantAsync(staff, holder));
        var now = _database.Time.GetUtcNow().UtcDateTime;
        var created = (await tokens.CreateAsync(holder, "Short lived", ApiTokenExpiration.InDays(now, 7))).Token!;
        _database.Time.Advance(TimeSpan.FromSeconds(1));
        var regenerated = (await tokens.RegenerateAsync(holder, created.Summary.Id)).Token!;
        _database.Time.Advance(TimeSpan.FromDays(8));
        await Step(async () => await _database.Authenticator.AuthenticateAsync(regenerated.PlainText));
        var second = (await tokens.CreateAsync(holder, "Second")).Token!;
        _database.Time.Advance(TimeSpan.FromSeconds(1));
        await Step(() => tokens.DeleteAsync(holder, second.Summary.Id));
        await Step(() => access.RevokeAsync(staff, holder));

        var log = await _database.CreateSecurityLog().ListAsync(holder, pageSize: 50);

        log.Items.Select(e => (e.Action, e.TokenName, e.ByStaff)).Should().Equal(
            (AuditAction.TokenDeleted, "Short lived", true),
            (AuditAction.DeveloperAccessRevoked, null, true),
            (AuditAction.TokenDeleted, "Second", false),
            (AuditAction.TokenCreated, "Second", false),
            (AuditAction.ExpiredTokenRefused, "Short lived", false),
            (AuditAction.TokenRegenerated, "Short lived", false),
            (AuditAction.TokenCreated, "Short lived", false),
            (AuditAction.DeveloperAccessGranted, null, true));
        (await _database.CreateSecurityLog().ListAsync(bystander)).Items.Should().ContainSingle()
            .Which.Should().BeEquivalentTo(new { Action = AuditAction.TokenCreated, TokenName = "Bystander's" });
    }

    [Fact]
    public async Task The_log_is_paged()
    {
        var holder = await _database.CreateUserAsync();
        var tokens = _database.CreateTokenService();
        for (var i = 0; i < 5; i++)
        {
            await tokens.CreateAsync(holder, $"Token {i}");
            _database.Time.Advance(TimeSpan.FromSeconds(1));
        }

        var log = _database.CreateSecurityLog();
        var first = await log.ListAsync(holder, page: 0, pageSize: 2);
        var last = await log.ListAsync(holder, page: 2, pageSize: 2);

        first.TotalCount.Should().Be(5);
        first.Items.Select(e => e.TokenName).Should().Equal("Token 4", "Token 3");
        last.Items.Select(e => e.TokenName).Should().Equal("Token 0");
    }

    // Events in one step share a time; steps are a second apart so the order is by step.
    private async Task Step(Func<Task> action)
    {
        await action();
        _database.Time.Advance(TimeSpan.FromSeconds(1));
    }
}

public sealed class SecurityLogServiceTestsOnSqlite() : SecurityLogServiceTests(DatabaseProvider.Sqlite);

public sealed class SecurityLogServiceTestsOnPostgreSql() : SecurityLogServiceTests(DatabaseProvider.PostgreSQL);

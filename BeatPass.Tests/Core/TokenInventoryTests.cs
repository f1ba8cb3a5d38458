using BeatPass.Core.Data;
using BeatPass.Core.ApiTokens;
using BeatPass.Core.Audit;
using BeatPass.Core.DeveloperAccess;
using BeatPass.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BeatPass.Tests.Core;

public abstract class TokenInventoryTests(DatabaseProvider provider) : IAsyncLifetime
{
    private TestDatabase _database = null!;
    private ServiceProvider _services = null!;
    private ApiTokenService _tokens = null!;
    private string _staffId = "";

    private TokenInventoryQuery Inventory => _services.GetRequiredService<TokenInventoryQuery>();

    private DeveloperAccessService Access => _services.GetRequiredService<DeveloperAccessService>();

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(provider: provider);
        var services = new ServiceCollection();
        _database.AddCoreServicesTo(services);
        _services = services.BuildServiceProvider();
        _tokens = _database.CreateTokenService();
        _staffId = await _database.CreateStaffAsync();
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _database.DisposeAsync();
    }

    private DateTime Now => _database.Time.GetUtcNow().UtcDateTime;

    [Fact]
    public async Task Every_filter_finds_exactly_its_tokens()
    {
        var alice = await _database.CreateUserAsync(email: "alice@beats.test");
        await CreateAsync(alice, "Old and unused", Now.AddDays(365));
        _database.Time.Advance(TimeSpan.FromDays(100));
        await CreateAsync(alice, "Expires soon", Now.AddDays(3));
        var later = await CreateAsync(alice, "Expires later", Now.AddDays(30));
        var never = await CreateAsync(alice, "Never expires", null);
        await CreateAsync(alice, "Expires tomorrow", Now.AddDays(1));
        await CreateAsync(alice, "Spare", null);
        (await _database.AuthenticateAsync(later.PlainText)).Should().NotBeNull();
        (await _database.AuthenticateAsync(never.PlainText)).Should().NotBeNull();
        await _database.WriteTokenUsesAsync();
        await Access.RevokeTokenAsync(_staffId, never.Summary.Id, "Found in a public paste.");
        _database.Time.Advance(TimeSpan.FromDays(2)); // "Expires tomorrow" has expired; "Expires soon" is a day away

        async Task<List<string>> NamesAsync(TokenInventoryFilter filter) =>
            [.. (await Inventory.SearchAsync(_staffId, new TokenInventoryRequest(Filter: filter))).Items.Select(t => t.Name).Order()];

        (await NamesAsync(TokenInventoryFilter.All)).Should().HaveCount(6);
        (await NamesAsync(TokenInventoryFilter.ExpiresSoon)).Should().Equal("Expires soon");
        (await NamesAsync(TokenInventoryFilter.Expired)).Should().Equal("Expires tomorrow");
        // Never used, no expiration and not used for 90 days list tokens that still work: not expired, not revoked.
        (await NamesAsync(TokenInventoryFilter.NeverUsed)).Should().Equal("Expires soon", "Old and unused", "Spare");
        (await NamesAsync(TokenInventoryFilter.NoExpiration)).Should().Equal("Spare");
        (await NamesAsync(TokenInventoryFilter.NotUsedFor90Days)).Should().Equal("Old and unused");
        (await NamesAsync(TokenInventoryFilter.Revoked)).Should().Equal("Never expires");
    }

    [Fact]
    public async Task Search_by_account_or_token_name_sorts_and_pages()
    {
        var alice = await _database.CreateUserAsync(email: "alice@beats.test");
        var bob = await _database.CreateUserAsync(email: "bob@beats.test");
        for (var i = 0; i < 3; i++)
        {
            await CreateAsync(alice, $"Alice script {i}", Now.AddDays(10 - i));
            _database.Time.Advance(TimeSpan.FromMinutes(1));
        }

        await CreateAsync(bob, "Backup", null);

        var byAccount = await Inventory.SearchAsync(_staffId, new TokenInventoryRequest("ALICE@"));
        byAccount.TotalCount.Should().Be(3);
        byAccount.Items.Select(t => t.Name).Should().Equal("Alice script 2", "Alice script 1", "Alice script 0"); // newest first by default
        byAccount.Items.Should().OnlyContain(t => t.Email == "alice@beats.test" && t.Hint.StartsWith("bpat_"));
        (await Inventory.SearchAsync(_staffId, new TokenInventoryRequest("backup"))).Items.Should().ContainSingle().Which.Email.Should().Be("bob@beats.test");

        var byExpiry = await Inventory.SearchAsync(_staffId, new TokenInventoryRequest("script", SortBy: TokenInventorySort.Expires, Descending: false));
        byExpiry.Items.Select(t => t.Name).Should().Equal("Alice script 2", "Alice script 1", "Alice script 0");

        var second = await Inventory.SearchAsync(_staffId, new TokenInventoryRequest(Page: 1, PageSize: 2, SortBy: TokenInventorySort.Created, Descending: false));
        second.TotalCount.Should().Be(4);
        second.Items.Select(t => t.Name).Should().Equal("Alice script 2", "Backup");
    }

    [Theory]
    [InlineData(TokenInventorySort.Created)]
    [InlineData(TokenInventorySort.LastUsed)]
    [InlineData(TokenInventorySort.Expires)]
    public async Task A_page_read_through_the_sort_index_and_one_sorted_from_the_matches_agree(TokenInventorySort sort)
    {
        var holder = await _database.CreateUserAsync(email: "scripts@beats.test");
        for (var i = 0; i < 10; i++)
        {
            var created = await CreateAsync(holder, $"Script {i}", i % 3 == 0 ? null : Now.AddDays(20 - i));
            if (i % 2 == 0)
            {
                (await _database.AuthenticateAsync(created.PlainText)).Should().NotBeNull();
            }

            await _database.WriteTokenUsesAsync();
            _database.Time.Advance(TimeSpan.FromMinutes(1));
        }

        // One page of all ten: few enough matches to be sorted. Ten pages of one: each read by walking the index.
        var sortedAtOnce = await Inventory.SearchAsync(_staffId, new TokenInventoryRequest("script", SortBy: sort, PageSize: 25));
        var walked = new List<string>();
        for (var page = 0; page < 10; page++)
        {
            walked.AddRange((await Inventory.SearchAsync(_staffId, new TokenInventoryRequest("script", Page: page, PageSize: 1, SortBy: sort))).Items.Select(t => t.Name));
        }

        sortedAtOnce.Items.Select(t => t.Name).Should().Equal(walked);
        walked.Should().OnlyHaveUniqueItems().And.HaveCount(10);
    }

    [Fact]
    public async Task Never_sorts_as_the_oldest_use_and_the_latest_expiry_on_both_databases()
    {
        var holder = await _database.CreateUserAsync(email: "never@beats.test");
        var used = await CreateAsync(holder, "Used, expires", Now.AddDays(10));
        await CreateAsync(holder, "Unused, never expires", null);
        (await _database.AuthenticateAsync(used.PlainText)).Should().NotBeNull();
        await _database.WriteTokenUsesAsync();

        async Task<string> FirstAsync(TokenInventorySort sort, bool descending) =>
            (await Inventory.SearchAsync(_staffId, new TokenInventoryRequest(SortBy: sort, Descending: descending))).Items[0].Name;

        (await FirstAsync(TokenInventorySort.LastUsed, descending: true)).Should().Be("Used, expires");
        (await FirstAsync(TokenInventorySort.LastUsed, descending: false)).Should().Be("Unused, never expires");
        (await FirstAsync(TokenInventorySort.Expires, descending: false)).Should().Be("Used, expires");
        (await FirstAsync(TokenInventorySort.Expires, descending: true)).Should().Be("Unused, never expires");
        var accounts = _services.GetRequiredService<AccountsQuery>();
        var byLastUse = await accounts.SearchAsync(_staffId, new AccountQuery(SortBy: AccountSort.LastApiUse, Descending: true));
        byLastUse.Items[0].Email.Should().Be("never@beats.test", "the only account that used the API comes first");
    }

    [Fact]
    public async Task Only_staff_see_the_inventory_and_revoke_a_token()
    {
        var holder = await _database.CreateUserAsync();
        var token = await CreateAsync(holder, "Holder's", null);
        var notStaff = await _database.CreateUserAsync();

        await FluentActions.Awaiting(() => Inventory.SearchAsync(notStaff, new TokenInventoryRequest())).Should().ThrowAsync<StaffOnlyException>();
        await FluentActions.Awaiting(() => Access.RevokeTokenAsync(holder, token.Summary.Id, "Mine anyway.")).Should().ThrowAsync<StaffOnlyException>();
        await FluentActions.Awaiting(() => Access.RevokeTokenAsync(notStaff, token.Summary.Id, "Not yours.")).Should().ThrowAsync<StaffOnlyException>();

        (await _database.AuthenticateAsync(token.PlainText)).Should().NotBeNull();
        (await _tokens.ListAsync(holder)).Single().IsRevoked.Should().BeFalse();
    }

    [Fact]
    public async Task A_staff_revoke_stops_the_token_at_once_tells_the_holder_why_and_is_audited()
    {
        var holder = await _database.CreateUserAsync(email: "holder@beats.test");
        var token = await CreateAsync(holder, "Build server", null);
        (await _database.AuthenticateAsync(token.PlainText)).Should().NotBeNull("the token is now cached");

        await Access.RevokeTokenAsync(_staffId, token.Summary.Id, "  It was pasted in a public forum.  ");

        (await _database.Authenticator.AuthenticateAsync(token.PlainText)).Status.Should().Be(ApiTokenStatus.Revoked);
        var listed = (await _tokens.ListAsync(holder)).Single();
        listed.RevokedReason.Should().Be("BeatPass staff revoked it: It was pasted in a public forum.");
        await using var db = _database.CreateDbContext();
        var mail = await db.OutgoingEmails.SingleAsync();
        mail.To.Should().Be("holder@beats.test");
        mail.Body.Should().Contain("\"Build server\"").And.Contain("It was pasted in a public forum.");
        (await db.AuditEvents.SingleAsync(e => e.Action == AuditAction.TokenRevoked)).Should().BeEquivalentTo(new
        {
            ActorUserId = _staffId, SubjectUserId = holder, TokenName = "Build server",
        });

        await FluentActions.Awaiting(() => Access.RevokeTokenAsync(_staffId, token.Summary.Id, "Again."))
            .Should().ThrowAsync<InvalidOperationException>().WithMessage("This token was already revoked.");
        await FluentActions.Awaiting(() => Access.RevokeTokenAsync(_staffId, Guid.NewGuid(), "Gone."))
            .Should().ThrowAsync<KeyNotFoundException>();
    }

    [Theory]
    [InlineData("", "Give the holder a reason")]
    [InlineData("   ", "Give the holder a reason")]
    [InlineData("Two\nlines", "control characters")]
    public async Task A_revoke_without_a_good_reason_is_refused_and_changes_nothing(string reason, string message)
    {
        var holder = await _database.CreateUserAsync();
        var token = await CreateAsync(holder, "Kept", null);

        var revoke = () => Access.RevokeTokenAsync(_staffId, token.Summary.Id, reason);

        (await revoke.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Contain(message);
        DeveloperAccessService.ValidateRevokeReason(new string('a', 401)).Should().Contain("400 characters at most");
        DeveloperAccessService.ValidateRevokeReason(new string('a', 400)).Should().BeNull();
        (await _database.AuthenticateAsync(token.PlainText)).Should().NotBeNull();
        await using var db = _database.CreateDbContext();
        (await db.OutgoingEmails.CountAsync(m => m.Subject.Contains("revoked"))).Should().Be(0);
    }

    private async Task<CreatedApiToken> CreateAsync(string userId, string name, DateTime? expiresAt)
    {
        var result = await _tokens.CreateAsync(userId, name, expiresAt);
        result.Succeeded.Should().BeTrue(result.ErrorMessage);
        await using var db = _database.CreateDbContext();
        await db.OutgoingEmails.ExecuteDeleteAsync(); // each test reads only the emails it is about
        return result.Token!;
    }
}

public sealed class TokenInventoryTestsOnSqlite() : TokenInventoryTests(DatabaseProvider.Sqlite);

public sealed class TokenInventoryTestsOnPostgreSql() : TokenInventoryTests(DatabaseProvider.PostgreSQL);

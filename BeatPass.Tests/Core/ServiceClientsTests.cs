using System.Security.Cryptography;
using System.Text;
using BeatPass.Core.ApiTokens;
using BeatPass.Core.Audit;
using BeatPass.Core.Data;
using BeatPass.Core.DeveloperAccess;
using BeatPass.Core.Services;
using BeatPass.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace BeatPass.Tests.Core;

public abstract class ServiceClientsTests(DatabaseProvider provider) : IAsyncLifetime
{
    private TestDatabase _database = null!;
    private string _staffId = "";

    private ServiceClients Services => _database.ServiceClients;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(provider: provider);
        _staffId = await _database.CreateStaffAsync();
    }

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task Staff_register_a_service_whose_secret_is_shown_once_and_stored_only_as_its_hash()
    {
        var (added, error) = await Services.AddAsync(_staffId, "  library-api ");

        error.Should().BeNull();
        added!.Service.Name.Should().Be("library-api");
        added.Service.ClientId.Should().MatchRegex("^bpsc_[0-9A-Za-z]{20}$");
        added.Secret.Should().MatchRegex("^bpss_[0-9A-Za-z]{40}$");
        await using var db = _database.CreateDbContext();
        var stored = await db.ServiceClients.SingleAsync();
        stored.SecretHash.Should().Equal(SHA256.HashData(Encoding.ASCII.GetBytes(added.Secret)));
        (await Services.ListAsync(_staffId)).Should().Equal(added.Service);
        (await Services.AuthenticateAsync(added.Service.ClientId, added.Secret)).Should().Be(new ServiceClientIdentity(stored.Id, "library-api"));
        var audit = await db.AuditEvents.SingleAsync();
        (audit.Action, audit.ActorUserId, audit.SubjectUserId, audit.Detail)
            .Should().Be((AuditAction.ServiceAdded, _staffId, "service:library-api", $"Client id {added.Service.ClientId}"));
        (await _database.CreateAuditFeed().RecentAsync(_staffId, null)).Single().Subject.Should().Be("Service library-api");
    }

    [Theory]
    [InlineData("ab", "2 characters")]
    [InlineData("a123456789012345678901234567890123456789012345678901234567890", "61 characters")]
    [InlineData("   ", "whitespace")]
    [InlineData("Library", "upper case")]
    [InlineData("library api", "a space")]
    [InlineData("lib\u0000rary", "a control character")]
    [InlineData("-library", "a leading dash")]
    [InlineData("библиотека", "other letters")]
    public async Task A_bad_name_gets_the_rule_and_nothing_is_stored(string name, string because)
    {
        var (added, error) = await Services.AddAsync(_staffId, name);

        added.Should().BeNull(because);
        error.Should().Be(ServiceClientFormat.NameRule, because);
        await using var db = _database.CreateDbContext();
        (await db.ServiceClients.CountAsync()).Should().Be(0, because);
        (await db.AuditEvents.CountAsync()).Should().Be(0, because);
    }

    [Fact]
    public async Task Names_of_60_and_3_characters_are_accepted_and_a_name_in_use_is_refused()
    {
        (await Services.AddAsync(_staffId, "a" + new string('b', 59))).Error.Should().BeNull();
        (await Services.AddAsync(_staffId, "abc")).Error.Should().BeNull();

        var (added, error) = await Services.AddAsync(_staffId, "abc");

        added.Should().BeNull();
        error.Should().Be("A service called abc is already registered. Choose another name, or revoke that one first.");
        (await Services.ListAsync(_staffId)).Should().HaveCount(2);
    }

    [Fact]
    public async Task Two_registrations_of_one_name_at_once_register_it_once()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => Services.AddAsync(_staffId, "double-click"))));

        results.Count(r => r.Added is not null).Should().Be(1);
        results.Where(r => r.Added is null).Should().AllSatisfy(r => r.Error.Should().Contain("already registered"));
        (await Services.ListAsync(_staffId)).Should().ContainSingle();
    }

    [Fact]
    public async Task Only_staff_may_list_register_or_revoke_services_whatever_the_page_did()
    {
        var (added, _) = await Services.AddAsync(_staffId, "library-api");
        var userId = await _database.CreateUserAsync();

        await FluentActions.Awaiting(() => Services.ListAsync(userId)).Should().ThrowAsync<StaffOnlyException>();
        await FluentActions.Awaiting(() => Services.AddAsync(userId, "sneaky")).Should().ThrowAsync<StaffOnlyException>();
        await FluentActions.Awaiting(() => Services.RevokeAsync(userId, added!.Service.Id)).Should().ThrowAsync<StaffOnlyException>();

        (await Services.ListAsync(_staffId)).Should().Equal(added!.Service);
        (await Services.AuthenticateAsync(added.Service.ClientId, added.Secret)).Should().NotBeNull();
    }

    [Fact]
    public async Task A_revoked_service_stops_at_once_and_a_second_revoke_says_it_is_gone()
    {
        var (added, _) = await Services.AddAsync(_staffId, "library-api");
        (await Services.AuthenticateAsync(added!.Service.ClientId, added.Secret)).Should().NotBeNull(); // now kept in memory

        await Services.RevokeAsync(_staffId, added.Service.Id);

        (await Services.AuthenticateAsync(added.Service.ClientId, added.Secret)).Should().BeNull();
        await FluentActions.Awaiting(() => Services.RevokeAsync(_staffId, added.Service.Id))
            .Should().ThrowAsync<KeyNotFoundException>().WithMessage("That service is no longer registered.");
        await using var db = _database.CreateDbContext();
        (await db.AuditEvents.OrderBy(e => e.Id).Select(e => e.Action).ToListAsync())
            .Should().Equal(AuditAction.ServiceAdded, AuditAction.ServiceRevoked);
    }

    [Fact]
    public async Task Wrong_credentials_fail_and_a_secret_of_the_wrong_form_costs_no_query()
    {
        var (added, _) = await Services.AddAsync(_staffId, "library-api");
        var (other, _) = await Services.AddAsync(_staffId, "catalog-api");
        (await Services.AuthenticateAsync(added!.Service.ClientId, added.Secret)).Should().NotBeNull();

        (await Services.AuthenticateAsync(added.Service.ClientId, other!.Secret)).Should().BeNull();
        (await Services.AuthenticateAsync(other.Service.ClientId, added.Secret)).Should().BeNull();
        (await Services.AuthenticateAsync(ServiceClientFormat.NewClientId(), added.Secret)).Should().BeNull();
        await LastUseWrittenAsync(added.Service.Id); // written off the request: not a query of what follows
        using var commands = _database.Commands.Start(_ => true);
        (await Services.AuthenticateAsync(added.Service.ClientId, added.Secret[..^1])).Should().BeNull();
        (await Services.AuthenticateAsync(added.Service.ClientId, ApiTokenFormat.Generate())).Should().BeNull();
        (await Services.AuthenticateAsync("not-a-client-id", added.Secret)).Should().BeNull();
        commands.Count.Should().Be(0);
    }

    private Task LastUseWrittenAsync(Guid serviceId) => Wait.UntilAsync(async () =>
    {
        await using var db = _database.CreateDbContext();
        return await db.ServiceClients.AnyAsync(s => s.Id == serviceId && s.LastUsedAt != null);
    }, TimeSpan.FromSeconds(10), "the use is written within moments");

    [Fact]
    public async Task A_service_registered_from_the_command_line_is_audited_as_the_command_line()
    {
        var (added, _) = await Services.AddFromCommandLineAsync("search-api");

        added.Should().NotBeNull();
        var feed = await _database.CreateAuditFeed().RecentAsync(_staffId, null);
        feed.Single().Should().Match<AuditEntry>(e => e.Actor == "BeatPass command line" && e.Action == AuditAction.ServiceAdded);
    }
}

public sealed class ServiceClientsTestsOnSqlite() : ServiceClientsTests(DatabaseProvider.Sqlite);

public sealed class ServiceClientsTestsOnPostgreSql() : ServiceClientsTests(DatabaseProvider.PostgreSQL);

public sealed class ExtraPermissionsTests
{
    [Fact]
    public void Bad_duplicate_or_built_in_names_are_named_with_their_entry()
    {
        var problems = ApiPermissionCatalog.Problems(
        [
            new() { Name = "library:read", Area = "Library", Description = "Read your library." },
            new() { Name = "Library:Read", Area = "Library", Description = "Upper case." },
            new() { Name = "library:read", Area = "Library", Description = "Twice." },
            new() { Name = "tokens:read", Area = "Tokens", Description = "Built in." },
            new() { Name = "uploads", Area = "Uploads", Description = "No action." },
            new() { Name = "uploads:write", Area = "Uploads" },
            new() { Area = "Nameless", Description = "No name." },
        ]);

        problems.Should().Equal(
            "ApiTokens:ExtraPermissions:1 Name \"Library:Read\" is not area:action (lower-case letters, digits and dashes, each part starting with a letter).",
            "ApiTokens:ExtraPermissions:2 Name \"library:read\" is declared twice.",
            "ApiTokens:ExtraPermissions:3 Name \"tokens:read\" is a built-in permission.",
            "ApiTokens:ExtraPermissions:4 Name \"uploads\" is not area:action (lower-case letters, digits and dashes, each part starting with a letter).",
            "ApiTokens:ExtraPermissions:5 \"uploads:write\" has no Description.",
            "ApiTokens:ExtraPermissions:6 has no Name.");
    }

    [Fact]
    public void A_permission_no_longer_declared_is_inert_on_the_tokens_that_hold_it()
    {
        var declared = ApiPermissionCatalog.WithExtra([new() { Name = "library:read", Area = "Library", Description = "Read your library." }]);
        var removed = ApiPermissionCatalog.WithExtra([]);

        declared.Effective("account:read library:read", isStaff: false).Should().Be("account:read library:read");
        removed.Effective("account:read library:read", isStaff: false).Should().Be("account:read");
        removed.TryNormalize(["library:read"], isStaff: false, out _, out var error).Should().BeFalse();
        error.Should().Be("There is no permission called \"library:read\".");
    }
}

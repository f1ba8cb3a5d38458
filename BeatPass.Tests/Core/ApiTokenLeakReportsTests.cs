using System.Diagnostics;
using BeatPass.Core.ApiTokens;
using BeatPass.Core.Audit;
using BeatPass.Core.Data;
using BeatPass.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace BeatPass.Tests.Core;

public abstract class ApiTokenLeakReportsTests(DatabaseProvider provider, ITestOutputHelper output) : IAsyncLifetime
{
    private const string DevelopersPage = "https://settings.beatpass.test/account/settings/developers";
    private const string FoundAt = "https://github.com/someone/app/blob/0123abc/config.py";

    private TestDatabase _database = null!;
    private ApiTokenService _tokens = null!;
    private ApiTokenLeakReports _reports = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(provider: provider);
        _tokens = _database.CreateTokenService();
        _reports = _database.CreateLeakReports();
    }

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task A_working_token_GitHub_found_is_revoked_at_once_listed_with_where_audited_and_its_holder_emailed_once()
    {
        var email = TestUsers.NewEmail();
        var holder = await _database.CreateUserAsync(email: email);
        var created = (await _tokens.CreateAsync(holder, "CI deploy")).Token!;
        (await _database.AuthenticateAsync(created.PlainText)).Should().NotBeNull("the token works and is now cached");

        var issued = await _reports.ReportAsync(LeakReporter.GitHubSecretScanning, [new ReportedSecret(created.PlainText, FoundAt, "commit")], DevelopersPage);

        issued.Should().Equal(true);
        (await _database.AuthenticateAsync(created.PlainText)).Should().BeNull("a revoked token stops working at once, cached or not");
        var listed = (await _tokens.ListAsync(holder)).Should().ContainSingle().Subject;
        listed.IsRevoked.Should().BeTrue();
        listed.RevokedReason.Should().Be(ApiTokenLeakReports.FoundInPublicReason);
        listed.RevokedFoundAt.Should().Be(FoundAt);

        await using var db = _database.CreateDbContext();
        var revoked = await db.AuditEvents.SingleAsync(e => e.Action == AuditAction.TokenRevoked);
        revoked.ActorUserId.Should().Be(Actor.GitHubSecretScanning.Id, "BeatPass itself acted, not a person");
        revoked.SubjectUserId.Should().Be(holder);
        revoked.TokenName.Should().Be("CI deploy");
        revoked.Detail.Should().Contain("GitHub secret scanning").And.Contain(FoundAt).And.Contain("(in: commit)");
        var mail = await db.OutgoingEmails.SingleAsync(m => m.Subject.Contains("found in public"));
        mail.To.Should().Be(email);
        mail.Body.Should().Contain("\"CI deploy\"").And.Contain(FoundAt).And.Contain(DevelopersPage).And.NotContain(created.PlainText);

        var staffView = await _database.CreateAuditFeed().RecentAsync(await _database.CreateStaffAsync(), null);
        staffView.Should().ContainSingle(e => e.Action == AuditAction.TokenRevoked).Which.Actor.Should().Be("GitHub secret scanning");
    }

    [Fact]
    public async Task The_same_report_again_changes_nothing_and_sends_nothing()
    {
        var holder = await _database.CreateUserAsync();
        var created = (await _tokens.CreateAsync(holder, "Twice")).Token!;
        var report = new ReportedSecret(created.PlainText, FoundAt);
        await _reports.ReportAsync(LeakReporter.GitHubSecretScanning, [report], DevelopersPage);
        var revokedAt = (await _tokens.ListAsync(holder)).Single().RevokedAt;
        var before = await CountEventsAndEmailsAsync();
        _database.Time.Advance(TimeSpan.FromMinutes(5));

        var again = await _reports.ReportAsync(LeakReporter.GitHubSecretScanning, [report, report], DevelopersPage);
        var publicly = await _reports.ReportAsync(LeakReporter.PublicRevocation, [report], DevelopersPage);

        again.Should().Equal(true, true);
        publicly.Should().Equal(true);
        (await CountEventsAndEmailsAsync()).Should().Be(before);
        (await _tokens.ListAsync(holder)).Single().RevokedAt.Should().Be(revokedAt);
    }

    [Fact]
    public async Task An_old_secret_is_told_once_and_leaves_the_token_working()
    {
        var email = TestUsers.NewEmail();
        var holder = await _database.CreateUserAsync(email: email);
        var created = (await _tokens.CreateAsync(holder, "Rotated")).Token!;
        var regenerated = (await _tokens.RegenerateAsync(holder, created.Summary.Id)).Token!;
        var before = await CountEventsAndEmailsAsync();

        var issued = await _reports.ReportAsync(LeakReporter.GitHubSecretScanning, [new ReportedSecret(created.PlainText, FoundAt)], DevelopersPage);
        var again = await _reports.ReportAsync(LeakReporter.GitHubSecretScanning, [new ReportedSecret(created.PlainText, FoundAt)], DevelopersPage);

        issued.Should().Equal(true);
        again.Should().Equal(true);
        (await _database.AuthenticateAsync(regenerated.PlainText)).Should().NotBeNull("the current secret was not exposed");
        (await _tokens.ListAsync(holder)).Single().IsRevoked.Should().BeFalse();
        (await CountEventsAndEmailsAsync()).Should().Be((before.Events + 1, before.Emails + 1), "it is told once");
        await using var db = _database.CreateDbContext();
        var told = await db.AuditEvents.SingleAsync(e => e.Action == AuditAction.OldSecretReported);
        told.Detail.Should().Contain("old secret").And.Contain(FoundAt);
        var mail = await db.OutgoingEmails.SingleAsync(m => m.Subject.Contains("old secret"));
        mail.To.Should().Be(email);
        mail.Body.Should().Contain("an old secret of the API token \"Rotated\"").And.Contain(FoundAt).And.Contain("still works");
    }

    [Fact]
    public async Task A_public_report_revokes_with_its_own_reason_and_no_address()
    {
        var holder = await _database.CreateUserAsync();
        var created = (await _tokens.CreateAsync(holder, "Pasted")).Token!;

        // Only GitHub's verified alerts may say where: an anonymous reporter's address is not shown to the holder.
        var issued = await _reports.ReportAsync(LeakReporter.PublicRevocation, [new ReportedSecret(created.PlainText, "https://evil.example/")], DevelopersPage);

        issued.Should().Equal(true);
        var listed = (await _tokens.ListAsync(holder)).Single();
        listed.RevokedReason.Should().Be(ApiTokenLeakReports.ReportedReason);
        listed.RevokedFoundAt.Should().BeNull();
        await using var db = _database.CreateDbContext();
        (await db.AuditEvents.SingleAsync(e => e.Action == AuditAction.TokenRevoked)).ActorUserId.Should().Be(Actor.PublicReport.Id);
        (await db.OutgoingEmails.SingleAsync(m => m.Subject.Contains("reported as exposed"))).Body.Should().Contain("\"Pasted\"").And.Contain(DevelopersPage);
    }

    [Theory]
    [InlineData("javascript:alert(1)")]
    [InlineData("file:///etc/passwd")]
    [InlineData("not an address")]
    public async Task An_address_that_is_not_http_is_not_kept(string foundAt)
    {
        var holder = await _database.CreateUserAsync();
        var created = (await _tokens.CreateAsync(holder, "Odd address")).Token!;

        await _reports.ReportAsync(LeakReporter.GitHubSecretScanning, [new ReportedSecret(created.PlainText, foundAt)], DevelopersPage);

        var listed = (await _tokens.ListAsync(holder)).Single();
        listed.IsRevoked.Should().BeTrue();
        listed.RevokedFoundAt.Should().BeNull();
    }

    [Fact]
    public async Task Secrets_BeatPass_did_not_issue_are_false_and_cost_no_query()
    {
        var holder = await _database.CreateUserAsync();
        var created = (await _tokens.CreateAsync(holder, "Kept")).Token!;
        var untouched = created.PlainText[..^1] + (created.PlainText[^1] == 'a' ? 'b' : 'a'); // checksum no longer matches
        string[] madeUp = ["some_token", "", ApiTokenFormat.Generate(), ApiTokenFormat.Generate(), untouched];

        using var commands = _database.Commands.Start(_ => true);
        var issued = await _reports.ReportAsync(LeakReporter.PublicRevocation, [.. madeUp.Select(t => new ReportedSecret(t))], DevelopersPage);

        issued.Should().AllBeEquivalentTo(false);
        commands.Count.Should().Be(0, "a wrong form or a tag this installation did not make is refused without the database");
        (await _database.AuthenticateAsync(created.PlainText)).Should().NotBeNull();
    }

    [Fact]
    public async Task A_deleted_tokens_secret_is_false_and_changes_nothing()
    {
        var holder = await _database.CreateUserAsync();
        var created = (await _tokens.CreateAsync(holder, "Gone")).Token!;
        await _tokens.DeleteAsync(holder, created.Summary.Id);
        var before = await CountEventsAndEmailsAsync();

        var issued = await _reports.ReportAsync(LeakReporter.GitHubSecretScanning, [new ReportedSecret(created.PlainText, FoundAt)], DevelopersPage);

        issued.Should().Equal(false);
        (await CountEventsAndEmailsAsync()).Should().Be(before);
    }

    [Fact]
    public async Task One_report_of_1000_secrets_revokes_each_of_many_accounts_tokens_and_emails_each_once()
    {
        const int Accounts = 50, TokensEach = 10;
        var real = new List<string>();
        for (var account = 0; account < Accounts; account++)
        {
            real.AddRange(await AddTokensAsync(await _database.CreateUserAsync(), TokensEach));
        }

        var secrets = real.Concat(Enumerable.Range(0, 1000 - real.Count).Select(_ => ApiTokenFormat.Generate()))
            .OrderBy(_ => Random.Shared.Next()).ToList();
        var before = await CountEventsAndEmailsAsync();

        var stopwatch = Stopwatch.StartNew();
        var issued = await _reports.ReportAsync(LeakReporter.GitHubSecretScanning, [.. secrets.Select(s => new ReportedSecret(s, FoundAt))], DevelopersPage);
        output.WriteLine($"{provider}: 1,000 secrets, {real.Count} of them working tokens of {Accounts} accounts, reported in {stopwatch.ElapsedMilliseconds} ms");

        issued.Select((isIssued, i) => (isIssued, secrets[i])).Should().OnlyContain(x => x.isIssued == real.Contains(x.Item2));
        (await CountEventsAndEmailsAsync()).Should().Be((before.Events + real.Count, before.Emails + real.Count));
        await using var db = _database.CreateDbContext();
        (await db.ApiTokens.CountAsync(t => t.RevokedAt == null)).Should().Be(0);
        foreach (var token in real.Take(20))
        {
            (await _database.AuthenticateAsync(token)).Should().BeNull();
        }
    }

    /// <summary>Tokens made straight into the database, as many as a test needs in one write; their secrets.</summary>
    private async Task<List<string>> AddTokensAsync(string userId, int count)
    {
        var secrets = new List<string>();
        for (var i = 0; i < count; i++)
        {
            secrets.Add(await _database.Issuer.GenerateAsync());
        }

        await using var db = _database.CreateDbContext();
        db.ApiTokens.AddRange(TestTokens.Rows(userId, secrets, _database.Time.GetUtcNow().UtcDateTime));
        await db.SaveChangesAsync();
        return secrets;
    }

    private async Task<(int Events, int Emails)> CountEventsAndEmailsAsync()
    {
        await using var db = _database.CreateDbContext();
        return (await db.AuditEvents.CountAsync(), await db.OutgoingEmails.CountAsync());
    }
}

public sealed class ApiTokenLeakReportsTestsOnSqlite(ITestOutputHelper output) : ApiTokenLeakReportsTests(DatabaseProvider.Sqlite, output);

public sealed class ApiTokenLeakReportsTestsOnPostgreSql(ITestOutputHelper output) : ApiTokenLeakReportsTests(DatabaseProvider.PostgreSQL, output);

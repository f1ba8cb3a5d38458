using BeatPass.Core.Data;
using BeatPass.Core.ApiTokens;
using BeatPass.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace BeatPass.Tests.Email;

/// <summary>The expiry emails, queued by the job as time moves: each once, even across restarts and racing runs.</summary>
public abstract class TokenExpiryNoticeTests(DatabaseProvider provider) : IAsyncLifetime
{
    private TestDatabase _db = null!;

    public async Task InitializeAsync() => _db = await TestDatabase.CreateAsync(provider: provider);

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task A_30_day_token_gets_a_7_day_a_1_day_and_an_expired_email_each_once()
    {
        var userId = await _db.CreateUserAsync();
        var now = _db.Time.GetUtcNow().UtcDateTime;
        await CreateAsync(userId, "Nightly export", ApiTokenExpiration.InDays(now, 30));

        (await RunTwiceAsync()).Should().Equal(new[] { 0, 0 }, "8 days ahead of expiry nothing is due");
        _db.Time.Advance(TimeSpan.FromDays(22));
        (await RunTwiceAsync()).Should().Equal(0, 0);
        _db.Time.Advance(TimeSpan.FromDays(1) + TimeSpan.FromMinutes(1));
        (await RunTwiceAsync()).Should().Equal(1, 0);
        _db.Time.Advance(TimeSpan.FromDays(6));
        (await RunTwiceAsync()).Should().Equal(1, 0);
        _db.Time.Advance(TimeSpan.FromDays(1));
        (await RunTwiceAsync()).Should().Equal(1, 0);
        _db.Time.Advance(TimeSpan.FromDays(30));
        (await RunTwiceAsync()).Should().Equal(0, 0);

        var subjects = await QueuedSubjectsAsync();
        subjects.Should().Equal(
            "An API token on your BeatPass account expires in 7 days",
            "An API token on your BeatPass account expires in 1 day",
            "An API token on your BeatPass account has expired");
        await using var db = _db.CreateDbContext();
        var bodies = await db.OutgoingEmails.Where(e => e.Subject.Contains("expire")).Select(e => e.Body).ToListAsync();
        bodies.Should().AllSatisfy(body => body.Should().Contain("\"Nightly export\"").And.Contain("Account Settings > Developers"));
    }

    [Fact]
    public async Task Two_runs_at_once_on_separate_instances_queue_each_email_once()
    {
        var userId = await _db.CreateUserAsync();
        var now = _db.Time.GetUtcNow().UtcDateTime;
        for (var i = 0; i < 10; i++)
        {
            await CreateAsync(userId, $"Token {i}", ApiTokenExpiration.InDays(now, 30));
        }

        _db.Time.Advance(TimeSpan.FromDays(29.5));
        var counts = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => _db.CreateExpiryNotices().SendDueAsync())));

        counts.Sum().Should().Be(10);
        (await QueuedSubjectsAsync()).Should().HaveCount(10).And.OnlyContain(s => s.EndsWith("expires in 1 day"));
    }

    [Fact]
    public async Task A_7_day_token_gets_no_7_day_reminder_and_a_regenerated_one_starts_its_reminders_again()
    {
        var userId = await _db.CreateUserAsync();
        var now = _db.Time.GetUtcNow().UtcDateTime;
        var token = await CreateAsync(userId, "Short lived", ApiTokenExpiration.InDays(now, 7));

        (await RunTwiceAsync()).Should().Equal(new[] { 0, 0 }, "a token made to last 7 days needs no reminder that it does");
        _db.Time.Advance(TimeSpan.FromDays(6.5));
        (await RunTwiceAsync()).Should().Equal(1, 0);
        _db.Time.Advance(TimeSpan.FromDays(1));
        (await RunTwiceAsync()).Should().Equal(1, 0);

        var regenerated = await _db.CreateTokenService().RegenerateAsync(userId, token.Summary.Id);
        regenerated.Succeeded.Should().BeTrue();
        (await RunTwiceAsync()).Should().Equal(0, 0);
        _db.Time.Advance(TimeSpan.FromDays(6.5));
        (await RunTwiceAsync()).Should().Equal(new[] { 1, 0 }, "the new secret's lifetime earns its own reminder");
    }

    [Fact]
    public async Task Tokens_that_never_expire_get_no_email()
    {
        var userId = await _db.CreateUserAsync();
        await CreateAsync(userId, "Forever", expiresAt: null);
        _db.Time.Advance(TimeSpan.FromDays(400));

        (await RunTwiceAsync()).Should().Equal(0, 0);
    }

    [Fact]
    public async Task A_revoked_token_gets_no_reminder()
    {
        var userId = await _db.CreateUserAsync();
        var token = await CreateAsync(userId, "Revoked", ApiTokenExpiration.InDays(_db.Time.GetUtcNow().UtcDateTime, 30));
        await using (var db = _db.CreateDbContext())
        {
            await db.ApiTokens.Where(t => t.Id == token.Summary.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, _db.Time.GetUtcNow().UtcDateTime));
        }

        _db.Time.Advance(TimeSpan.FromDays(24));
        (await RunTwiceAsync()).Should().Equal(0, 0);
        _db.Time.Advance(TimeSpan.FromDays(7));
        (await RunTwiceAsync()).Should().Equal(0, 0);
    }

    /// <summary>Runs the job twice, each time as a new instance (a restart), and says how many emails each queued.</summary>
    private async Task<int[]> RunTwiceAsync() =>
        [await _db.CreateExpiryNotices().SendDueAsync(), await _db.CreateExpiryNotices().SendDueAsync()];

    private async Task<CreatedApiToken> CreateAsync(string userId, string name, DateTime? expiresAt)
    {
        var result = await _db.CreateTokenService().CreateAsync(userId, name, expiresAt);
        result.Succeeded.Should().BeTrue(result.ErrorMessage);
        return result.Token!;
    }

    /// <summary>The subjects queued by the job, leaving out the "token created" and "regenerated" notices.</summary>
    private async Task<List<string>> QueuedSubjectsAsync()
    {
        await using var db = _db.CreateDbContext();
        return await db.OutgoingEmails.OrderBy(e => e.Id).Select(e => e.Subject)
            .Where(s => s.Contains("expire")).ToListAsync();
    }
}

public sealed class TokenExpiryNoticeTestsOnSqlite() : TokenExpiryNoticeTests(DatabaseProvider.Sqlite);

public sealed class TokenExpiryNoticeTestsOnPostgreSql() : TokenExpiryNoticeTests(DatabaseProvider.PostgreSQL);

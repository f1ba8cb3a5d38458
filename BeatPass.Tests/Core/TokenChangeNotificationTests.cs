using System.Collections.Concurrent;
using System.Net;
using BeatPass.Core.ApiTokens;
using BeatPass.Core.Data;
using BeatPass.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace BeatPass.Tests.Core;

/// <summary>
/// The PostgreSQL triggers that tell every node which account's tokens changed (migration TokenChangeNotifications),
/// heard on a LISTEN connection of the test's own. What must not notify is shown by a later change that must: the
/// channel delivers in commit order, so the later change's notification arrives first only if nothing came before it.
/// </summary>
public sealed class TokenChangeNotificationTests : IAsyncLifetime
{
    private readonly ConcurrentQueue<string> _received = new();
    private TestDatabase _db = null!;
    private NpgsqlConnection _listener = null!;

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync(provider: DatabaseProvider.PostgreSQL);
        _listener = new NpgsqlConnection(_db.PostgreSqlConnectionString);
        await _listener.OpenAsync();
        _listener.Notification += (_, notification) =>
        {
            notification.Channel.Should().Be(PostgreSqlDialect.AccountChangesChannel);
            // "userId epochMilliseconds": the account, and when the changing transaction began (for the delay metric).
            var parts = notification.Payload.Split(' ');
            parts.Should().HaveCount(2, notification.Payload);
            DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(parts[1])).Should().BeCloseTo(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(1));
            _received.Enqueue(parts[0]);
        };
        await using var listen = new NpgsqlCommand($"LISTEN {PostgreSqlDialect.AccountChangesChannel}", _listener);
        await listen.ExecuteNonQueryAsync();
    }

    public async Task DisposeAsync()
    {
        await _listener.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Fact]
    public async Task Creating_and_deleting_a_token_each_notify_its_owner()
    {
        var userId = await _db.CreateUserAsync();

        var created = (await _db.CreateTokenService().CreateAsync(userId, "Notified")).Token!;
        (await NextAsync()).Should().Be(userId);
        await _db.CreateTokenService().DeleteAsync(userId, created.Summary.Id);

        (await NextAsync()).Should().Be(userId);
    }

    [Fact]
    public async Task Revoking_access_notifies_the_account_once_however_many_tokens_it_deletes()
    {
        var userId = await _db.CreateUserAsync();
        var staffId = await _db.CreateStaffAsync();
        (await NextAsync()).Should().Be(staffId, "joining the Staff role changes what the account's tokens may do");
        for (var i = 0; i < 3; i++)
        {
            await _db.CreateTokenService().CreateAsync(userId, $"Token {i}");
            (await NextAsync()).Should().Be(userId);
        }

        await _db.CreateDeveloperAccessService().RevokeAsync(staffId, userId);

        (await NextAsync()).Should().Be(userId);
        await ExpectNothingBeforeTheNextChangeAsync();
    }

    [Fact]
    public async Task A_change_rolled_back_notifies_no_one()
    {
        var userId = await _db.CreateUserAsync();
        var token = (await _db.CreateTokenService().CreateAsync(userId, "Kept")).Token!;
        (await NextAsync()).Should().Be(userId);

        await using (var db = _db.CreateDbContext())
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            await db.ApiTokens.Where(t => t.Id == token.Summary.Id).ExecuteDeleteAsync();
            await transaction.RollbackAsync();
        }

        await ExpectNothingBeforeTheNextChangeAsync();
    }

    [Fact]
    public async Task Recording_a_tokens_last_use_notifies_no_one()
    {
        var userId = await _db.CreateUserAsync();
        var token = (await _db.CreateTokenService().CreateAsync(userId, "Used")).Token!;
        (await NextAsync()).Should().Be(userId);

        // With where from and with what: those columns are bookkeeping too.
        var caller = new ApiCaller(IPAddress.Parse("203.0.113.7"), "curl/8.5");
        (await _db.Authenticator.AuthenticateAsync(token.PlainText, caller)).Status.Should().Be(ApiTokenStatus.Valid);
        await _db.WriteTokenUsesAsync();
        await using (var db = _db.CreateDbContext())
        {
            (await db.ApiTokens.SingleAsync(t => t.Id == token.Summary.Id)).Should().BeEquivalentTo(
                new { LastUsedFrom = "203.0.113.7", LastUsedUserAgent = "curl/8.5" }, "the first use is written");
        }

        await ExpectNothingBeforeTheNextChangeAsync();
    }

    [Fact]
    public async Task Renaming_a_token_notifies_its_owner()
    {
        var userId = await _db.CreateUserAsync();
        var token = (await _db.CreateTokenService().CreateAsync(userId, "Before")).Token!;
        (await NextAsync()).Should().Be(userId);

        (await _db.CreateTokenService().EditAsync(userId, token.Summary.Id, "After", description: null)).Succeeded.Should().BeTrue();

        (await NextAsync()).Should().Be(userId);
    }

    /// <summary>
    /// The trigger runs for an UPDATE only when it sets a column listed in the trigger (migration
    /// TokenChangesSkipBookkeepingWrites), so that the last-used writer's updates cost it nothing: every column of
    /// ApiTokens must be listed there except the bookkeeping ones, or a change to it would go unheard on other nodes.
    /// </summary>
    [Fact]
    public async Task Every_column_but_the_bookkeeping_ones_wakes_the_trigger_when_set()
    {
        string[] bookkeeping = ["LastUsedAt", "LastUsedFrom", "LastUsedUserAgent", "LastUsedByService", "ExpiryNotice"];
        await using var db = _db.CreateDbContext();
        var columns = db.Model.FindEntityType(typeof(ApiToken))!.GetProperties().Select(p => p.GetColumnName()).ToList();
        columns.Should().Contain(bookkeeping, "the bookkeeping columns are still ApiTokens' own");

        var listened = await db.Database.SqlQueryRaw<string>("""
            SELECT a.attname AS "Value" FROM pg_trigger t
            JOIN pg_attribute a ON a.attrelid = t.tgrelid AND a.attnum = ANY (t.tgattr)
            WHERE t.tgname = 'ApiTokens_notify_change'
            """).ToListAsync();

        listened.Should().BeEquivalentTo(columns.Except(bookkeeping));
    }

    [Fact]
    public async Task Any_change_to_the_user_row_notifies_the_account()
    {
        var userId = await _db.CreateUserAsync();

        await _db.SetDeveloperAccessAsync(userId, false);

        (await NextAsync()).Should().Be(userId);
    }

    [Fact]
    public async Task Joining_and_leaving_the_staff_role_notify_the_account()
    {
        var staffId = await _db.CreateStaffAsync();
        (await NextAsync()).Should().Be(staffId);

        await using (var db = _db.CreateDbContext())
        {
            (await db.UserRoles.Where(r => r.UserId == staffId).ExecuteDeleteAsync()).Should().Be(1);
        }

        (await NextAsync()).Should().Be(staffId, "its staff-only permissions stop working on every node");
    }

    /// <summary>Commits a change for another account, and expects its notification to be the next one.</summary>
    private async Task ExpectNothingBeforeTheNextChangeAsync()
    {
        var sentinel = await _db.CreateUserAsync();
        await _db.SetDeveloperAccessAsync(sentinel, false);
        (await NextAsync()).Should().Be(sentinel);
    }

    private async Task<string> NextAsync()
    {
        string? payload;
        while (!_received.TryDequeue(out payload))
        {
            (await _listener.WaitAsync(TimeSpan.FromSeconds(10))).Should().BeTrue("a notification should arrive");
        }

        return payload;
    }
}

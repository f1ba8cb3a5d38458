using System.Data.Common;
using System.Net;
using System.Text;
using BeatPass.Core.ApiTokens;
using BeatPass.Core.Data;
using BeatPass.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace BeatPass.Tests.Core;

/// <summary>Last used, where from and with what: noted in memory on each use, written in batches off the request path.</summary>
public abstract class ApiTokenUsesTests(DatabaseProvider provider) : IAsyncLifetime
{
    private TestDatabase _database = null!;
    private ApiTokenService _tokens = null!;
    private string _userId = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(provider: provider);
        _tokens = _database.CreateTokenService();
        _userId = await _database.CreateUserAsync();
    }

    public async Task DisposeAsync() => await _database.DisposeAsync();

    private DateTime Now => _database.Time.GetUtcNow().UtcDateTime;

    [Fact]
    public async Task A_token_used_every_five_minutes_costs_no_query_after_its_first_use()
    {
        var token = await CreateAsync("Every five minutes");
        (await _database.AuthenticateAsync(token.PlainText)).Should().NotBeNull(); // the first use looks it up

        var uses = 0;
        using (var commands = _database.Commands.Start(_ => true))
        {
            for (var waited = TimeSpan.FromMinutes(5); waited < new ApiTokenOptions().CacheEntryLifetime; waited += TimeSpan.FromMinutes(5))
            {
                _database.Time.Advance(TimeSpan.FromMinutes(5));
                (await _database.AuthenticateAsync(token.PlainText)).Should().NotBeNull();
                uses++;
            }

            commands.Count.Should().Be(0, "each use is a cache hit, and its last-used time waits in memory");
        }

        uses.Should().BeGreaterThanOrEqualTo(5);
        (await StoredAsync(token)).LastUsedAt.Should().Be(Now, "the write stores the latest use");
    }

    [Fact]
    public async Task Uses_of_many_tokens_are_written_in_one_statement()
    {
        var tokens = new List<CreatedApiToken>();
        for (var i = 0; i < 30; i++)
        {
            tokens.Add(await CreateAsync($"Token {i}"));
        }

        using (var lookups = _database.Commands.Start(_ => true))
        {
            foreach (var token in tokens)
            {
                (await _database.AuthenticateAsync(token.PlainText)).Should().NotBeNull();
            }

            lookups.CommandIds.Should().HaveCountGreaterThanOrEqualTo(tokens.Count, "each token was looked up")
                .And.OnlyHaveUniqueItems("interceptors and logs tell each run of a prepared statement (SQLite's lookup) apart");
        }

        using (var commands = _database.Commands.Start(_ => true))
        {
            await _database.WriteTokenUsesAsync();
            commands.Count.Should().Be(provider == DatabaseProvider.PostgreSQL ? 2 : 3,
                "on PostgreSQL, the transaction's plan setting and one update of the rows, merging each use with its row; " +
                "on SQLite, one update of the never-used rows between setting the statement journal's place and setting it back");
        }

        await using var db = _database.CreateDbContext();
        (await db.ApiTokens.CountAsync(t => t.LastUsedAt == Now)).Should().Be(30);
        _database.TokenUses.WaitingCount.Should().Be(0);
    }

    [Fact]
    public async Task A_token_deleted_before_its_use_is_written_drops_that_use_and_the_others_are_written()
    {
        var tokens = new List<CreatedApiToken>();
        for (var i = 0; i < 3; i++)
        {
            tokens.Add(await CreateAsync($"Token {i}"));
            (await _database.AuthenticateAsync(tokens[i].PlainText)).Should().NotBeNull();
        }

        (await _tokens.DeleteAsync(_userId, tokens[1].Summary.Id)).Should().BeTrue();
        await _database.WriteTokenUsesAsync();

        _database.TokenUses.WaitingCount.Should().Be(0, "the deleted token's use went with it, and is not tried again");
        var stored = await _tokens.ListAsync(_userId);
        stored.Select(t => t.Id).Should().BeEquivalentTo([tokens[0].Summary.Id, tokens[2].Summary.Id]);
        stored.Should().OnlyContain(t => t.LastUsedAt == Now);
    }

    [Fact]
    public async Task The_last_five_distinct_addresses_are_kept_newest_first_with_the_last_user_agent()
    {
        var token = await CreateAsync("Roaming");
        for (var i = 1; i <= 7; i++)
        {
            _database.Time.Advance(TimeSpan.FromSeconds(1));
            await UseAsync(token, $"203.0.113.{i}", $"client/{i}");
        }

        _database.Time.Advance(TimeSpan.FromSeconds(1));
        await UseAsync(token, "203.0.113.3", "curl/8.5"); // an address seen before moves to the front

        var stored = await StoredAsync(token);
        stored.LastUsedFrom.Should().Equal("203.0.113.3", "203.0.113.7", "203.0.113.6", "203.0.113.5", "203.0.113.4");
        stored.LastUsedUserAgent.Should().Be("curl/8.5");

        // A later batch merges with what is stored.
        _database.Time.Advance(TimeSpan.FromSeconds(1));
        await UseAsync(token, "::ffff:198.51.100.9", null);
        stored = await StoredAsync(token);
        stored.LastUsedFrom.Should().Equal("198.51.100.9", "203.0.113.3", "203.0.113.7", "203.0.113.6", "203.0.113.5");
        stored.LastUsedUserAgent.Should().BeNull("the last use sent none");
        stored.LastUsedAt.Should().Be(Now);
    }

    [Fact]
    public async Task A_use_older_than_the_stored_one_adds_only_its_address_while_there_is_room()
    {
        // Another node's use, written late: the stored time and user agent are newer and stay.
        var token = await CreateAsync("Late news");
        await UseAsync(token, "203.0.113.1", "client/1");
        var late = _database.CreateTokenUses();
        late.Record(token.Summary.Id, Now.AddSeconds(-10), new ApiCaller(IPAddress.Parse("198.51.100.9"), "late/1"));
        await late.WriteAsync();

        var stored = await StoredAsync(token);
        stored.LastUsedAt.Should().Be(Now);
        stored.LastUsedUserAgent.Should().Be("client/1");
        stored.LastUsedFrom.Should().Equal("203.0.113.1", "198.51.100.9");

        for (var i = 2; i <= 5; i++)
        {
            _database.Time.Advance(TimeSpan.FromSeconds(1));
            await UseAsync(token, $"203.0.113.{i}", $"client/{i}");
        }

        late.Record(token.Summary.Id, Now.AddSeconds(-10), new ApiCaller(IPAddress.Parse("198.51.100.10"), "late/2"));
        await late.WriteAsync();
        stored = await StoredAsync(token);
        stored.LastUsedAt.Should().Be(Now);
        stored.LastUsedUserAgent.Should().Be("client/5");
        stored.LastUsedFrom.Should().Equal(["203.0.113.5", "203.0.113.4", "203.0.113.3", "203.0.113.2", "203.0.113.1"],
            "five newer addresses are kept over an older one");
    }

    [Fact]
    public async Task A_long_user_agent_is_cut_and_the_same_caller_is_noted_once_a_minute()
    {
        var token = await CreateAsync("Chatty");
        var longAgent = new string('a', 1000);
        await UseAsync(token, "203.0.113.1", longAgent);
        var firstUse = Now;

        _database.Time.Advance(TimeSpan.FromSeconds(59));
        await UseAsync(token, "203.0.113.1", longAgent);
        var stored = await StoredAsync(token);
        stored.LastUsedAt.Should().Be(firstUse, "the same caller within the minute is not noted again");
        stored.LastUsedUserAgent.Should().Be(new string('a', ApiTokenUses.MaxUserAgentLength));

        _database.Time.Advance(TimeSpan.FromSeconds(1));
        await UseAsync(token, "203.0.113.2", longAgent);
        (await StoredAsync(token)).LastUsedAt.Should().Be(Now, "a new address is noted at once");
    }

    [Fact]
    public async Task A_token_looked_up_again_is_noted_by_its_last_caller_only_once_the_minute_has_passed()
    {
        var token = await CreateAsync("Now and then");
        await UseAsync(token, "203.0.113.1", "script/1.0");
        var firstUse = Now;

        // Out of the cache (evicted, expired, a restart): the use read back says who made it and when.
        _database.Time.Advance(TimeSpan.FromSeconds(30));
        _database.TokenCache.Clear();
        await UseAsync(token, "::ffff:203.0.113.1", "script/1.0", write: false); // the same caller, through a dual-stack listener
        _database.TokenUses.WaitingCount.Should().Be(0, "the same caller within the minute is not noted again");

        _database.TokenCache.Clear();
        await UseAsync(token, "203.0.113.1", "script/2.0", write: false);
        _database.TokenUses.WaitingCount.Should().Be(1, "a new user agent is noted at once");
        (await StoredAsync(token)).LastUsedUserAgent.Should().Be("script/2.0");

        _database.Time.Advance(TimeSpan.FromSeconds(60));
        _database.TokenCache.Clear();
        await UseAsync(token, "203.0.113.1", "script/2.0", write: false);
        _database.TokenUses.WaitingCount.Should().Be(1, "a minute on, the same caller is noted again");
        (await StoredAsync(token)).LastUsedAt.Should().Be(Now).And.BeAfter(firstUse);
    }

    [Fact]
    public async Task Two_nodes_writing_at_once_never_deadlock_nor_move_a_time_backwards()
    {
        var tokens = new List<Guid>();
        for (var i = 0; i < 60; i++)
        {
            tokens.Add((await CreateAsync($"Shared {i}")).Summary.Id);
        }

        var nodeA = _database.CreateTokenUses();
        var nodeB = _database.CreateTokenUses();
        var start = Now;
        for (var round = 0; round < 10; round++)
        {
            // Each node sees every token, in an order of its own; the newer use is A's in even rounds, B's in odd ones.
            var older = start.AddSeconds(2 * round);
            var newer = older.AddSeconds(1);
            var (a, b) = round % 2 == 0 ? (newer, older) : (older, newer);
            foreach (var id in tokens)
            {
                nodeA.Record(id, a, new ApiCaller(IPAddress.Parse("198.51.100.1"), "node-a"));
            }

            foreach (var id in Enumerable.Reverse(tokens))
            {
                nodeB.Record(id, b, new ApiCaller(IPAddress.Parse("198.51.100.2"), "node-b"));
            }

            await Task.WhenAll(Task.Run(() => nodeA.WriteAsync()), Task.Run(() => nodeB.WriteAsync()));

            await using var db = _database.CreateDbContext();
            var rows = await db.ApiTokens.Where(t => tokens.Contains(t.Id)).ToListAsync();
            rows.Should().AllSatisfy(t =>
            {
                t.LastUsedAt.Should().Be(newer, "the newer time wins whichever node writes last");
                t.LastUsedUserAgent.Should().Be(round % 2 == 0 ? "node-a" : "node-b");
                t.LastUsedFrom!.Split(' ').Should().BeEquivalentTo("198.51.100.1", "198.51.100.2");
            });
        }
    }

    [Fact]
    public async Task A_node_that_stops_writes_what_waits()
    {
        var token = await CreateAsync("Last call");
        var uses = _database.CreateTokenUses();
        var writer = _database.CreateTokenUsesWriter(uses);
        await writer.StartAsync(CancellationToken.None);
        uses.Record(token.Summary.Id, Now, new ApiCaller(IPAddress.Loopback, "curl/8.5"));

        await writer.StopAsync(CancellationToken.None); // long before its first timed write

        (await StoredWithoutWritingAsync(token)).LastUsedAt.Should().Be(Now);
        uses.WaitingCount.Should().Be(0);
    }

    [Fact]
    public async Task Uses_wait_for_the_next_write_while_the_database_fails()
    {
        var token = await CreateAsync("Patient");
        await UseAsync(token, "203.0.113.1", "curl/8.5", write: false);

        await _database.BreakAsync();
        var write = () => _database.WriteTokenUsesAsync();

        await write.Should().ThrowAsync<Exception>();
        _database.TokenUses.WaitingCount.Should().Be(1, "the use is kept for the next write");
    }

    [Fact]
    public void Waiting_uses_are_bounded_and_a_waiting_token_still_takes_new_uses()
    {
        var uses = _database.CreateTokenUses();
        var first = Guid.NewGuid();
        uses.Record(first, Now, default);
        for (var i = 1; i < ApiTokenUses.MaxWaitingTokens + 10; i++)
        {
            uses.Record(Guid.NewGuid(), Now, default);
        }

        uses.WaitingCount.Should().Be(ApiTokenUses.MaxWaitingTokens);
        uses.Record(first, Now.AddSeconds(1), new ApiCaller(IPAddress.Loopback, null));
        uses.WaitingCount.Should().Be(ApiTokenUses.MaxWaitingTokens);
    }

    private async Task UseAsync(CreatedApiToken token, string address, string? userAgent, bool write = true)
    {
        (await _database.Authenticator.AuthenticateAsync(token.PlainText, new ApiCaller(IPAddress.Parse(address), userAgent)))
            .Status.Should().Be(ApiTokenStatus.Valid);
        if (write)
        {
            await _database.WriteTokenUsesAsync();
        }
    }

    private async Task<ApiTokenSummary> StoredAsync(CreatedApiToken token)
    {
        await _database.WriteTokenUsesAsync();
        return await StoredWithoutWritingAsync(token);
    }

    private async Task<ApiTokenSummary> StoredWithoutWritingAsync(CreatedApiToken token) =>
        (await _tokens.ListAsync(_userId)).Single(t => t.Id == token.Summary.Id);

    private async Task<CreatedApiToken> CreateAsync(string name) => (await _tokens.CreateAsync(_userId, name)).Token!;
}

public sealed class ApiTokenUsesTestsOnSqlite() : ApiTokenUsesTests(DatabaseProvider.Sqlite);

public sealed class ApiTokenUsesTestsOnPostgreSql() : ApiTokenUsesTests(DatabaseProvider.PostgreSQL)
{
    [Fact]
    public async Task The_write_finds_the_rows_it_updates_by_their_key_not_by_reading_the_whole_table()
    {
        await using var database = await TestDatabase.CreateAsync(provider: DatabaseProvider.PostgreSQL);
        var tokens = database.CreateTokenService();
        var userId = await database.CreateUserAsync();
        for (var i = 0; i < 20; i++)
        {
            var token = (await tokens.CreateAsync(userId, $"Token {i}")).Token!;
            (await database.AuthenticateAsync(token.PlainText)).Should().NotBeNull();
        }

        // Each of the write's statements, planned in its transaction just before it runs.
        var plans = new List<string>();
        var seen = new HashSet<DbCommand>(); // asked again as its reader closes: explained only before it runs
        bool IsWrite(DbCommand command)
        {
            if (command.Transaction is not null && command.CommandText.Contains("\"ApiTokens\"", StringComparison.Ordinal) && seen.Add(command))
            {
                using var explain = command.Connection!.CreateCommand();
                explain.Transaction = command.Transaction;
                explain.CommandText = "EXPLAIN " + command.CommandText;
                explain.Parameters.AddRange(command.Parameters.Cast<ICloneable>().Select(parameter => parameter.Clone()).ToArray());
                using var reader = explain.ExecuteReader();
                var plan = new StringBuilder();
                while (reader.Read())
                {
                    plan.AppendLine(reader.GetString(0));
                }

                plans.Add(plan.ToString());
            }

            return false;
        }

        using (database.Commands.Start(IsWrite))
        {
            await database.WriteTokenUsesAsync();
        }

        plans.Should().ContainSingle("one update of the rows, merging each use with its row");
        plans.Should().AllSatisfy(plan => plan.Should().NotContain("Seq Scan on \"ApiTokens\""));
    }

    [Fact]
    public async Task Tokens_made_together_and_first_used_in_one_write_are_each_updated_in_place()
    {
        // Were a last-use column indexed, each written row would get a new entry in every index of the table; without,
        // PostgreSQL makes the update HOT (the row's new version on its own page, no index touched), if the page has
        // room for it. Forty tokens made one after another fill their pages side by side (with a fifth of each page
        // free, as before, 15 of the 40 were).
        await using var database = await TestDatabase.CreateAsync(provider: DatabaseProvider.PostgreSQL);
        var userId = await database.CreateUserAsync();
        var service = database.CreateTokenService();
        var tokens = new List<string>();
        for (var i = 0; i < 40; i++)
        {
            tokens.Add((await service.CreateAsync(userId, $"Runner {i}")).Token!.PlainText);
        }

        await using var connection = new NpgsqlConnection(database.PostgreSqlConnectionString);
        await connection.OpenAsync();
        var before = await UpdatesAsync(connection);

        foreach (var token in tokens)
        {
            (await database.AuthenticateAsync(token)).Should().NotBeNull();
        }

        await database.WriteTokenUsesAsync();

        // A backend reports its counts about a second after it goes idle.
        var after = before;
        await Wait.UntilAsync(async () => (after = await UpdatesAsync(connection)).Updated - before.Updated >= tokens.Count, TimeSpan.FromSeconds(30));

        (after.Updated - before.Updated).Should().Be(tokens.Count, "the write updated each token's row once");
        (after.Hot - before.Hot).Should().Be(tokens.Count, "no index holds a column the write sets, and each page has room");
    }

    private static async Task<(long Updated, long Hot)> UpdatesAsync(NpgsqlConnection connection)
    {
        await using var command = new NpgsqlCommand(
            """SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables WHERE relname = 'ApiTokens'""", connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }
}

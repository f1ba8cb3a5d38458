using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using BeatPass.Core.Data;
using BeatPass.Core.ApiTokens;
using BeatPass.Core.Audit;
using BeatPass.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace BeatPass.Tests.Core;

public abstract class ApiTokenAuthenticatorTests(DatabaseProvider provider) : IAsyncLifetime
{
    protected TestDatabase _database = null!;
    protected ApiTokenService _tokens = null!;
    protected string _userId = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(provider: provider);
        _tokens = _database.CreateTokenService();
        _userId = await _database.CreateUserAsync();
    }

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task A_valid_token_gives_its_owner_and_itself()
    {
        var created = await CreateAsync("Reader");

        var identity = await _database.AuthenticateAsync(created.PlainText);

        identity.Should().BeEquivalentTo(new { TokenId = created.Summary.Id, TokenName = "Reader", UserId = _userId });
    }

    [Fact]
    public async Task A_malformed_token_is_refused_without_touching_the_database()
    {
        // A database that cannot even be opened: any query would throw.
        await using var unreachable = await TestDatabase.CreateAsync(connectionString: TestDatabase.UnreachableConnectionString(provider), provider: provider);
        var valid = ApiTokenFormat.Generate();

        (await unreachable.Authenticator.AuthenticateAsync(TestFiles.WithLastCharacterChanged(valid))).Should().Be(ApiTokenCheck.Invalid);
        (await unreachable.Authenticator.AuthenticateAsync("bpat_short")).Should().Be(ApiTokenCheck.Invalid);
        // The control: a well-formed token does reach the (unreachable) database.
        var reachDatabase = async () => await unreachable.Authenticator.AuthenticateAsync(valid);
        await reachDatabase.Should().ThrowAsync<Exception>();
    }

    [Fact]
    public async Task A_cached_token_is_refused_as_soon_as_its_owner_loses_developer_access()
    {
        var staffId = await _database.CreateStaffAsync();
        var created = await CreateAsync("Reader");
        await _database.AuthenticateAsync(created.PlainText);

        await _database.CreateDeveloperAccessService().RevokeAsync(staffId, _userId);

        (await _database.AuthenticateAsync(created.PlainText)).Should().BeNull();
    }

    [Fact]
    public async Task A_sign_in_lockout_does_not_stop_the_accounts_tokens()
    {
        var created = await CreateAsync("Integration");
        (await _database.AuthenticateAsync(created.PlainText)).Should().NotBeNull();

        // As after repeated wrong passwords, which anyone who knows the email can cause.
        await _database.LockOutAsync(_userId, _database.Time.GetUtcNow().AddMinutes(5));

        (await _database.AuthenticateAsync(created.PlainText)).Should().NotBeNull();
    }

    [Fact]
    public async Task Deleting_the_account_through_its_context_drops_its_cached_tokens()
    {
        var created = await CreateAsync("Orphan");
        await _database.AuthenticateAsync(created.PlainText);

        await using (var db = _database.CreateDbContext())
        {
            db.Users.Remove(await db.Users.SingleAsync(u => u.Id == _userId));
            await db.SaveChangesAsync();
        }

        (await _database.AuthenticateAsync(created.PlainText)).Should().BeNull();
    }

    [Fact]
    public async Task A_cache_hit_does_not_query_and_an_entry_is_read_again_after_its_lifetime()
    {
        var created = await CreateAsync("Cached");
        await _database.AuthenticateAsync(created.PlainText);
        // Behind the cache's back, as another node would: nothing on this node invalidates.
        await using (var db = _database.CreateDbContext())
        {
            await db.ApiTokens.ExecuteDeleteAsync();
        }

        (await _database.AuthenticateAsync(created.PlainText)).Should().NotBeNull("the entry is still fresh");
        _database.Time.Advance(new ApiTokenOptions().CacheEntryLifetime);
        (await _database.AuthenticateAsync(created.PlainText)).Should().BeNull();
    }

    [Fact]
    public async Task Concurrent_misses_for_one_token_share_one_lookup()
    {
        var created = await CreateAsync("Burst");
        (await _database.AuthenticateAsync((await CreateAsync("Warm-up")).PlainText)).Should().NotBeNull(); // the issuer is loaded
        using var firstLookupSent = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        using var lookups = _database.Commands.Start(DatabaseCommands.IsTokenLookup, number =>
        {
            if (number == 1)
            {
                firstLookupSent.Set();
                release.Wait(TimeSpan.FromSeconds(30)); // the first lookup is held until the others have asked
            }
        });

        var first = Task.Run(() => _database.Authenticator.AuthenticateAsync(created.PlainText).AsTask());
        firstLookupSent.Wait(TimeSpan.FromSeconds(30)).Should().BeTrue();
        var others = Enumerable.Range(0, 19).Select(_ => _database.Authenticator.AuthenticateAsync(created.PlainText).AsTask()).ToList();
        release.Set();
        var checks = await Task.WhenAll([first, .. others]);

        checks.Should().AllSatisfy(check => check.Identity!.TokenId.Should().Be(created.Summary.Id));
        lookups.Count.Should().Be(1, "the 19 requests that missed while the first was looking the token up waited for its answer");
    }

    [Fact]
    public async Task A_miss_after_a_deletion_does_not_share_a_lookup_that_read_the_token_before_it()
    {
        var created = await CreateAsync("Deleted meanwhile");
        (await _database.AuthenticateAsync((await CreateAsync("Warm-up")).PlainText)).Should().NotBeNull(); // the issuer is loaded
        using var firstLookupRead = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        using var lookups = _database.Commands.Start(DatabaseCommands.IsTokenLookup, onRead: number =>
        {
            if (number == 1)
            {
                firstLookupRead.Set();
                release.Wait(TimeSpan.FromSeconds(30)); // the first lookup holds the token as it was until released
            }
        });

        // A request sent before the deletion: its lookup has read the token and not yet answered.
        var before = Task.Run(() => _database.Authenticator.AuthenticateAsync(created.PlainText).AsTask());
        firstLookupRead.Wait(TimeSpan.FromSeconds(30)).Should().BeTrue();
        (await _tokens.DeleteAsync(_userId, created.Summary.Id)).Should().BeTrue();

        // Sent after the deletion had returned, while the first lookup is still under way. On PostgreSQL one lookup
        // query runs at a time, so its own lookup waits for the first to end: the first is released once it has asked.
        var after = _database.Authenticator.AuthenticateAsync(created.PlainText).AsTask();
        release.Set();

        (await after.WaitAsync(TimeSpan.FromSeconds(30))).Identity.Should().BeNull("the request was sent after the deletion had returned");
        (await before).Identity.Should().NotBeNull("that request was sent while the token still worked");
        (await _database.AuthenticateAsync(created.PlainText)).Should().BeNull("what the first lookup read is not kept");
    }

    [Fact]
    public async Task A_token_works_until_the_second_it_expires_and_then_says_it_expired()
    {
        var now = _database.Time.GetUtcNow().UtcDateTime;
        var created = await CreateAsync("Week long", ApiTokenExpiration.InDays(now, 7));

        _database.Time.Advance(TimeSpan.FromDays(7) - TimeSpan.FromSeconds(1));
        (await _database.Authenticator.AuthenticateAsync(created.PlainText)).Status.Should().Be(ApiTokenStatus.Valid);

        _database.Time.Advance(TimeSpan.FromSeconds(1));
        (await _database.Authenticator.AuthenticateAsync(created.PlainText)).Status.Should().Be(ApiTokenStatus.Expired);
    }

    [Fact]
    public async Task Refusing_an_expired_token_is_logged_at_most_once_an_hour()
    {
        var created = await CreateAsync("Stale", ApiTokenExpiration.InDays(_database.Time.GetUtcNow().UtcDateTime, 7));
        _database.Time.Advance(TimeSpan.FromDays(8));

        for (var i = 0; i < 5; i++)
        {
            await _database.Authenticator.AuthenticateAsync(created.PlainText);
        }

        (await RefusalsLoggedAsync()).Should().Be(1);
        _database.Time.Advance(ApiTokenAuthenticator.ExpiredRefusalLogInterval);
        await _database.Authenticator.AuthenticateAsync(created.PlainText);
        (await RefusalsLoggedAsync()).Should().Be(2);

        async Task<int> RefusalsLoggedAsync()
        {
            await using var db = _database.CreateDbContext();
            return await db.AuditEvents.CountAsync(e => e.Action == AuditAction.ExpiredTokenRefused && e.SubjectUserId == _userId && e.TokenName == "Stale");
        }
    }

    [Fact]
    public async Task Regenerating_refuses_the_old_secret_at_once_and_accepts_the_new_one()
    {
        var created = await CreateAsync("Rotated");
        await _database.AuthenticateAsync(created.PlainText);

        var regenerated = (await _tokens.RegenerateAsync(_userId, created.Summary.Id)).Token!;

        (await _database.AuthenticateAsync(created.PlainText)).Should().BeNull();
        (await _database.AuthenticateAsync(regenerated.PlainText)).Should().BeEquivalentTo(new { TokenId = created.Summary.Id, TokenName = "Rotated" });
    }

    [Fact]
    public async Task Last_used_is_written_at_most_once_a_minute()
    {
        var created = await CreateAsync("Busy script");
        var firstUse = _database.Time.GetUtcNow().UtcDateTime;

        await _database.AuthenticateAsync(created.PlainText);
        _database.Time.Advance(TimeSpan.FromSeconds(30));
        await _database.AuthenticateAsync(created.PlainText);
        _database.Time.Advance(TimeSpan.FromSeconds(29));
        await _database.AuthenticateAsync(created.PlainText);
        (await LastUsedAsync()).Should().Be(firstUse);

        _database.Time.Advance(TimeSpan.FromSeconds(2));
        await _database.AuthenticateAsync(created.PlainText);
        (await LastUsedAsync()).Should().Be(firstUse.AddSeconds(61));

        async Task<DateTime?> LastUsedAsync()
        {
            await _database.WriteTokenUsesAsync();
            return (await _tokens.ListAsync(_userId)).Single().LastUsedAt;
        }
    }

    protected async Task<CreatedApiToken> CreateAsync(string name, DateTime? expiresAt = null) =>
        (await _tokens.CreateAsync(_userId, name, expiresAt)).Token!;
}

public sealed class ApiTokenAuthenticatorTestsOnSqlite() : ApiTokenAuthenticatorTests(DatabaseProvider.Sqlite)
{
    [Fact]
    public async Task Misses_reuse_one_prepared_lookup_on_the_calling_thread()
    {
        var created = new[] { await CreateAsync("First"), await CreateAsync("Second"), await CreateAsync("Third") };
        (await _database.AuthenticateAsync((await CreateAsync("Warm-up")).PlainText)).Should().NotBeNull(); // the issuer is loaded
        var commands = new List<System.Data.Common.DbCommand>();
        var threads = new List<int>();
        using var lookups = _database.Commands.Start(command =>
        {
            if (!DatabaseCommands.IsTokenLookup(command))
            {
                return false;
            }

            commands.Add(command);
            threads.Add(Environment.CurrentManagedThreadId);
            return true;
        });

        foreach (var token in created)
        {
            var check = _database.Authenticator.AuthenticateAsync(token.PlainText);
            check.IsCompleted.Should().BeTrue("SQLite answers at once, on the request's own thread");
            (await check).Identity!.TokenId.Should().Be(token.Summary.Id);
        }

        lookups.Count.Should().Be(3);
        commands.Distinct().Should().ContainSingle("one prepared command serves every lookup in turn");
        threads.Should().AllBeEquivalentTo(Environment.CurrentManagedThreadId);
    }
}

public sealed class ApiTokenAuthenticatorTestsOnPostgreSql() : ApiTokenAuthenticatorTests(DatabaseProvider.PostgreSQL)
{
    [Fact]
    public async Task Concurrent_misses_for_many_tokens_are_looked_up_together()
    {
        var created = new List<CreatedApiToken>();
        for (var i = 0; i < 30; i++)
        {
            created.Add(await CreateAsync($"Script {i}"));
        }

        var revoked = await CreateAsync("Revoked");
        (await _tokens.DeleteAsync(_userId, revoked.Summary.Id)).Should().BeTrue();
        (await _database.AuthenticateAsync(created[0].PlainText)).Should().NotBeNull(); // the issuer is loaded
        created.RemoveAt(0);
        using var firstLookupSent = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        using var lookups = _database.Commands.Start(DatabaseCommands.IsTokenLookup, number =>
        {
            firstLookupSent.Set();
            release.Wait(TimeSpan.FromSeconds(30)); // every lookup is held until all the requests have asked
        });
        var batchSizes = new ConcurrentQueue<int>();
        using var batchSizeListener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Scope == _database.Meters && instrument.Name == "beatpass.api_token.lookups.batch_size")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        batchSizeListener.SetMeasurementEventCallback<int>((_, size, _, _) => batchSizes.Enqueue(size));
        batchSizeListener.Start();

        var first = Task.Run(() => _database.Authenticator.AuthenticateAsync(created[0].PlainText).AsTask());
        firstLookupSent.Wait(TimeSpan.FromSeconds(30)).Should().BeTrue();
        var others = created.Skip(1).Select(token => _database.Authenticator.AuthenticateAsync(token.PlainText).AsTask()).ToList();
        var refused = _database.Authenticator.AuthenticateAsync(revoked.PlainText).AsTask();
        release.Set();
        var checks = await Task.WhenAll([first, .. others]);

        checks.Select(check => check.Identity!.TokenId).Should().Equal(created.Select(token => token.Summary.Id),
            "each request gets its own token, not another one of the batch");
        (await refused).Identity.Should().BeNull();
        lookups.Count.Should().BeLessThanOrEqualTo(2 * ApiTokenLookups.MaxQueries,
            "the misses that came while the first queries ran wait for one of those to end, then go together");
        batchSizes.Should().HaveCount(lookups.Count, "the metric records each lookup query's size")
            .And.Subject.Sum().Should().Be(created.Count + 1, "every miss was asked for once, the revoked token's too");
    }

    [Fact]
    public async Task A_request_whose_code_blocks_after_its_miss_does_not_hold_up_the_next_misses()
    {
        var blocking = await CreateAsync("Blocking");
        var next = await CreateAsync("Next");
        (await _database.AuthenticateAsync((await CreateAsync("Warm-up")).PlainText)).Should().NotBeNull(); // the issuer is loaded
        using var held = new ManualResetEventSlim();
        using var nextAnswered = new ManualResetEventSlim();

        // The request goes on where its lookup is answered, and there waits, as a blocking call would.
        var blocked = _database.Authenticator.AuthenticateAsync(blocking.PlainText).AsTask().ContinueWith(check =>
        {
            held.Set();
            return (check.Result, Released: nextAnswered.Wait(TimeSpan.FromSeconds(30)));
        }, TaskContinuationOptions.ExecuteSynchronously);
        (await Task.Run(() => held.Wait(TimeSpan.FromSeconds(30)))).Should().BeTrue();

        var nextCheck = await _database.Authenticator.AuthenticateAsync(next.PlainText).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        nextAnswered.Set();

        nextCheck.Identity!.TokenId.Should().Be(next.Summary.Id);
        var (blockedCheck, released) = await blocked;
        released.Should().BeTrue("the next miss was answered while the first request still held its thread");
        blockedCheck.Identity!.TokenId.Should().Be(blocking.Summary.Id);
    }

    [Fact]
    public async Task Misses_are_looked_up_on_a_connection_kept_for_them_where_the_lookup_is_prepared_and_planned_once()
    {
        var connection = await LookUpEightTokensAsync(_database, _tokens, _userId);

        (await QueryAsync(connection, "SHOW plan_cache_mode")).Should().Be("force_generic_plan");
        (await QueryAsync(connection, PreparedLookups)).Should().Be(1L, "Npgsql prepares a statement sent again and again (Max Auto Prepare)");

        _database.Authenticator.CloseConnections();
        await using var db = _database.CreateDbContext();
        await db.Database.OpenConnectionAsync();
        (await QueryAsync(db.Database.GetDbConnection(), "SHOW plan_cache_mode")).Should().Be("auto", "the lookups' setting stays theirs");
    }

    [Fact]
    public async Task With_Max_Auto_Prepare_0_nothing_is_prepared_and_the_lookups_connection_changes_no_setting()
    {
        var migrated = await PostgreSqlTestServer.CreateDatabaseAsync();
        try
        {
            // As behind a pooler in transaction mode, where a session's setting would reach other clients.
            await using var database = await TestDatabase.CreateAsync(connectionString: $"{migrated};Max Auto Prepare=0", provider: DatabaseProvider.PostgreSQL);
            var connection = await LookUpEightTokensAsync(database, database.CreateTokenService(), await database.CreateUserAsync());

            (await QueryAsync(connection, "SHOW plan_cache_mode")).Should().Be("auto");
            (await QueryAsync(connection, PreparedLookups)).Should().Be(0L);
        }
        finally
        {
            await PostgreSqlTestServer.DropDatabaseAsync(migrated);
        }
    }

    private const string PreparedLookups = "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '%\"TokenHash\" = ANY%'";

    /// <summary>Eight misses, one after another; the one connection they were all looked up on.</summary>
    private static async Task<System.Data.Common.DbConnection> LookUpEightTokensAsync(TestDatabase database, ApiTokenService tokens, string userId)
    {
        var created = new List<CreatedApiToken>();
        for (var i = 0; i < 8; i++)
        {
            created.Add((await tokens.CreateAsync(userId, $"Script {i}")).Token!);
        }

        var connections = new HashSet<System.Data.Common.DbConnection>();
        bool IsLookup(System.Data.Common.DbCommand command)
        {
            var isLookup = DatabaseCommands.IsTokenLookup(command);
            if (isLookup)
            {
                connections.Add(command.Connection!);
            }

            return isLookup;
        }

        using (var lookups = database.Commands.Start(IsLookup))
        {
            foreach (var token in created)
            {
                (await database.AuthenticateAsync(token.PlainText))!.TokenId.Should().Be(token.Summary.Id);
            }

            lookups.Count.Should().Be(created.Count);
        }

        return connections.Should().ContainSingle("one query at a time, each on the connection the last one used").Subject;
    }

    private static async Task<object?> QueryAsync(System.Data.Common.DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }
}

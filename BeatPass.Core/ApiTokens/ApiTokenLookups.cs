using System.Collections.Concurrent;
using System.Data.Common;
using System.Net;
using BeatPass.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace BeatPass.Core.ApiTokens;

/// <summary>
/// Looks up the tokens the cache missed. On PostgreSQL, many in one query: a lookup never waits for a timer: when no
/// query is under way its own starts at once, and the lookups that arrive while it runs go together into the next
/// one. So a quiet node pays one query per miss, and a busy one (a restart under load, many scripts each calling now
/// and then) pays one round trip for a batch of tokens instead of one per token. The queries run on a connection kept
/// open for them, on which the statement is prepared and planned once (<see cref="DatabaseDialect.BeginLookupSessionAsync"/>).
/// On SQLite there is no round trip to save: see <see cref="SqliteLookups"/>.
/// </summary>
internal sealed class ApiTokenLookups(IDbContextFactory<BeatPassDbContext> dbFactory, BeatPassMetrics metrics) : IDisposable
{
    /// <summary>Tokens per query at most: a bound on the statement's parameters.</summary>
    public const int MaxBatch = 100;

    // Queries under way at once. A query waiting for the database holds no thread, so one at a time keeps no core
    // idle, and the lookups that arrive while it runs make the next, larger batch: PostgreSQL's own work per token falls
    // with the batch's size (bench/RESULTS.md: 24 µs of its CPU per miss under load with one query at a time, 42 with two).
    internal const int MaxQueries = 1;

    // Connections kept open, at most as many as queries run at once: a context each, its connection opened.
    private readonly ConcurrentBag<BeatPassDbContext> _idle = [];

    private readonly ConcurrentQueue<Lookup> _waiting = new();
    private int _queries;

    // How long a batch's requests may hold the query's thread before the next queries go on without it.
    private static readonly TimeSpan HandOnAfter = TimeSpan.FromMilliseconds(10);

    // The batch being answered, and the timer that hands the queries on if its requests hold the thread too long.
    private Answering? _answering;
    private Timer? _handOnTimer;

    // Set on the first lookup, once the provider is known: null on PostgreSQL.
    private readonly Lazy<SqliteLookups?> _sqlite = new(() => SqliteLookups.For(dbFactory));

    /// <summary>
    /// The token with this hash if its holder has developer access (revoked or not: a revoked one is refused as
    /// such), with whether its holder is staff; null otherwise.
    /// </summary>
    public Task<Row?> FindAsync(ApiTokenHash hash)
    {
        if (_sqlite.Value is { } sqlite)
        {
            return Task.FromResult(sqlite.Find(hash));
        }

        // Answered on the query's thread, where the request goes on (see AnswerHere).
        var lookup = new Lookup(hash, new TaskCompletionSource<Row?>());
        _waiting.Enqueue(lookup);
        StartQueryIfRoom();
        return lookup.Result.Task;
    }

    private void StartQueryIfRoom()
    {
        while (!_waiting.IsEmpty)
        {
            var running = Volatile.Read(ref _queries);
            if (running >= MaxQueries)
            {
                return;
            }

            if (Interlocked.CompareExchange(ref _queries, running + 1, running) == running)
            {
                _ = Task.Run(QueryWhileWaitingAsync);
                return;
            }
        }
    }

    private async Task QueryWhileWaitingAsync()
    {
        var handedOn = false;
        try
        {
            var batch = new List<Lookup>(MaxBatch);
            while (TakeBatch(batch))
            {
                metrics.TokensLookedUp(batch.Count);
                var (found, failure) = await QueryAsync(batch);
                if (!AnswerHere(batch, found, failure))
                {
                    handedOn = true;
                    return;
                }

                batch.Clear();
            }
        }
        finally
        {
            if (!handedOn)
            {
                EndQuerying();
            }
        }
    }

    // This loop queries no more. A lookup may have been queued after its last batch was taken, while no room was left
    // for a query: a new loop takes it.
    private void EndQuerying()
    {
        Interlocked.Decrement(ref _queries);
        StartQueryIfRoom();
    }

    /// <summary>
    /// Answers a batch on the query's own thread, where each of its requests goes on with its work, one after another,
    /// until it next waits; the lookups that arrive meanwhile make the next batch, larger, and with fewer, larger batches
    /// PostgreSQL's work and the node's per miss fall (bench/RESULTS.md: a quarter less of PostgreSQL's CPU under an
    /// all-miss load than when each request went on on a thread of its own). A request whose code
    /// holds the thread longer than <see cref="HandOnAfter"/> (a blocking call) does not hold up the other misses: the
    /// next queries then go on in a new loop, and this one ends after answering. False when that happened.
    /// </summary>
    private bool AnswerHere(List<Lookup> batch, Dictionary<ApiTokenHash, Row>? found, Exception? failure)
    {
        var answering = new Answering();
        Volatile.Write(ref _answering, answering);
        var timer = _handOnTimer ??= new Timer(static lookups => ((ApiTokenLookups)lookups!).HandOn(), this, Timeout.Infinite, Timeout.Infinite);
        timer.Change(HandOnAfter, Timeout.InfiniteTimeSpan);
        foreach (var lookup in batch)
        {
            if (failure is null)
            {
                lookup.Result.TrySetResult(found!.GetValueOrDefault(lookup.Hash));
            }
            else
            {
                lookup.Result.TrySetException(failure);
            }
        }

        if (!answering.TryEnd())
        {
            return false; // the timer has fired; another loop may have set it again since
        }

        timer.Change(Timeout.Infinite, Timeout.Infinite);
        return true;
    }

    // The batch's requests have held the query's thread too long: the queries go on without it.
    private void HandOn()
    {
        if (Volatile.Read(ref _answering) is { } answering && answering.TryEnd())
        {
            EndQuerying();
        }
    }

    private bool TakeBatch(List<Lookup> batch)
    {
        while (batch.Count < MaxBatch && _waiting.TryDequeue(out var lookup))
        {
            batch.Add(lookup);
        }

        return batch.Count > 0;
    }

    /// <summary>The batch's tokens found, by hash, or why the query failed.</summary>
    private async Task<(Dictionary<ApiTokenHash, Row>? Found, Exception? Failure)> QueryAsync(List<Lookup> batch)
    {
        try
        {
            var hashes = batch.Select(lookup => lookup.Hash.ToArray()).ToList();
            var db = _idle.TryTake(out var idle) ? idle : await OpenAsync();
            List<Row> rows;
            try
            {
                rows = await ReadAsync(db, hashes);
            }
            catch
            {
                await db.DisposeAsync(); // a connection that failed is not used again
                throw;
            }

            _idle.Add(db);
            return (rows.ToDictionary(row => ApiTokenHash.From(row.TokenHash)), null);
        }
        catch (Exception exception)
        {
            return (null, exception);
        }
    }

    private async Task<BeatPassDbContext> OpenAsync()
    {
        var db = await dbFactory.CreateDbContextAsync();
        try
        {
            await db.Database.OpenConnectionAsync();
            await db.Dialect.BeginLookupSessionAsync(db);
            return db;
        }
        catch
        {
            await db.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// The tokens among <paramref name="hashes"/> whose holders have developer access. A raw command through EF Core's own command pipeline (its
    /// logging and interceptors see it): a LINQ or <c>SqlQueryRaw</c> query goes through query compilation on every
    /// run when it takes a list of values, which costs several times the lookup itself.
    /// </summary>
    private static async Task<List<Row>> ReadAsync(BeatPassDbContext db, List<byte[]> hashes)
    {
        var (isOneOfTheHashes, arguments) = db.Dialect.IsAnyOf("t.\"TokenHash\"", hashes);
        var command = db.GetService<IRawSqlCommandBuilder>().Build(
            Sql(hashCondition: isOneOfTheHashes, staffRole: $"{{{arguments.Length}}}"), [.. arguments, BeatPassRoles.StaffNormalized]);
        var rows = new List<Row>(hashes.Count);
        await using var reader = await command.RelationalCommand.ExecuteReaderAsync(new RelationalCommandParameterObject(
            db.GetService<IRelationalConnection>(), command.ParameterValues, readerColumns: null, db,
            db.GetService<IRelationalCommandDiagnosticsLogger>()));
        var stored = reader.DbDataReader;
        while (await stored.ReadAsync())
        {
            rows.Add(ReadRow(stored));
        }

        return rows;
    }

    // Whether the holder is staff is read with the token: staff-only permissions work only while they are, and a role
    // change invalidates the cache like any other change to the account.
    private static string Sql(string hashCondition, string staffRole) => $"""
        SELECT t."TokenHash", t."Id", t."Name", t."UserId", u."UserName", u."Email", t."Permissions", t."ExpiresAt",
            t."LastUsedAt", t."RevokedAt" IS NOT NULL, EXISTS (
                SELECT 1 FROM "AspNetUserRoles" AS ur INNER JOIN "AspNetRoles" AS r ON r."Id" = ur."RoleId"
                WHERE ur."UserId" = t."UserId" AND r."NormalizedName" = {staffRole}), t."IssuedAt",
            t."LastUsedFrom", t."LastUsedUserAgent", t."LastUsedByService"
        FROM "ApiTokens" AS t INNER JOIN "AspNetUsers" AS u ON u."Id" = t."UserId"
        WHERE {hashCondition} AND u."HasDeveloperAccess"
        """;

    private static Row ReadRow(DbDataReader stored) => ReadRow(stored, stored.GetFieldValue<byte[]>(0));

    // The hash given when the caller has it already: each column read is a call into SQLite, and a new array.
    private static Row ReadRow(DbDataReader stored, byte[] tokenHash)
    {
        var expiresAt = StoredTime.UtcOrNull(stored, 7);
        return new Row(
            tokenHash,
            new ApiTokenIdentity(stored.GetGuid(1), stored.GetString(2), stored.GetString(3), stored.GetString(4),
                stored.GetString(5), stored.GetString(6)) { IssuedAt = StoredTime.UtcOrNull(stored, 11)!.Value, ExpiresAt = expiresAt },
            expiresAt,
            StoredTime.UtcOrNull(stored, 8),
            LastCaller(stored),
            IsRevoked: stored.GetBoolean(9),
            HolderIsStaff: stored.GetBoolean(10));
    }

    // The caller of the last use written: the newest of its addresses, which come first, with its user agent and service.
    private static ApiCaller LastCaller(DbDataReader stored)
    {
        var newest = ApiTokenUses.StoredAddresses(stored.IsDBNull(12) ? null : stored.GetString(12)).FirstOrDefault();
        return new ApiCaller(
            IPAddress.TryParse(newest, out var address) ? address : null,
            stored.IsDBNull(13) ? null : stored.GetString(13),
            stored.IsDBNull(14) ? null : stored.GetString(14));
    }

    /// <summary>A token as stored, whether BeatPass revoked it, and whether its holder is staff.</summary>
    public sealed record Row(
        byte[] TokenHash, ApiTokenIdentity Identity, DateTime? ExpiresAt, DateTime? LastUsedAt, ApiCaller LastCaller, bool IsRevoked, bool HolderIsStaff);

    private sealed record Lookup(ApiTokenHash Hash, TaskCompletionSource<Row?> Result);

    /// <summary>A batch being answered; ended once, by its loop when done or by <see cref="HandOn"/>.</summary>
    private sealed class Answering
    {
        private int _ended;

        public bool TryEnd() => Interlocked.Exchange(ref _ended, 1) == 0;
    }

    /// <summary>
    /// Closes the connections the lookups keep open, as <c>SqliteConnection.ClearAllPools</c> does for the pool's (a
    /// database file replaced under a running node is read again only by new connections); later lookups open new ones.
    /// </summary>
    public void CloseConnections()
    {
        if (_sqlite.IsValueCreated)
        {
            _sqlite.Value?.Dispose();
        }

        while (_idle.TryTake(out var db))
        {
            try
            {
                db.Dialect.EndLookupSession(db);
            }
            catch (Exception exception) when (exception is DbException or InvalidOperationException)
            {
                // A connection that no longer answers: disposing it closes it, and the pool does not keep it.
            }

            db.Dispose();
        }
    }

    public void Dispose()
    {
        _handOnTimer?.Dispose();
        CloseConnections();
    }

    /// <summary>
    /// SQLite answers in-process and at once, so a miss is looked up on the request's own thread, with no hand-off to
    /// another. Its statement is prepared once per connection and kept: Microsoft.Data.Sqlite prepares a statement
    /// per command, EF Core makes a new command for every query, and parsing the statement again was the largest part
    /// of SQLite's work on a miss (bench/RESULTS.md). The connections stay open, one per lookup under way.
    /// </summary>
    private sealed class SqliteLookups(IDbContextFactory<BeatPassDbContext> dbFactory) : IDisposable
    {
        // Idle connections kept: as many as lookups can run at once, one per core, and some to spare.
        private static readonly int MaxIdle = 2 * Environment.ProcessorCount;

        private readonly ConcurrentBag<PreparedLookup> _idle = [];

        public static SqliteLookups? For(IDbContextFactory<BeatPassDbContext> dbFactory)
        {
            using var db = dbFactory.CreateDbContext();
            return db.Dialect.Provider == DatabaseProvider.Sqlite ? new SqliteLookups(dbFactory) : null;
        }

        public Row? Find(ApiTokenHash hash)
        {
            var lookup = _idle.TryTake(out var idle) ? idle : PreparedLookup.Open(dbFactory);
            try
            {
                var row = lookup.Find(hash);
                if (_idle.Count < MaxIdle)
                {
                    _idle.Add(lookup);
                    lookup = null;
                }

                return row;
            }
            finally
            {
                lookup?.Dispose(); // one too many, or one that failed
            }
        }

        public void Dispose()
        {
            while (_idle.TryTake(out var lookup))
            {
                lookup.Dispose();
            }
        }
    }

    /// <summary>The lookup of one token, prepared on a connection that stays open.</summary>
    private sealed class PreparedLookup : IDisposable
    {
        private readonly BeatPassDbContext _db;
        private readonly PreparedCommand _command;

        /// <summary>A new connection with the lookup prepared on it; its context goes back to the pool if that fails.</summary>
        public static PreparedLookup Open(IDbContextFactory<BeatPassDbContext> dbFactory)
        {
            var db = dbFactory.CreateDbContext();
            try
            {
                return new PreparedLookup(db);
            }
            catch
            {
                db.Dispose();
                throw;
            }
        }

        private PreparedLookup(BeatPassDbContext db)
        {
            _db = db;
            _command = new PreparedCommand(db, Sql(hashCondition: "t.\"TokenHash\" = @hash", staffRole: "@staff"),
                ("hash", typeof(byte[])), ("staff", typeof(string)));
        }

        public Row? Find(ApiTokenHash hash)
        {
            var tokenHash = hash.ToArray();
            return _command.ReadFirstOrDefault(stored => ReadRow(stored, tokenHash), tokenHash, BeatPassRoles.StaffNormalized);
        }

        public void Dispose()
        {
            _command.Dispose();
            _db.Dispose(); // closes the connection and returns the context to its pool
        }
    }
}

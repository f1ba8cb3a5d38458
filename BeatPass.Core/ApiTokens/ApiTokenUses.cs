using System.Buffers;
using System.Collections.Concurrent;
using System.Data.Common;
using System.Net;
using System.Text;
using System.Text.Json;
using BeatPass.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BeatPass.Core.ApiTokens;

/// <summary>
/// Who presented a token: the client's address (the forwarded one only from a known proxy, as the forwarded headers
/// middleware decides) and its <c>User-Agent</c>. Either may be unknown. A service that introspected the token is
/// named instead (its own address and user agent are not the token user's).
/// </summary>
public readonly record struct ApiCaller(IPAddress? Address, string? UserAgent, string? Service = null);

/// <summary>
/// A token's last use, its last few client addresses and its last user agent, kept in memory and written in batches
/// (<see cref="ApiTokenUsesWriter"/>), so that no API request waits for a write. Each write is one transaction that
/// updates its rows in id order, so writers on several nodes never deadlock, and it keeps whichever time is newer, so a
/// last-used time never goes backwards. A crash loses what waits: at most
/// <see cref="ApiTokenOptions.LastUsedWriteInterval"/> of uses.
/// </summary>
public sealed class ApiTokenUses
{
    private readonly IDbContextFactory<BeatPassDbContext> dbFactory;
    private readonly ILogger<ApiTokenUses> logger;
    private readonly BeatPassMetrics metrics;

    public ApiTokenUses(IDbContextFactory<BeatPassDbContext> dbFactory, ILogger<ApiTokenUses> logger, BeatPassMetrics metrics)
    {
        this.dbFactory = dbFactory;
        this.logger = logger;
        this.metrics = metrics;
        metrics.ObserveGauge("beatpass.api_token.uses.waiting", "{token}", "Tokens whose last use waits to be written.", () => WaitingCount);
    }

    /// <summary>How many distinct client addresses are kept per token.</summary>
    public const int MaxAddresses = 5;

    /// <summary>Room for <see cref="MaxAddresses"/> addresses in text (an IPv6 address has at most 45 characters) and the spaces between.</summary>
    public const int MaxLastUsedFromLength = MaxAddresses * 46;

    public const int MaxUserAgentLength = 256;

    /// <summary>The addresses stored in <see cref="ApiToken.LastUsedFrom"/>, newest first.</summary>
    public static string[] StoredAddresses(string? lastUsedFrom) => (lastUsedFrom ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>
    /// How many tokens' uses may wait at once: a bound on memory. Uses of further tokens are dropped (and counted in the
    /// log) until the next write; uses of tokens already waiting are always kept.
    /// </summary>
    public const int MaxWaitingTokens = 100_000;

    // Rows per UPDATE.
    private const int RowsPerStatement = 500;

    private readonly ConcurrentDictionary<Guid, WaitingUse> _waiting = new();
    private readonly SemaphoreSlim _writing = new(1, 1);
    private int _waitingCount;
    private long _dropped;

    public int WaitingCount => Volatile.Read(ref _waitingCount);

    /// <summary>The time of the token's use that waits to be written, if one does.</summary>
    public DateTime? WaitingUseAt(Guid tokenId) => _waiting.TryGetValue(tokenId, out var waiting) ? waiting.At : null;

    /// <summary>Notes a use of the token, to be written with the next batch. Never waits for the database.</summary>
    public void Record(Guid tokenId, DateTime at, ApiCaller caller) =>
        Record(tokenId, at, caller.Address is { } address ? [Describe(address)] : [],
            StoredText.Truncate(string.IsNullOrWhiteSpace(caller.UserAgent) ? null : caller.UserAgent, MaxUserAgentLength), caller.Service);

    private void Record(Guid tokenId, DateTime at, IReadOnlyList<string> addresses, string? userAgent, string? service)
    {
        while (true)
        {
            if (!_waiting.TryGetValue(tokenId, out var waiting))
            {
                if (WaitingCount >= MaxWaitingTokens)
                {
                    Interlocked.Increment(ref _dropped);
                    return;
                }

                var added = new WaitingUse();
                if (_waiting.TryAdd(tokenId, added))
                {
                    Interlocked.Increment(ref _waitingCount);
                }

                continue;
            }

            // False when a write took it meanwhile: then start a new one.
            if (waiting.TryAdd(at, addresses, userAgent, service))
            {
                return;
            }
        }
    }

    /// <summary>Writes every use that waits, in one transaction; on failure they wait for the next write.</summary>
    public async Task WriteAsync(CancellationToken cancellationToken = default)
    {
        await _writing.WaitAsync(cancellationToken);
        try
        {
            var uses = TakeWaiting();
            var dropped = Interlocked.Exchange(ref _dropped, 0);
            if (dropped > 0)
            {
                logger.LogWarning("{Count} token uses were not recorded: {Max} tokens' uses were already waiting to be written.",
                    dropped, MaxWaitingTokens);
            }

            if (uses.Count == 0)
            {
                return;
            }

            try
            {
                await StoreAsync(uses, cancellationToken);
                metrics.UsesWritten(uses.Count);
            }
            catch (Exception e)
            {
                foreach (var use in uses)
                {
                    Record(use.TokenId, use.At, use.Addresses, use.UserAgent, use.Service);
                }

                if (e is not OperationCanceledException)
                {
                    logger.LogWarning(e, "Could not record the last use of {Count} tokens; trying again with the next write.", uses.Count);
                }

                throw;
            }
        }
        finally
        {
            _writing.Release();
        }
    }

    private List<Use> TakeWaiting()
    {
        var uses = new List<Use>();
        foreach (var tokenId in _waiting.Keys)
        {
            if (_waiting.TryRemove(tokenId, out var waiting))
            {
                Interlocked.Decrement(ref _waitingCount);
                uses.Add(waiting.Take(tokenId));
            }
        }

        // Guid's order is the databases' order of the Id column (the hex digits, left to right), so rows are locked in
        // the same order by every node, across statements too.
        uses.Sort((a, b) => a.TokenId.CompareTo(b.TokenId));
        return uses;
    }

    private async Task StoreAsync(List<Use> uses, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (db.Dialect.Provider == DatabaseProvider.Sqlite)
        {
            await StoreOnSqliteAsync(db, uses, cancellationToken);
        }
        else
        {
            await StoreInBatchesAsync(db, uses, cancellationToken);
        }
    }

    /// <summary>
    /// SQLite answers in-process, so there is no round trip to save, but each statement run has a cost of its own, for
    /// SQLite and the app (a fifth of the write when it ran one a row): the uses that can simply replace what their row
    /// says are written <see cref="RowsPerStatement"/> to a statement that takes them as one JSON text (not EF Core's
    /// statements of 500 rows and 2,500 parameters); the few others are read by their id, merged, then written in the
    /// order they lie in the file (their rowid) (bench/RESULTS.md has what each step saved). One node writes a SQLite
    /// file: there is no other writer whose order to keep to.
    /// </summary>
    private static async Task StoreOnSqliteAsync(BeatPassDbContext db, List<Use> uses, CancellationToken cancellationToken)
    {
        // SQLite's temporary storage (the statement journal it keeps in case an update must be undone: the table has
        // triggers) in memory, not in a file: under perf a third of the write's time was writing that file, and the
        // write took half the time without it (bench/RESULTS.md). Set outside the transaction, and set back after it.
        await db.Database.OpenConnectionAsync(cancellationToken);
        await db.Database.ExecuteSqlRawAsync("PRAGMA temp_store = MEMORY", cancellationToken);
        try
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            WriteOnSqlite(db, uses);
            await transaction.CommitAsync(cancellationToken);
        }
        finally
        {
            await db.Database.ExecuteSqlRawAsync("PRAGMA temp_store = DEFAULT", CancellationToken.None);
        }
    }

    private static void WriteOnSqlite(BeatPassDbContext db, List<Use> uses)
    {
        // Most uses are newer than their row and come from the addresses it holds, or it holds none (a first use): such a
        // row takes the use as it is. RowsPerStatement of them are offered to one statement, as a JSON array; it returns
        // the ids it updated. The others are read and merged below.
        using var replace = new PreparedCommand(db, """
            UPDATE "ApiTokens" AS t
            SET "LastUsedAt" = u.value ->> 1, "LastUsedFrom" = u.value ->> 2, "LastUsedUserAgent" = u.value ->> 3,
                "LastUsedByService" = u.value ->> 4
            FROM json_each(@uses) AS u
            WHERE t."Id" = u.value ->> 0 AND (t."LastUsedAt" IS NULL OR t."LastUsedAt" < u.value ->> 1)
                AND (t."LastUsedFrom" IS NULL OR t."LastUsedFrom" IS u.value ->> 2)
            RETURNING "Id"
            """, ("uses", typeof(string)));
        var toMerge = new List<Use>();
        foreach (var batch in uses.Chunk(RowsPerStatement))
        {
            var replaced = replace.ReadAll(row => row.GetGuid(0), AsJson(batch)).ToHashSet();
            toMerge.AddRange(batch.Where(use => !replaced.Contains(use.TokenId)));
        }

        using var read = new PreparedCommand(db,
            """SELECT "LastUsedAt", "LastUsedFrom", "LastUsedUserAgent", "LastUsedByService", rowid FROM "ApiTokens" WHERE "Id" = @id""",
            ("id", typeof(Guid)));
        var rows = new List<(long RowId, StoredUse Row)>(toMerge.Count);
        foreach (var use in toMerge)
        {
            // A token deleted meanwhile has no row: its use is dropped with it.
            if (read.ReadFirstOrDefault<(long RowId, StoredUse Stored)?>(row => (row.GetInt64(4), ReadStoredUse(row)), use.TokenId) is { } stored
                && Merge(use, stored.Stored) is { } merged)
            {
                rows.Add((stored.RowId, merged));
            }
        }

        rows.Sort((a, b) => a.RowId.CompareTo(b.RowId));
        using var write = new PreparedCommand(db, """
            UPDATE "ApiTokens" SET "LastUsedAt" = @at, "LastUsedFrom" = @addresses, "LastUsedUserAgent" = @userAgent,
                "LastUsedByService" = @service
            WHERE rowid = @rowId
            """, ("rowId", typeof(long)), ("at", typeof(DateTime)), ("addresses", typeof(string)), ("userAgent", typeof(string)),
            ("service", typeof(string)));
        foreach (var (rowId, row) in rows)
        {
            write.ExecuteNonQuery(rowId, row.LastUsedAt, EmptyAsNull(row.LastUsedFrom), EmptyAsNull(row.LastUsedUserAgent),
                EmptyAsNull(row.LastUsedByService));
        }
    }

    /// <summary>
    /// PostgreSQL: a round trip per <see cref="RowsPerStatement"/> rows, each statement taking one array per column, so
    /// its text is the same for any number of rows (prepared once per connection) and the app binds five parameters, not
    /// thousands. The statement merges each use with its row as <see cref="Merge"/> does, in the row it updates: no read
    /// first, and no lock but the update's own. Should another node update a row meanwhile, PostgreSQL waits for it and
    /// then works out the new values from the row as that node left it (read committed), so the newer time still wins.
    /// The rows are updated in the order of the ids given (an index lookup for each, in turn), which every node sorts
    /// alike, so two writers never wait on each other in a circle.
    /// </summary>
    private static async Task StoreInBatchesAsync(BeatPassDbContext db, List<Use> uses, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.Dialect.FindRowsByKeyAsync(db, cancellationToken);
        foreach (var batch in uses.Chunk(RowsPerStatement))
        {
            // A token deleted meanwhile has no row: its use is dropped with it.
            await db.Database.ExecuteSqlRawAsync($$"""
                UPDATE "ApiTokens" AS t
                SET "LastUsedAt" = GREATEST(t."LastUsedAt", v.at),
                    "LastUsedUserAgent" = CASE WHEN v.at > coalesce(t."LastUsedAt", '-infinity') THEN v.user_agent ELSE t."LastUsedUserAgent" END,
                    "LastUsedByService" = CASE WHEN v.at > coalesce(t."LastUsedAt", '-infinity') THEN v.service ELSE t."LastUsedByService" END,
                    -- The addresses of both, the newer use's first, each once, at most five; most rows store none yet, or the same.
                    "LastUsedFrom" = CASE WHEN t."LastUsedFrom" IS NULL OR t."LastUsedFrom" = v.addresses THEN coalesce(v.addresses, t."LastUsedFrom") ELSE (
                        SELECT string_agg(address, ' ' ORDER BY position) FROM (
                            SELECT address, min(position) AS position
                            FROM unnest(CASE WHEN v.at > coalesce(t."LastUsedAt", '-infinity')
                                THEN string_to_array(v.addresses, ' ') || string_to_array(t."LastUsedFrom", ' ')
                                ELSE string_to_array(t."LastUsedFrom", ' ') || string_to_array(v.addresses, ' ') END)
                                WITH ORDINALITY AS a(address, position)
                            GROUP BY address ORDER BY position LIMIT {{MaxAddresses}}) AS kept) END
                FROM unnest({0}, {1}, {2}, {3}, {4}) AS v(id, at, addresses, user_agent, service)
                WHERE t."Id" = v.id
                    -- An older use changes the row only with an address it lacks, while it has room for one.
                    AND (v.at > coalesce(t."LastUsedAt", '-infinity')
                        OR coalesce(cardinality(string_to_array(t."LastUsedFrom", ' ')), 0) < {{MaxAddresses}}
                            AND NOT string_to_array(v.addresses, ' ') <@ coalesce(string_to_array(t."LastUsedFrom", ' '), ARRAY[]::text[]))
                """,
                [
                    batch.Select(u => u.TokenId).ToArray(), batch.Select(u => u.At).ToArray(),
                    batch.Select(u => u.LastUsedFrom).ToArray(), batch.Select(u => u.UserAgent).ToArray(),
                    batch.Select(u => u.Service).ToArray(),
                ],
                cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    // Each use as [id, at, addresses, user agent, service], in the text SQLite stores them in.
    private static string AsJson(IEnumerable<Use> uses)
    {
        var json = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(json))
        {
            writer.WriteStartArray();
            foreach (var use in uses)
            {
                writer.WriteStartArray();
                writer.WriteStringValue(use.TokenId.ToString("D").ToUpperInvariant()); // as EF Core stores a Guid in SQLite
                writer.WriteStringValue(StoredTime.Format(use.At));
                writer.WriteStringValue(use.LastUsedFrom);
                writer.WriteStringValue(use.UserAgent);
                writer.WriteStringValue(use.Service);
                writer.WriteEndArray();
            }

            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(json.WrittenSpan);
    }

    private static StoredUse ReadStoredUse(DbDataReader row) => new(
        StoredTime.UtcOrNull(row, 0),
        row.IsDBNull(1) ? null : row.GetString(1),
        row.IsDBNull(2) ? null : row.GetString(2),
        row.IsDBNull(3) ? null : row.GetString(3));

    private static string? EmptyAsNull(string? text) => string.IsNullOrEmpty(text) ? null : text;

    /// <summary>
    /// The row as it should be after this use, or null when it says as much already: the newer time, its user agent and
    /// its service win, and the addresses of both are kept, the newer use's first.
    /// </summary>
    private static StoredUse? Merge(Use use, StoredUse stored)
    {
        var storedAddresses = StoredAddresses(stored.LastUsedFrom);
        var newer = stored.LastUsedAt is not { } storedAt || use.At > storedAt;
        var addresses = string.Join(' ', (newer ? use.Addresses.Concat(storedAddresses) : storedAddresses.Concat(use.Addresses))
            .Distinct()
            .Take(MaxAddresses));
        if (!newer && addresses == (stored.LastUsedFrom ?? ""))
        {
            return null;
        }

        return newer
            ? new StoredUse(use.At, addresses, use.UserAgent, use.Service)
            : stored with { LastUsedFrom = addresses };
    }

    private static string Describe(IPAddress address) => (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();

    private sealed record Use(Guid TokenId, DateTime At, IReadOnlyList<string> Addresses, string? UserAgent, string? Service)
    {
        /// <summary>The addresses as <see cref="ApiToken.LastUsedFrom"/> stores them: newest first, or null for none.</summary>
        public string? LastUsedFrom => EmptyAsNull(string.Join(' ', Addresses));
    }

    /// <summary>The columns a write reads and sets; empty text is stored as null.</summary>
    private sealed record StoredUse(DateTime? LastUsedAt, string? LastUsedFrom, string? LastUsedUserAgent, string? LastUsedByService);

    /// <summary>One token's uses since the last write, merged.</summary>
    private sealed class WaitingUse
    {
        private readonly Lock _lock = new();
        private readonly List<string> _addresses = new(1);
        private DateTime _at;
        private string? _userAgent;
        private string? _service;
        private bool _taken;

        public DateTime At
        {
            get
            {
                lock (_lock)
                {
                    return _at;
                }
            }
        }

        /// <summary>False once <see cref="Take"/> has run: the caller records it anew.</summary>
        public bool TryAdd(DateTime at, IReadOnlyList<string> addresses, string? userAgent, string? service)
        {
            lock (_lock)
            {
                if (_taken)
                {
                    return false;
                }

                var newest = at >= _at;
                if (newest)
                {
                    _at = at;
                    _userAgent = userAgent;
                    _service = service;
                }

                foreach (var address in addresses.Reverse())
                {
                    if (newest)
                    {
                        _addresses.Remove(address);
                        _addresses.Insert(0, address);
                    }
                    else if (!_addresses.Contains(address))
                    {
                        _addresses.Add(address);
                    }
                }

                if (_addresses.Count > MaxAddresses)
                {
                    _addresses.RemoveRange(MaxAddresses, _addresses.Count - MaxAddresses);
                }

                return true;
            }
        }

        public Use Take(Guid tokenId)
        {
            lock (_lock)
            {
                _taken = true;
                return new Use(tokenId, _at, [.. _addresses], _userAgent, _service);
            }
        }
    }
}

/// <summary>
/// Writes <see cref="ApiTokenUses"/> every <see cref="ApiTokenOptions.LastUsedWriteInterval"/>, and once more when the
/// node stops gracefully.
/// </summary>
public sealed class ApiTokenUsesWriter(ApiTokenUses uses, IOptions<ApiTokenOptions> options, ILogger<ApiTokenUsesWriter> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.LastUsedWriteInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await WriteAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await WriteAsync(cancellationToken);
    }

    private async Task WriteAsync(CancellationToken cancellationToken)
    {
        try
        {
            await uses.WriteAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Logged by ApiTokenUses; the uses wait for the next write.
            logger.LogDebug(e, "Writing token uses failed.");
        }
    }
}

using System.Collections.Concurrent;
using System.Data.Common;
using BeatPass.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace BeatPass.Core.ApiTokens;

/// <summary>
/// Looks up the tokens the cache missed, many in one query. A lookup never waits for a timer: when no query is under
/// way its own starts at once, and the lookups that arrive while queries run go together into the next one. So a
/// quiet node pays one query per miss, as before, and a busy one (a restart under load, many scripts each calling
/// now and then) pays one round trip for a batch of tokens instead of one per token.
/// </summary>
internal sealed class ApiTokenLookups(IDbContextFactory<BeatPassDbContext> dbFactory)
{
    /// <summary>Tokens per query at most: a bound on the statement's parameters.</summary>
    public const int MaxBatch = 100;

    // Queries under way at once: enough to keep every core busy while another query waits for the database, few
    // enough that the lookups arriving meanwhile make batches.
    internal static readonly int MaxQueries = Math.Max(2, Environment.ProcessorCount);

    private readonly ConcurrentQueue<Lookup> _waiting = new();
    private int _queries;

    /// <summary>
    /// The token with this hash if its holder has developer access (revoked or not: a revoked one is refused as
    /// such), with whether its holder is staff; null otherwise.
    /// </summary>
    public Task<Row?> FindAsync(ApiTokenHash hash)
    {
        // Completed by the query's thread; each waiting request goes on with its own work on a thread of its own.
        var lookup = new Lookup(hash, new TaskCompletionSource<Row?>(TaskCreationOptions.RunContinuationsAsynchronously));
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
        try
        {
            var batch = new List<Lookup>(MaxBatch);
            while (TakeBatch(batch))
            {
                await QueryAsync(batch);
                batch.Clear();
            }
        }
        finally
        {
            Interlocked.Decrement(ref _queries);
            // A lookup may have been queued after the last batch was taken, while no room was left for a query.
            StartQueryIfRoom();
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

    private async Task QueryAsync(List<Lookup> batch)
    {
        try
        {
            var hashes = batch.Select(lookup => lookup.Hash.ToArray()).ToList();
            List<Row> rows;
            await using (var db = await dbFactory.CreateDbContextAsync())
            {
                rows = await ReadAsync(db, hashes);
            }

            var found = rows.ToDictionary(row => ApiTokenHash.From(row.TokenHash));
            foreach (var lookup in batch)
            {
                lookup.Result.TrySetResult(found.GetValueOrDefault(lookup.Hash));
            }
        }
        catch (Exception exception)
        {
            foreach (var lookup in batch)
            {
                lookup.Result.TrySetException(exception);
            }
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
        // Whether the holder is staff is read with the token: staff-only permissions work only while they are, and a
        // role change invalidates the cache like any other change to the account.
        var command = db.GetService<IRawSqlCommandBuilder>().Build($$"""
            SELECT t."TokenHash", t."Id", t."Name", t."UserId", u."UserName", u."Email", t."Permissions", t."ExpiresAt",
                t."LastUsedAt", t."RevokedAt" IS NOT NULL, EXISTS (
                    SELECT 1 FROM "AspNetUserRoles" AS ur INNER JOIN "AspNetRoles" AS r ON r."Id" = ur."RoleId"
                    WHERE ur."UserId" = t."UserId" AND r."NormalizedName" = {{{arguments.Length}}}), t."IssuedAt"
            FROM "ApiTokens" AS t INNER JOIN "AspNetUsers" AS u ON u."Id" = t."UserId"
            WHERE {{isOneOfTheHashes}} AND u."HasDeveloperAccess"
            """, [.. arguments, BeatPassRoles.StaffNormalized]);
        var rows = new List<Row>(hashes.Count);
        await using var reader = await command.RelationalCommand.ExecuteReaderAsync(new RelationalCommandParameterObject(
            db.GetService<IRelationalConnection>(), command.ParameterValues, readerColumns: null, db,
            db.GetService<IRelationalCommandDiagnosticsLogger>()));
        var stored = reader.DbDataReader;
        while (await stored.ReadAsync())
        {
            rows.Add(new Row(
                stored.GetFieldValue<byte[]>(0),
                new ApiTokenIdentity(stored.GetGuid(1), stored.GetString(2), stored.GetString(3), stored.GetString(4),
                    stored.GetString(5), stored.GetString(6)) { IssuedAt = UtcOrNull(stored, 11)!.Value, ExpiresAt = UtcOrNull(stored, 7) },
                UtcOrNull(stored, 7),
                UtcOrNull(stored, 8),
                IsRevoked: stored.GetBoolean(9),
                HolderIsStaff: stored.GetBoolean(10)));
        }

        return rows;
    }

    // Every time is stored in UTC; SQLite keeps no kind.
    private static DateTime? UtcOrNull(DbDataReader reader, int column) =>
        reader.IsDBNull(column) ? null : DateTime.SpecifyKind(reader.GetDateTime(column), DateTimeKind.Utc);

    /// <summary>A token as stored, whether BeatPass revoked it, and whether its holder is staff.</summary>
    public sealed record Row(byte[] TokenHash, ApiTokenIdentity Identity, DateTime? ExpiresAt, DateTime? LastUsedAt, bool IsRevoked, bool HolderIsStaff);

    private sealed record Lookup(ApiTokenHash Hash, TaskCompletionSource<Row?> Result);
}

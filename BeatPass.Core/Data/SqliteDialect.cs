using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace BeatPass.Core.Data;

/// <summary>The embedded single-node database: one file, one node, one writer at a time.</summary>
public sealed class SqliteDialect : DatabaseDialect<SqliteBeatPassDbContext>
{
    public static SqliteDialect Instance { get; } = new();

    private SqliteDialect()
    {
    }

    public override DatabaseProvider Provider => DatabaseProvider.Sqlite;

    public override bool IsSharedByNodes => false;

    /// <summary>Always: one node owns its file.</summary>
    public override bool MigratesOnStart(DatabaseOptions options) => true;

    /// <summary>Nothing to do: a write transaction already holds the whole database.</summary>
    public override Task LockAccountAsync(BeatPassDbContext db, string userId, CancellationToken cancellationToken) => Task.CompletedTask;

    public override (string Condition, object[] Arguments) IsAnyOf(string column, IReadOnlyList<byte[]> values) =>
        ($"{column} IN ({string.Join(", ", values.Select((_, i) => $"{{{i}}}"))})", [.. values]);

    /// <summary>How often the node reads the change log for changes another process made to the file.</summary>
    public static readonly TimeSpan ChangeLogPollInterval = TimeSpan.FromSeconds(1);

    // Rows the node has read are deleted this often, not on every read: each delete takes the file's write lock.
    private static readonly TimeSpan ChangeLogPruneInterval = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Reads the change log (table <c>AccountChanges</c>, filled by triggers on tokens, accounts and their roles;
    /// migration <c>AccountChangeLog</c>) once a second. The node's own changes reach its cache in-process already;
    /// this is how it hears of another process writing the same file: the <c>make-staff</c> command while the app
    /// runs, or a hand edit.
    /// </summary>
    public override async Task ListenForAccountChangesAsync(
        string connectionString, Action onListening, Action<string, DateTime?> onChange, CancellationToken cancellationToken)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        long seen;
        await using (var last = new SqliteCommand("""SELECT COALESCE(MAX("Id"), 0) FROM "AccountChanges";""", connection))
        {
            seen = (long)(await last.ExecuteScalarAsync(cancellationToken))!;
        }

        onListening();
        var sincePrune = Stopwatch.StartNew();
        var pruned = seen;
        using var timer = new PeriodicTimer(ChangeLogPollInterval);
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            var changed = new HashSet<string>();
            await using (var read = new SqliteCommand("""SELECT "Id", "UserId" FROM "AccountChanges" WHERE "Id" > @seen ORDER BY "Id";""", connection))
            {
                read.Parameters.AddWithValue("@seen", seen);
                await using var rows = await read.ExecuteReaderAsync(cancellationToken);
                while (await rows.ReadAsync(cancellationToken))
                {
                    seen = rows.GetInt64(0);
                    changed.Add(rows.GetString(1));
                }
            }

            foreach (var userId in changed)
            {
                onChange(userId, null);
            }

            if (seen > pruned && sincePrune.Elapsed >= ChangeLogPruneInterval)
            {
                await using var prune = new SqliteCommand("""DELETE FROM "AccountChanges" WHERE "Id" <= @seen;""", connection);
                prune.Parameters.AddWithValue("@seen", seen);
                await prune.ExecuteNonQueryAsync(cancellationToken);
                pruned = seen;
                sincePrune.Restart();
            }
        }
    }

    /// <summary>Write-ahead logging, so readers go on while one request writes.</summary>
    public override async Task AfterMigrationAsync(BeatPassDbContext db, CancellationToken cancellationToken) =>
        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);

    protected override DbContextOptionsBuilder UseProvider(DbContextOptionsBuilder options, string connectionString) =>
        options.UseSqlite(connectionString);
}

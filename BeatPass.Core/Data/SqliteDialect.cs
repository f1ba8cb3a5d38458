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

    /// <summary>Write-ahead logging, so readers go on while one request writes.</summary>
    public override async Task AfterMigrationAsync(BeatPassDbContext db, CancellationToken cancellationToken) =>
        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);

    protected override DbContextOptionsBuilder UseProvider(DbContextOptionsBuilder options, string connectionString) =>
        options.UseSqlite(connectionString);
}

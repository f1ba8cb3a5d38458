using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;

namespace BeatPass.Core.Data;

/// <summary>Which database BeatPass runs on: <c>Database:Provider</c>, <c>Sqlite</c> (the default) or <c>PostgreSQL</c>.</summary>
public enum DatabaseProvider
{
    Sqlite,
    PostgreSql,
}

public static class DatabaseSettings
{
    public const string ProviderKey = "Database:Provider";
    public const string MigrateOnStartKey = "Database:MigrateOnStart";

    public static DatabaseProvider Provider(IConfiguration configuration) => configuration[ProviderKey] switch
    {
        null or "" or "Sqlite" => DatabaseProvider.Sqlite,
        "PostgreSQL" => DatabaseProvider.PostgreSql,
        var other => throw new InvalidOperationException(
            $"{ProviderKey} is \"{other}\". Set it to Sqlite (the default, one node) or PostgreSQL (several nodes)."),
    };

    /// <summary>
    /// Locks the account's row until the transaction ends, so checks and writes about one account (token limit,
    /// unique names, access) cannot interleave. On SQLite a write transaction already holds the whole database.
    /// </summary>
    public static async Task LockAccountAsync(this BeatPassDbContext db, string userId, CancellationToken cancellationToken)
    {
        if (db.Database.IsNpgsql())
        {
            await db.Database.ExecuteSqlAsync($"SELECT 1 FROM \"AspNetUsers\" WHERE \"Id\" = {userId} FOR UPDATE", cancellationToken);
        }
    }
}

/// <summary>Hands out the configured provider's context as the <see cref="BeatPassDbContext"/> the code uses.</summary>
internal sealed class BeatPassDbContextFactory<TContext>(IDbContextFactory<TContext> inner) : IDbContextFactory<BeatPassDbContext>
    where TContext : BeatPassDbContext
{
    public BeatPassDbContext CreateDbContext() => inner.CreateDbContext();
}

using BeatPass.Core;
using BeatPass.Core.Data;
using BeatPass.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace BeatPass.Tests.Core;

/// <summary>Choosing the database, and each provider's migrations.</summary>
public sealed class DatabaseProviderTests
{
    [Fact]
    public void Each_providers_migrations_match_the_model()
    {
        using var sqlite = new SqliteBeatPassDbContext(new DbContextOptionsBuilder<SqliteBeatPassDbContext>().UseSqlite("Data Source=:memory:").Options);
        using var postgreSql = new PostgreSqlBeatPassDbContext(
            new DbContextOptionsBuilder<PostgreSqlBeatPassDbContext>().UseNpgsql("Host=localhost;Database=unused").Options);

        sqlite.Database.HasPendingModelChanges().Should().BeFalse("add a migration for SQLite (see the README)");
        postgreSql.Database.HasPendingModelChanges().Should().BeFalse("add a migration for PostgreSQL (see the README)");
        sqlite.Database.GetMigrations().Should().NotBeEmpty();
        postgreSql.Database.GetMigrations().Should().NotBeEmpty().And.NotIntersectWith(sqlite.Database.GetMigrations());
    }

    [Theory]
    [InlineData("Postgres")]
    [InlineData("sqlserver")]
    public void A_wrong_provider_fails_with_a_message_naming_the_setting(string provider)
    {
        using var services = Services(new() { ["Database:Provider"] = provider, ["ConnectionStrings:BeatPass"] = "Data Source=x.db" });

        var resolve = () => services.GetRequiredService<IDbContextFactory<BeatPassDbContext>>();

        resolve.Should().Throw<InvalidOperationException>().WithMessage($"*Database:Provider*\"{provider}\"*Sqlite*PostgreSQL*");
    }

    [Theory]
    [InlineData("Host=127.0.0.1;Database=beatpass", 50)]
    [InlineData("Host=127.0.0.1;Database=beatpass;Max Auto Prepare=0", 0)] // behind a pooler in transaction mode
    [InlineData("Host=127.0.0.1;Database=beatpass;maxautoprepare=7", 7)]
    public void PostgreSQL_connections_prepare_statements_sent_again_and_again_unless_the_connection_string_says_otherwise(
        string connectionString, int maxAutoPrepare)
    {
        using var services = Services(new() { ["Database:Provider"] = "PostgreSQL", ["ConnectionStrings:BeatPass"] = connectionString });
        using var db = services.GetRequiredService<IDbContextFactory<BeatPassDbContext>>().CreateDbContext();

        new NpgsqlConnectionStringBuilder(db.Database.GetConnectionString()).MaxAutoPrepare.Should().Be(maxAutoPrepare);
    }

    [Fact]
    public async Task A_PostgreSQL_node_migrates_at_start_only_when_told_to_and_the_migrate_step_does_it_once()
    {
        var empty = await PostgreSqlTestServer.CreateEmptyDatabaseAsync();
        try
        {
            var settings = new Dictionary<string, string?> { ["Database:Provider"] = "PostgreSQL", ["ConnectionStrings:BeatPass"] = empty };
            await using (var node = Services(settings))
            {
                await node.MigrateOnStartAsync();
                (await AppliedMigrationsAsync(node)).Should().BeEmpty("Database:MigrateOnStart is off by default on PostgreSQL");
            }

            settings["Database:MigrateOnStart"] = "true";
            await using (var node = Services(settings))
            {
                await node.MigrateOnStartAsync();
                (await AppliedMigrationsAsync(node)).Should().NotBeEmpty();
                await node.MigrateBeatPassDatabaseAsync(); // again: nothing left to do, no error
            }
        }
        finally
        {
            await PostgreSqlTestServer.DropDatabaseAsync(empty);
        }
    }

    private static ServiceProvider Services(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddLogging();
        builder.AddBeatPassCore();
        return builder.Services.BuildServiceProvider();
    }

    private static async Task<List<string>> AppliedMigrationsAsync(IServiceProvider services)
    {
        await using var db = await services.GetRequiredService<IDbContextFactory<BeatPassDbContext>>().CreateDbContextAsync();
        try
        {
            return [.. await db.Database.GetAppliedMigrationsAsync()];
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            return [];
        }
    }
}

using BeatPass.Core.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace BeatPass.Tests.Infrastructure;

/// <summary>
/// The real PostgreSQL server ./test.sh starts (its connection string in <c>BEATPASS_TEST_POSTGRES</c>). Each test
/// database is a copy of one migrated template, made with <c>CREATE DATABASE … TEMPLATE</c>, which takes milliseconds.
/// </summary>
public static class PostgreSqlTestServer
{
    public const string EnvironmentVariable = "BEATPASS_TEST_POSTGRES";
    private const string Template = "beatpass_template";
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static bool _templateReady;

    /// <summary>The server's maintenance database; a clear failure (never a skip) when there is no server.</summary>
    public static string AdminConnectionString => Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } value
        ? value
        : throw new InvalidOperationException(
            $"The PostgreSQL tests need a PostgreSQL server. Run ./test.sh, which starts one, or set {EnvironmentVariable} " +
            "to the connection string of a server where these tests may create and drop databases.");

    /// <summary>A new, migrated, empty database; returns its connection string.</summary>
    public static async Task<string> CreateDatabaseAsync()
    {
        var name = $"beatpass_{Guid.NewGuid():N}";
        await Gate.WaitAsync();
        try
        {
            if (!_templateReady)
            {
                await ExecuteAsync($"DROP DATABASE IF EXISTS {Template} WITH (FORCE)");
                await ExecuteAsync($"CREATE DATABASE {Template}");
                var template = ConnectionStringFor(Template);
                await using (var db = new PostgreSqlBeatPassDbContext(new DbContextOptionsBuilder<PostgreSqlBeatPassDbContext>().UseNpgsql(template).Options))
                {
                    await db.Database.MigrateAsync();
                }

                // A template may have no open connection while it is copied.
                NpgsqlConnection.ClearPool(new NpgsqlConnection(template));
                _templateReady = true;
            }

            await ExecuteAsync($"CREATE DATABASE {name} TEMPLATE {Template}");
        }
        finally
        {
            Gate.Release();
        }

        return ConnectionStringFor(name);
    }

    /// <summary>A new database with nothing in it, not even the migrations; returns its connection string.</summary>
    public static async Task<string> CreateEmptyDatabaseAsync()
    {
        var name = $"beatpass_{Guid.NewGuid():N}";
        await ExecuteAsync($"CREATE DATABASE {name}");
        return ConnectionStringFor(name);
    }

    public static async Task DropDatabaseAsync(string connectionString)
    {
        NpgsqlConnection.ClearPool(new NpgsqlConnection(connectionString));
        await ExecuteAsync($"DROP DATABASE IF EXISTS {new NpgsqlConnectionStringBuilder(connectionString).Database} WITH (FORCE)");
    }

    private static string ConnectionStringFor(string database) =>
        new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = database }.ConnectionString;

    private static async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}

using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace BeatPass.Core.Data;

/// <summary>The database several nodes share.</summary>
public sealed class PostgreSqlDialect : DatabaseDialect<PostgreSqlBeatPassDbContext>
{
    /// <summary>
    /// The channel that triggers on <c>ApiTokens</c> and <c>AspNetUsers</c> (migration <c>TokenChangeNotifications</c>)
    /// and on <c>AspNetUserRoles</c> (migration <c>TokenPermissions</c>: staff-only permissions follow the role) notify
    /// on, inside the changing transaction: delivered when it commits, dropped when it rolls back. The payload
    /// is the account's id.
    /// </summary>
    public const string AccountChangesChannel = "beatpass_api_token_changes";

    public static PostgreSqlDialect Instance { get; } = new();

    private PostgreSqlDialect()
    {
    }

    public override DatabaseProvider Provider => DatabaseProvider.PostgreSQL;

    public override bool IsSharedByNodes => true;

    /// <summary>Only with <c>Database:MigrateOnStart</c>: several nodes share it, and the <c>migrate</c> command applies migrations once, before they start.</summary>
    public override bool MigratesOnStart(DatabaseOptions options) => options.MigrateOnStart;

    public override async Task LockAccountAsync(BeatPassDbContext db, string userId, CancellationToken cancellationToken) =>
        await db.Database.ExecuteSqlAsync($"SELECT 1 FROM \"AspNetUsers\" WHERE \"Id\" = {userId} FOR UPDATE", cancellationToken);

    // One array parameter: the same statement for any number of values, so it is prepared once per connection.
    public override (string Condition, object[] Arguments) IsAnyOf(string column, IReadOnlyList<byte[]> values) =>
        ($"{column} = ANY ({{0}})", [values.ToArray()]);

    /// <summary>
    /// A prepared statement is still planned again on every run for as long as PostgreSQL judges plans for the values
    /// given cheaper than one plan for any values (<c>plan_cache_mode = auto</c>), and for the lookup's array of hashes it
    /// does. The lookup's best plan is the same whatever the hashes (the token hash's unique index, then the account's and
    /// its roles' keys), so its connections plan it once: under the all-misses bench (bench/RESULTS.md), 39–42 µs of
    /// PostgreSQL's CPU per miss against 56–67 µs with a plan per run.
    /// </summary>
    /// <remarks>
    /// Not with <c>Max Auto Prepare=0</c>: nothing is prepared then, and behind a pooler in transaction mode a session's
    /// setting would reach other clients.
    /// </remarks>
    public override async Task BeginLookupSessionAsync(BeatPassDbContext db)
    {
        if (PreparesStatements(db))
        {
            await db.Database.ExecuteSqlRawAsync("SET plan_cache_mode = force_generic_plan");
        }
    }

    /// <summary>
    /// Npgsql resets a connection's settings when the pool hands it out again, unless the connection string says
    /// <c>No Reset On Close</c>: the lookup's setting is undone here all the same.
    /// </summary>
    public override void EndLookupSession(BeatPassDbContext db)
    {
        if (PreparesStatements(db))
        {
            db.Database.ExecuteSqlRaw("RESET plan_cache_mode");
        }
    }

    /// <summary>
    /// PostgreSQL's planner judged one pass over a 40,000-row tokens table cheaper than 500 primary-key lookups, so each
    /// of the last-used writer's <c>SELECT</c> and <c>UPDATE … FROM (VALUES …)</c> batches read the whole table
    /// (bench/RESULTS.md: 2.4 million rows read for 30,000 first uses). Local to the transaction: nothing else is affected.
    /// With a lookup for each id in turn, the writer also updates its rows in the order of the ids it gives, which is what
    /// keeps two nodes' writers from waiting on each other in a circle.
    /// </summary>
    public override async Task FindRowsByKeyAsync(BeatPassDbContext db, CancellationToken cancellationToken) =>
        await db.Database.ExecuteSqlRawAsync("SET LOCAL enable_seqscan = off", cancellationToken);

    private static bool PreparesStatements(BeatPassDbContext db) =>
        new NpgsqlConnectionStringBuilder(db.Database.GetConnectionString()).MaxAutoPrepare > 0;

    /// <summary>The <c>application_name</c> of each node's listening connection.</summary>
    public const string ListenerApplicationName = "BeatPass change listener";

    public override async Task ListenForAccountChangesAsync(
        string connectionString, Action onListening, Action<string, DateTime?> onChange, CancellationToken cancellationToken)
    {
        // Keepalives, so a connection that silently died (a restarted server, a dropped NAT entry) is noticed.
        var listenerConnectionString = new NpgsqlConnectionStringBuilder(connectionString)
        {
            KeepAlive = 10,
            TcpKeepAlive = true,
            Pooling = false,
            // So an operator (and a test) can tell it apart in pg_stat_activity: its last query changes with keepalives.
            ApplicationName = ListenerApplicationName,
        }.ConnectionString;
        await using var connection = new NpgsqlConnection(listenerConnectionString);
        connection.Notification += (_, notification) => onChange(UserIdOf(notification.Payload), ChangedAtOf(notification.Payload));
        await connection.OpenAsync(cancellationToken);
        await using (var listen = new NpgsqlCommand($"LISTEN {AccountChangesChannel}", connection))
        {
            await listen.ExecuteNonQueryAsync(cancellationToken);
        }

        onListening();
        while (true)
        {
            await connection.WaitAsync(cancellationToken);
        }
    }

    // A notification's payload is "userId epochMilliseconds" (migration ChangeNotificationTimes); before it, the id alone.
    private static string UserIdOf(string payload) => payload.Split(' ')[0];

    private static DateTime? ChangedAtOf(string payload) =>
        payload.Split(' ') is [_, var milliseconds] && long.TryParse(milliseconds, out var since)
            ? DateTime.UnixEpoch.AddMilliseconds(since)
            : null;

    /// <summary>
    /// Statements the app sends again and again (a token lookup on every cache miss) are prepared on each pooled
    /// connection after a few uses, so PostgreSQL stops parsing and planning them each time: <c>Max Auto Prepare</c>,
    /// unless the connection string sets it (<c>Max Auto Prepare=0</c> behind a pooler in transaction mode, which
    /// cannot keep prepared statements).
    /// </summary>
    protected override DbContextOptionsBuilder UseProvider(DbContextOptionsBuilder options, string connectionString) =>
        options.UseNpgsql(WithAutoPrepare(connectionString));

    private static string WithAutoPrepare(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        // Npgsql's ContainsKey is true for every keyword it knows, set or not; its ConnectionString names only those set,
        // under one spelling whichever was given (MaxAutoPrepare, max auto prepare).
        var given = new DbConnectionStringBuilder { ConnectionString = builder.ConnectionString };
        if (!given.ContainsKey("Max Auto Prepare"))
        {
            builder.MaxAutoPrepare = 50;
        }

        return builder.ConnectionString;
    }
}

// Measures the staff admin grid's queries (AccountsQuery.SearchAsync) over a database of
// 100,000 accounts: SQLite, or PostgreSQL with --provider PostgreSQL (connection string in BEATPASS_POSTGRES).
// Run with bench/admin-grid.sh; prints one table.
using System.Diagnostics;
using System.Security.Cryptography;
using BeatPass.Core;
using BeatPass.Core.Data;
using BeatPass.Core.DeveloperAccess;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

const int Accounts = 100_000;
const int Runs = 25;
const double BoundMilliseconds = 250; // generous: a person waiting on a grid page

var provider = args is ["--provider", var providerName] ? Enum.Parse<DatabaseProvider>(providerName) : DatabaseProvider.Sqlite;
var postgreSql = provider == DatabaseProvider.PostgreSQL;
var path = Path.Combine(Path.GetTempPath(), $"beatpass-admin-bench-{Guid.NewGuid():N}.db");
var connectionString = postgreSql
    ? Environment.GetEnvironmentVariable("BEATPASS_POSTGRES") ?? throw new InvalidOperationException("Set BEATPASS_POSTGRES (bench/admin-grid.sh does).")
    : $"Data Source={path}";
var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
{
    [DatabaseOptions.ProviderKey] = provider.ToString(),
    [DatabaseOptions.ConnectionStringKey] = connectionString,
});
builder.Services.AddLogging();
builder.AddBeatPassCore();
await using var services = builder.Services.BuildServiceProvider();
await services.MigrateBeatPassDatabaseAsync();

var seeding = Stopwatch.StartNew();
var staffId = postgreSql ? await SeedPostgreSqlAsync(connectionString) : Seed(path);
Console.WriteLine($"Seeded {Accounts:N0} accounts on {(postgreSql ? "PostgreSQL" : "SQLite")} in {seeding.Elapsed.TotalSeconds:F1} s");

var scenarios = new (string Name, AccountQuery Query)[]
{
    ("first page, by account", new AccountQuery()),
    ("page 2,000 of 4,000", new AccountQuery(Page: 2_000)),
    ("search one account", new AccountQuery("user-042424@")),
    ("search 'user-0424' (100 hits)", new AccountQuery("user-0424")),
    ("search matching all", new AccountQuery("example.com")),
    ("first page, by token count", new AccountQuery(SortBy: AccountSort.TokenCount, Descending: true)),
    ("first page, by last API use", new AccountQuery(SortBy: AccountSort.LastApiUse, Descending: true)),
};

Console.WriteLine();
Console.WriteLine($"| scenario | rows | total | median ms | p95 ms | within {BoundMilliseconds} ms |");
Console.WriteLine("| --- | ---: | ---: | ---: | ---: | --- |");
var allWithin = true;
foreach (var (name, query) in scenarios)
{
    await using var scope = services.CreateAsyncScope();
    var accounts = scope.ServiceProvider.GetRequiredService<AccountsQuery>();
    AccountPage page = null!;
    for (var i = 0; i < 3; i++)
    {
        page = await accounts.SearchAsync(staffId, query); // warm-up
    }

    var times = new List<double>();
    for (var i = 0; i < Runs; i++)
    {
        var watch = Stopwatch.StartNew();
        page = await accounts.SearchAsync(staffId, query);
        times.Add(watch.Elapsed.TotalMilliseconds);
    }

    times.Sort();
    var median = times[times.Count / 2];
    var p95 = times[(int)(times.Count * 0.95)];
    allWithin &= median <= BoundMilliseconds;
    Console.WriteLine($"| {name} | {page.Items.Count} | {page.TotalCount:N0} | {median:F1} | {p95:F1} | {(median <= BoundMilliseconds ? "yes" : "NO")} |");
}

SqliteConnection.ClearAllPools();
foreach (var suffix in new[] { "", "-wal", "-shm" })
{
    File.Delete(path + suffix);
}

Console.WriteLine();
Console.WriteLine(allWithin ? "All scenarios within the bound." : "Some scenarios exceeded the bound.");
return allWithin ? 0 : 1;

// The same accounts on PostgreSQL, made by the server itself.
static async Task<string> SeedPostgreSqlAsync(string connectionString)
{
    var staffId = Guid.NewGuid().ToString();
    await using var connection = new NpgsqlConnection(connectionString);
    await connection.OpenAsync();
    await using var seed = new NpgsqlCommand($"""
        INSERT INTO "AspNetUsers" ("Id", "UserName", "NormalizedUserName", "Email", "NormalizedEmail", "EmailConfirmed",
            "PhoneNumberConfirmed", "TwoFactorEnabled", "LockoutEnabled", "AccessFailedCount", "HasDeveloperAccess")
        SELECT gen_random_uuid()::text, e, upper(e), e, upper(e), true, false, false, true, 0, i % 10 = 0
        FROM generate_series(0, {Accounts - 1}) AS i, LATERAL (SELECT 'user-' || lpad(i::text, 6, '0') || '@example.com' AS e) AS email;
        INSERT INTO "ApiTokens" ("Id", "UserId", "Name", "NormalizedName", "TokenHash", "Hint", "CreatedAt", "IssuedAt", "LastUsedAt", "ExpiryNotice")
        SELECT gen_random_uuid(), u."Id", 'Token ' || t, 'TOKEN ' || t, sha256((u."Id" || t)::bytea), 'bpat_…abcd',
            timestamptz '2026-11-01 10:00:00+00', timestamptz '2026-11-01 10:00:00+00',
            CASE WHEN t = 0 THEN timestamptz '2026-11-01 12:00:00+00' + (abs(hashtext(u."Id")) % 27) * interval '1 day' END, 0
        FROM "AspNetUsers" u CROSS JOIN generate_series(0, 1) AS t WHERE u."HasDeveloperAccess";
        INSERT INTO "AspNetUsers" ("Id", "UserName", "NormalizedUserName", "Email", "NormalizedEmail", "EmailConfirmed",
            "PhoneNumberConfirmed", "TwoFactorEnabled", "LockoutEnabled", "AccessFailedCount", "HasDeveloperAccess")
        VALUES ('{staffId}', 'staff@bench.test', 'STAFF@BENCH.TEST', 'staff@bench.test', 'STAFF@BENCH.TEST', true, false, false, true, 0, false);
        INSERT INTO "AspNetRoles" ("Id", "Name", "NormalizedName") VALUES ('staff-role', 'Staff', 'STAFF');
        INSERT INTO "AspNetUserRoles" ("UserId", "RoleId") VALUES ('{staffId}', 'staff-role');
        ANALYZE;
        """, connection);
    seed.CommandTimeout = 300;
    await seed.ExecuteNonQueryAsync();
    return staffId;
}

// 100,000 accounts; every tenth has developer access and two tokens, one of them used.
static string Seed(string path)
{
    using var connection = new SqliteConnection($"Data Source={path}");
    connection.Open();
    using var transaction = connection.BeginTransaction();

    var user = connection.CreateCommand();
    user.CommandText = """
        INSERT INTO AspNetUsers (Id, UserName, NormalizedUserName, Email, NormalizedEmail, EmailConfirmed, PhoneNumberConfirmed,
            TwoFactorEnabled, LockoutEnabled, AccessFailedCount, HasDeveloperAccess)
        VALUES ($id, $email, $normalized, $email, $normalized, 1, 0, 0, 1, 0, $access)
        """;
    var id = user.Parameters.Add("$id", SqliteType.Text);
    var email = user.Parameters.Add("$email", SqliteType.Text);
    var normalized = user.Parameters.Add("$normalized", SqliteType.Text);
    var access = user.Parameters.Add("$access", SqliteType.Integer);

    var token = connection.CreateCommand();
    token.CommandText = """
        INSERT INTO ApiTokens (Id, UserId, Name, NormalizedName, TokenHash, Hint, CreatedAt, LastUsedAt)
        VALUES ($id, $user, $name, upper($name), $hash, 'bpat_…abcd', '2026-11-01 10:00:00', $used)
        """;
    var tokenId = token.Parameters.Add("$id", SqliteType.Text);
    var tokenUser = token.Parameters.Add("$user", SqliteType.Text);
    var tokenName = token.Parameters.Add("$name", SqliteType.Text);
    var hash = token.Parameters.Add("$hash", SqliteType.Blob);
    var used = token.Parameters.Add("$used", SqliteType.Text);

    for (var i = 0; i < Accounts; i++)
    {
        var userId = Guid.NewGuid().ToString();
        id.Value = userId;
        email.Value = $"user-{i:D6}@example.com";
        normalized.Value = $"USER-{i:D6}@EXAMPLE.COM";
        access.Value = i % 10 == 0 ? 1 : 0;
        user.ExecuteNonQuery();
        if (i % 10 != 0)
        {
            continue;
        }

        for (var t = 0; t < 2; t++)
        {
            tokenId.Value = Guid.CreateVersion7().ToString();
            tokenUser.Value = userId;
            tokenName.Value = $"Token {t}";
            hash.Value = RandomNumberGenerator.GetBytes(32);
            used.Value = t == 0 ? $"2026-11-{1 + i % 27:D2} 12:00:00" : DBNull.Value;
            token.ExecuteNonQuery();
        }
    }

    var staffId = Guid.NewGuid().ToString();
    using var staff = connection.CreateCommand();
    staff.CommandText = """
        INSERT INTO AspNetUsers (Id, UserName, NormalizedUserName, Email, NormalizedEmail, EmailConfirmed, PhoneNumberConfirmed,
            TwoFactorEnabled, LockoutEnabled, AccessFailedCount, HasDeveloperAccess)
        VALUES ($id, 'staff@bench.test', 'STAFF@BENCH.TEST', 'staff@bench.test', 'STAFF@BENCH.TEST', 1, 0, 0, 1, 0, 0);
        INSERT INTO AspNetRoles (Id, Name, NormalizedName) VALUES ('staff-role', 'Staff', 'STAFF');
        INSERT INTO AspNetUserRoles (UserId, RoleId) VALUES ($id, 'staff-role');
        """;
    staff.Parameters.AddWithValue("$id", staffId);
    staff.ExecuteNonQuery();
    transaction.Commit();
    return staffId;
}

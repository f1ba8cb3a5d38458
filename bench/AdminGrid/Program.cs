// Measures the staff admin page's queries over a database of 100,000 accounts and 200,000 tokens: the accounts grid
// (AccountsQuery.SearchAsync) and the token inventory (TokenInventoryQuery.SearchAsync), on SQLite, or PostgreSQL with
// --provider PostgreSQL (connection string in BEATPASS_POSTGRES). Run with bench/admin-grid.sh; prints one table and
// exits 1 when a scenario's p95 is over the bound.
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
const int TokensPerDeveloper = 4; // every second account has access: 200,000 tokens
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
Console.WriteLine($"Seeded {Accounts:N0} accounts and {Accounts / 2 * TokensPerDeveloper:N0} tokens on {(postgreSql ? "PostgreSQL" : "SQLite")} in {seeding.Elapsed.TotalSeconds:F1} s");

var scenarios = new (string Name, AccountQuery? Accounts, TokenInventoryRequest? Tokens)[]
{
    ("accounts: first page, by account", new AccountQuery(), null),
    ("accounts: page 2,000 of 4,000", new AccountQuery(Page: 2_000), null),
    ("accounts: search one account", new AccountQuery("user-042424@"), null),
    ("accounts: search 'user-0424' (100 hits)", new AccountQuery("user-0424"), null),
    ("accounts: search matching all", new AccountQuery("example.com"), null),
    ("accounts: first page, by token count", new AccountQuery(SortBy: AccountSort.TokenCount, Descending: true), null),
    ("accounts: first page, by last API use", new AccountQuery(SortBy: AccountSort.LastApiUse, Descending: true), null),
    ("tokens: first page, newest first", null, new TokenInventoryRequest()),
    ("tokens: page 1,000", null, new TokenInventoryRequest(Page: 1_000)),
    ("tokens: search one account", null, new TokenInventoryRequest("user-042424@")),
    ("tokens: search token name 'token 3'", null, new TokenInventoryRequest("token 3")),
    ("tokens: expire within 7 days", null, new TokenInventoryRequest(Filter: TokenInventoryFilter.ExpiresSoon)),
    ("tokens: expired", null, new TokenInventoryRequest(Filter: TokenInventoryFilter.Expired)),
    ("tokens: never used", null, new TokenInventoryRequest(Filter: TokenInventoryFilter.NeverUsed)),
    ("tokens: no expiration", null, new TokenInventoryRequest(Filter: TokenInventoryFilter.NoExpiration)),
    ("tokens: not used for 90 days", null, new TokenInventoryRequest(Filter: TokenInventoryFilter.NotUsedFor90Days)),
    ("tokens: revoked", null, new TokenInventoryRequest(Filter: TokenInventoryFilter.Revoked)),
    ("tokens: by last used", null, new TokenInventoryRequest(SortBy: TokenInventorySort.LastUsed)),
    ("tokens: by expiry, soonest first", null, new TokenInventoryRequest(SortBy: TokenInventorySort.Expires, Descending: false)),
    ("tokens: never used, by expiry", null, new TokenInventoryRequest(Filter: TokenInventoryFilter.NeverUsed, SortBy: TokenInventorySort.Expires)),
};

Console.WriteLine();
Console.WriteLine($"| scenario | rows | total | median ms | p95 ms | p95 within {BoundMilliseconds} ms |");
Console.WriteLine("| --- | ---: | ---: | ---: | ---: | --- |");
var allWithin = true;
// BENCH_ONLY=tokens runs only the scenarios whose name holds it.
var only = Environment.GetEnvironmentVariable("BENCH_ONLY");
foreach (var (name, accountQuery, tokenRequest) in scenarios.Where(s => only is null || s.Name.Contains(only, StringComparison.Ordinal)))
{
    await using var scope = services.CreateAsyncScope();
    var accounts = scope.ServiceProvider.GetRequiredService<AccountsQuery>();
    var inventory = scope.ServiceProvider.GetRequiredService<TokenInventoryQuery>();
    async Task<(int Rows, int Total)> RunAsync()
    {
        if (accountQuery is not null)
        {
            var page = await accounts.SearchAsync(staffId, accountQuery);
            return (page.Items.Count, page.TotalCount);
        }

        var tokens = await inventory.SearchAsync(staffId, tokenRequest!);
        return (tokens.Items.Count, tokens.TotalCount);
    }

    var result = (Rows: 0, Total: 0);
    for (var i = 0; i < 3; i++)
    {
        result = await RunAsync(); // warm-up
    }

    var times = new List<double>();
    for (var i = 0; i < Runs; i++)
    {
        var watch = Stopwatch.StartNew();
        result = await RunAsync();
        times.Add(watch.Elapsed.TotalMilliseconds);
    }

    times.Sort();
    var median = times[times.Count / 2];
    var p95 = times[(int)Math.Ceiling(times.Count * 0.95) - 1];
    allWithin &= p95 <= BoundMilliseconds;
    Console.WriteLine($"| {name} | {result.Rows} | {result.Total:N0} | {median:F1} | {p95:F1} | {(p95 <= BoundMilliseconds ? "yes" : "NO")} |");
}

SqliteConnection.ClearAllPools();
if (Environment.GetEnvironmentVariable("BENCH_KEEP") is null)
{
    foreach (var suffix in new[] { "", "-wal", "-shm" })
    {
        File.Delete(path + suffix);
    }
}
else
{
    Console.WriteLine($"Kept {path}");
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
        SELECT gen_random_uuid()::text, e, upper(e), e, upper(e), true, false, false, true, 0, i % 2 = 0
        FROM generate_series(0, {Accounts - 1}) AS i, LATERAL (SELECT 'user-' || lpad(i::text, 6, '0') || '@example.com' AS e) AS email;
        SELECT setseed(0.42);
        INSERT INTO "ApiTokens" ("Id", "UserId", "Name", "NormalizedName", "TokenHash", "Hint", "Permissions", "CreatedAt", "IssuedAt",
            "ExpiresAt", "LastUsedAt", "RevokedAt", "RevokedReason", "ExpiryNotice")
        SELECT gen_random_uuid(), s."Id", 'Token ' || s.t, 'TOKEN ' || s.t, sha256((s."Id" || s.t)::bytea), 'bpat_…abcd', 'account:read',
            s.created, s.created,
            CASE WHEN s.t % 4 = 0 THEN NULL ELSE s.created + (ARRAY[30, 90, 365])[1 + floor(random() * 3)::int] * interval '1 day' END,
            CASE WHEN random() < 0.33 THEN NULL ELSE s.created + random() * (now() - s.created) END,
            CASE WHEN random() < 0.01 THEN now() - random() * interval '30 days' END, NULL, 0
        FROM (SELECT u."Id", t, now() - random() * interval '400 days' AS created
              FROM "AspNetUsers" u CROSS JOIN generate_series(0, {TokensPerDeveloper - 1}) AS t WHERE u."HasDeveloperAccess") AS s;
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

// 100,000 accounts; every second has developer access and four tokens, made over the last 400 days: a quarter never
// expire, the rest expire 30, 90 or 365 days after they were made (some have); a third were never used; 1 in 100 revoked.
static string Seed(string path)
{
    var random = new Random(42);
    var now = DateTime.UtcNow;
    // As EF Core's SQLite provider writes a time, so that text comparisons order them.
    static string Stored(DateTime time) => time.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
    int[] lifetimes = [30, 90, 365];

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
        INSERT INTO ApiTokens (Id, UserId, Name, NormalizedName, TokenHash, Hint, Permissions, CreatedAt, IssuedAt, ExpiresAt, LastUsedAt,
            RevokedAt, ExpiryNotice, IsUntagged)
        VALUES ($id, $user, $name, upper($name), $hash, 'bpat_…abcd', 'account:read', $created, $created, $expires, $used, $revoked, 0, 0)
        """;
    var tokenId = token.Parameters.Add("$id", SqliteType.Text);
    var tokenUser = token.Parameters.Add("$user", SqliteType.Text);
    var tokenName = token.Parameters.Add("$name", SqliteType.Text);
    var hash = token.Parameters.Add("$hash", SqliteType.Blob);
    var created = token.Parameters.Add("$created", SqliteType.Text);
    var expires = token.Parameters.Add("$expires", SqliteType.Text);
    var used = token.Parameters.Add("$used", SqliteType.Text);
    var revoked = token.Parameters.Add("$revoked", SqliteType.Text);

    for (var i = 0; i < Accounts; i++)
    {
        var userId = Guid.NewGuid().ToString();
        id.Value = userId;
        email.Value = $"user-{i:D6}@example.com";
        normalized.Value = $"USER-{i:D6}@EXAMPLE.COM";
        access.Value = i % 2 == 0 ? 1 : 0;
        user.ExecuteNonQuery();
        if (i % 2 != 0)
        {
            continue;
        }

        for (var t = 0; t < TokensPerDeveloper; t++)
        {
            var madeAt = now - TimeSpan.FromSeconds(random.Next(400 * 24 * 3600));
            tokenId.Value = Guid.CreateVersion7().ToString();
            tokenUser.Value = userId;
            tokenName.Value = $"Token {t}";
            hash.Value = RandomNumberGenerator.GetBytes(32);
            created.Value = Stored(madeAt);
            expires.Value = t % 4 == 0 ? DBNull.Value : Stored(madeAt.AddDays(lifetimes[random.Next(3)]));
            used.Value = random.NextDouble() < 0.33 ? DBNull.Value : Stored(madeAt + (now - madeAt) * random.NextDouble());
            revoked.Value = random.NextDouble() < 0.01 ? Stored(now - TimeSpan.FromSeconds(random.Next(30 * 24 * 3600))) : DBNull.Value;
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
        ANALYZE;
        """;
    staff.Parameters.AddWithValue("$id", staffId);
    staff.ExecuteNonQuery();
    transaction.Commit();
    return staffId;
}

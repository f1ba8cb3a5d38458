using System.Data.Common;
using System.Text;
using BeatPass.Core.ApiTokens;
using BeatPass.Core.Data;
using Microsoft.Data.Sqlite;
using BeatPass.Bench;
using Npgsql;

/// <summary>
/// Fills the bench database, SQLite or PostgreSQL: bulk tokens by raw SQL in one transaction, then the three tokens
/// the harness uses, made by the product's own <see cref="ApiTokenService.CreateAsync"/>. Of the bulk tokens, the
/// first <c>known</c> and the next <c>fresh</c> have a plaintext, which the answer lists; the others are random hashes
/// no request will match. A known token's last use is recorded ahead of the clock, so using it never falls due for a
/// last-used write and a cache miss on it is the lookup alone; a fresh token was never used, so its first use writes.
/// </summary>
public sealed class BenchSeeder(string connectionString, DatabaseProvider provider)
{
    private const int TokensPerBulkAccount = 100; // ApiTokens:MaxTokensPerAccount

    private const int FloodTokens = 20_000;

    private static readonly DateTime UsedAhead = new(2100, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    private static readonly string[] HarnessTokens = ["valid", "revoke", "writes", "introspected"];

    private bool PostgreSql => provider == DatabaseProvider.PostgreSQL;

    /// <summary>Seeds <paramref name="totalTokens"/> tokens in all and answers one line per fact the harness reads.</summary>
    public async Task<string> SeedAsync(int totalTokens, int known, int fresh, ApiTokenService tokens, ApiTokenIssuer issuer)
    {
        var userId = Guid.NewGuid().ToString();
        var lines = new StringBuilder();
        lines.AppendLine($"user {userId}");
        // Tagged like any secret the service issues; made before the bulk insert's transaction, which holds the database.
        var knownTokens = new List<string>();
        for (var n = 0; n < known + fresh; n++)
        {
            knownTokens.Add(await issuer.GenerateAsync());
        }

        InsertRows(userId, totalTokens - HarnessTokens.Length, knownTokens, usedAhead: known);
        for (var n = 0; n < knownTokens.Count; n++)
        {
            lines.AppendLine($"{(n < known ? "known" : "fresh")} {knownTokens[n]}");
        }

        foreach (var name in HarnessTokens)
        {
            var created = await tokens.CreateAsync(userId, name);
            lines.AppendLine($"{name} {created.Token!.Summary.Id} {created.Token.PlainText}");
        }

        // A token the service issued and its owner deleted since: what a leaked, revoked token replayed looks like.
        var deleted = (await tokens.CreateAsync(userId, "deleted")).Token!;
        await tokens.DeleteAsync(userId, deleted.Summary.Id);
        lines.AppendLine($"deleted {deleted.Summary.Id} {deleted.PlainText}");

        // Well-formed, right checksum, no valid tag: what someone who knows the format makes up. The flood uses many.
        lines.AppendLine($"unknown {ApiTokenFormat.Generate()}");
        for (var n = 0; n < FloodTokens; n++)
        {
            lines.AppendLine($"flood {ApiTokenFormat.Generate()}");
        }

        using var connection = Open();
        lines.AppendLine($"tokens {Convert.ToInt64(Command(connection, """SELECT COUNT(*) FROM "ApiTokens" """).ExecuteScalar())}");
        return lines.ToString();
    }

    /// <summary>How many times a trigger saw the token's LastUsedAt written, and the values written, oldest first.</summary>
    public string LastUsedWrites(Guid tokenId)
    {
        using var connection = Open();
        using var query = PostgreSql
            ? Command(connection, """
                SELECT COUNT(*), coalesce(string_agg(to_char("LastUsedAt" AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US'), ', ' ORDER BY "Seq"), '-')
                FROM "BenchLastUsedWrites" WHERE "TokenId" = @id
                """, ("@id", tokenId))
            : Command(connection, """
                SELECT COUNT(*), ifnull(group_concat(LastUsedAt, ', '), '-')
                FROM (SELECT LastUsedAt FROM BenchLastUsedWrites WHERE upper(TokenId) = upper(@id) ORDER BY rowid)
                """, ("@id", tokenId.ToString()));
        using var reader = query.ExecuteReader();
        reader.Read();
        return $"writes {reader.GetInt64(0)} values {reader.GetString(1)}";
    }

    private void InsertRows(string userId, int bulkTokens, List<string> knownTokens, int usedAhead)
    {
        using var connection = Open();
        if (!PostgreSql)
        {
            // A million random keys into the hash index: keep its pages in memory (200 MB) while inserting.
            Command(connection, "PRAGMA cache_size = -200000;").ExecuteNonQuery();
        }

        using var transaction = connection.BeginTransaction();

        // Counts every row write of LastUsedAt to the harness's own tokens (those of userId), by whatever statement, so
        // the harness can check "at most once a minute". Not the bulk tokens': their first uses measure the product's
        // write, which a trigger inserting a row for each would add to (5 µs of PostgreSQL's CPU a row, bench/RESULTS.md).
        Command(connection, PostgreSql
            ? $$"""
                CREATE TABLE "BenchLastUsedWrites" ("Seq" bigserial, "TokenId" uuid NOT NULL, "LastUsedAt" timestamptz);
                CREATE FUNCTION bench_count_last_used_writes() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    INSERT INTO "BenchLastUsedWrites" ("TokenId", "LastUsedAt") VALUES (NEW."Id", NEW."LastUsedAt");
                    RETURN NEW;
                END $$;
                CREATE TRIGGER bench_count_last_used_writes AFTER UPDATE OF "LastUsedAt" ON "ApiTokens"
                    FOR EACH ROW WHEN (NEW."UserId" = '{{userId}}') EXECUTE FUNCTION bench_count_last_used_writes();
                """
            : $"""
                CREATE TABLE BenchLastUsedWrites (TokenId TEXT NOT NULL, LastUsedAt TEXT);
                CREATE TRIGGER BenchCountLastUsedWrites AFTER UPDATE OF LastUsedAt ON ApiTokens WHEN NEW.UserId = '{userId}'
                BEGIN
                    INSERT INTO BenchLastUsedWrites (TokenId, LastUsedAt) VALUES (NEW.Id, NEW.LastUsedAt);
                END;
                """).ExecuteNonQuery();

        BenchAccounts.InsertDeveloper(connection, userId, "bench@bench.test", PostgreSql);

        // Accounts with developer access and 100 tokens each (the most one may hold), made inside the database: ids
        // that count up, random hashes. Bulk token n has the id 00000000-0000-7000-8000-{n:X12}, of account n / 100.
        var bulk = Command(connection, PostgreSql
            ? """
                INSERT INTO "AspNetUsers" ("Id", "UserName", "NormalizedUserName", "Email", "NormalizedEmail", "EmailConfirmed",
                    "PhoneNumberConfirmed", "TwoFactorEnabled", "LockoutEnabled", "AccessFailedCount", "HasDeveloperAccess")
                SELECT '00000000-0000-4000-8000-' || lpad(n::text, 12, '0'), e, upper(e), e, upper(e), true, false, false, true, 0, true
                FROM generate_series(0, @accounts - 1) AS n, LATERAL (SELECT 'bulk-' || lpad(n::text, 6, '0') || '@bench.test' AS e) AS email;

                INSERT INTO "ApiTokens" ("Id", "UserId", "Name", "NormalizedName", "TokenHash", "Hint", "CreatedAt", "IssuedAt", "ExpiryNotice", "Permissions")
                SELECT ('00000000-0000-7000-8000-' || lpad(upper(to_hex(n)), 12, '0'))::uuid,
                    '00000000-0000-4000-8000-' || lpad((n / @perAccount)::text, 12, '0'),
                    'Token ' || (n % @perAccount), 'TOKEN ' || (n % @perAccount), sha256(gen_random_uuid()::text::bytea), 'bpat_…bulk',
                    timestamptz '2026-11-01 10:00:00+00', timestamptz '2026-11-01 10:00:00+00', 0, 'account:read'
                FROM generate_series(0, @tokens - 1) AS n;
                """
            : """
                WITH RECURSIVE account(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM account WHERE n + 1 < @accounts)
                INSERT INTO AspNetUsers (Id, UserName, NormalizedUserName, Email, NormalizedEmail, EmailConfirmed, PhoneNumberConfirmed,
                    TwoFactorEnabled, LockoutEnabled, AccessFailedCount, HasDeveloperAccess)
                SELECT printf('00000000-0000-4000-8000-%012d', n), printf('bulk-%06d@bench.test', n), printf('BULK-%06d@BENCH.TEST', n),
                    printf('bulk-%06d@bench.test', n), printf('BULK-%06d@BENCH.TEST', n), 1, 0, 0, 1, 0, 1
                FROM account WHERE n < @accounts;

                WITH RECURSIVE token(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM token WHERE n + 1 < @tokens)
                INSERT INTO ApiTokens (Id, UserId, Name, NormalizedName, TokenHash, Hint, CreatedAt, IssuedAt, Permissions)
                SELECT printf('00000000-0000-7000-8000-%012X', n), printf('00000000-0000-4000-8000-%012d', n / @perAccount),
                    'Token ' || (n % @perAccount), 'TOKEN ' || (n % @perAccount), randomblob(32), 'bpat_…bulk',
                    '2026-11-01 10:00:00', '2026-11-01 10:00:00', 'account:read'
                FROM token WHERE n < @tokens;
                """,
            ("@accounts", (bulkTokens + TokensPerBulkAccount - 1) / TokensPerBulkAccount),
            ("@tokens", bulkTokens),
            ("@perAccount", TokensPerBulkAccount));
        bulk.CommandTimeout = 600;
        bulk.ExecuteNonQuery();

        // The first bulk tokens get a secret the harness knows.
        using var update = Command(connection, """UPDATE "ApiTokens" SET "TokenHash" = @hash, "LastUsedAt" = @lastUsed WHERE "Id" = @id""",
            ("@hash", Array.Empty<byte>()), ("@lastUsed", DBNull.Value), ("@id", ""));
        for (var n = 0; n < knownTokens.Count; n++)
        {
            update.Parameters["@hash"].Value = ApiTokenHash.Parse(knownTokens[n]).ToArray();
            update.Parameters["@lastUsed"].Value = n < usedAhead ? UsedAhead : DBNull.Value;
            var id = $"00000000-0000-7000-8000-{n:X12}";
            update.Parameters["@id"].Value = PostgreSql ? Guid.Parse(id) : id;
            update.ExecuteNonQuery();
        }

        if (PostgreSql)
        {
            Command(connection, "ANALYZE;").ExecuteNonQuery();
        }

        transaction.Commit();
    }

    private static DbCommand Command(DbConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }

        return command;
    }

    private DbConnection Open()
    {
        DbConnection connection = PostgreSql ? new NpgsqlConnection(connectionString) : new SqliteConnection(connectionString);
        connection.Open();
        return connection;
    }
}

using System.Text;
using BeatPass.Core.ApiTokens;
using Microsoft.Data.Sqlite;

/// <summary>
/// Fills the bench database: bulk tokens by raw SQL in one transaction, then the three tokens the harness uses,
/// made by the product's own <see cref="ApiTokenService.CreateAsync"/>. Of the bulk tokens, the first <c>known</c>
/// have a plaintext, which the answer lists; the others are random hashes no request will ever match.
/// </summary>
public static class BenchSeeder
{
    private const int TokensPerBulkAccount = 100; // ApiTokens:MaxTokensPerAccount

    private static readonly string[] HarnessTokens = ["valid", "revoke", "writes"];

    /// <summary>Seeds <paramref name="totalTokens"/> tokens in all and answers one line per fact the harness reads.</summary>
    public static async Task<string> SeedAsync(string connectionString, int totalTokens, int known, ApiTokenService tokens)
    {
        var userId = Guid.NewGuid().ToString();
        var lines = new StringBuilder();
        lines.AppendLine($"user {userId}");
        foreach (var plainText in InsertRows(connectionString, userId, totalTokens - HarnessTokens.Length, known))
        {
            lines.AppendLine($"known {plainText}");
        }

        foreach (var name in HarnessTokens)
        {
            var created = await tokens.CreateAsync(userId, name);
            lines.AppendLine($"{name} {created.Token!.Summary.Id} {created.Token.PlainText}");
        }

        // Well-formed, right checksum, in no database: what a deleted token, or one made up by someone who knows the
        // format, looks like.
        lines.AppendLine($"unknown {ApiTokenFormat.Generate()}");
        lines.AppendLine($"tokens {Scalar(connectionString, "SELECT COUNT(*) FROM ApiTokens")}");
        return lines.ToString();
    }

    /// <summary>How many times a trigger saw the token's LastUsedAt written, and the values written, oldest first.</summary>
    public static string LastUsedWrites(string connectionString, Guid tokenId)
    {
        using var connection = Open(connectionString);
        using var query = connection.CreateCommand();
        query.CommandText = """
            SELECT COUNT(*), ifnull(group_concat(LastUsedAt, ', '), '-')
            FROM (SELECT LastUsedAt FROM BenchLastUsedWrites WHERE upper(TokenId) = upper($id) ORDER BY rowid)
            """;
        query.Parameters.AddWithValue("$id", tokenId.ToString());
        using var reader = query.ExecuteReader();
        reader.Read();
        return $"writes {reader.GetInt64(0)} values {reader.GetString(1)}";
    }

    private static List<string> InsertRows(string connectionString, string userId, int bulkTokens, int known)
    {
        using var connection = Open(connectionString);
        // A million random keys into the hash index: keep its pages in memory (200 MB) while inserting.
        Execute(connection, "PRAGMA cache_size = -200000;");
        using var transaction = connection.BeginTransaction();

        // Counts every row write of LastUsedAt, by whatever statement, so the harness can check "at most once a minute".
        Execute(connection, """
            CREATE TABLE BenchLastUsedWrites (TokenId TEXT NOT NULL, LastUsedAt TEXT);
            CREATE TRIGGER BenchCountLastUsedWrites AFTER UPDATE OF LastUsedAt ON ApiTokens
            BEGIN
                INSERT INTO BenchLastUsedWrites (TokenId, LastUsedAt) VALUES (NEW.Id, NEW.LastUsedAt);
            END;
            """);

        Execute(connection, """
            INSERT INTO AspNetUsers (Id, UserName, NormalizedUserName, Email, NormalizedEmail, EmailConfirmed, PhoneNumberConfirmed,
                TwoFactorEnabled, LockoutEnabled, AccessFailedCount, HasDeveloperAccess)
            VALUES ($id, 'bench@bench.test', 'BENCH@BENCH.TEST', 'bench@bench.test', 'BENCH@BENCH.TEST', 1, 0, 0, 1, 0, 1)
            """, ("$id", userId));

        // Accounts with developer access and 100 tokens each (the most one may hold), made inside SQLite: ids that
        // count up, random hashes. Bulk token n has the id 00000000-0000-7000-8000-{n:X12}, of account n / 100.
        Execute(connection, """
            WITH RECURSIVE account(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM account WHERE n + 1 < $accounts)
            INSERT INTO AspNetUsers (Id, UserName, NormalizedUserName, Email, NormalizedEmail, EmailConfirmed, PhoneNumberConfirmed,
                TwoFactorEnabled, LockoutEnabled, AccessFailedCount, HasDeveloperAccess)
            SELECT printf('00000000-0000-4000-8000-%012d', n), printf('bulk-%06d@bench.test', n), printf('BULK-%06d@BENCH.TEST', n),
                printf('bulk-%06d@bench.test', n), printf('BULK-%06d@BENCH.TEST', n), 1, 0, 0, 1, 0, 1
            FROM account WHERE n < $accounts;

            WITH RECURSIVE token(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM token WHERE n + 1 < $tokens)
            INSERT INTO ApiTokens (Id, UserId, Name, NormalizedName, TokenHash, Hint, CreatedAt, IssuedAt)
            SELECT printf('00000000-0000-7000-8000-%012X', n), printf('00000000-0000-4000-8000-%012d', n / $perAccount),
                'Token ' || (n % $perAccount), 'TOKEN ' || (n % $perAccount), randomblob(32), 'bpat_…bulk',
                '2026-11-01 10:00:00', '2026-11-01 10:00:00'
            FROM token WHERE n < $tokens;
            """,
            ("$accounts", (bulkTokens + TokensPerBulkAccount - 1) / TokensPerBulkAccount),
            ("$tokens", bulkTokens),
            ("$perAccount", TokensPerBulkAccount));

        // The first bulk tokens get a secret the harness knows.
        var knownTokens = new List<string>();
        using var update = connection.CreateCommand();
        update.CommandText = "UPDATE ApiTokens SET TokenHash = $hash WHERE Id = $id";
        var hash = update.Parameters.Add("$hash", SqliteType.Blob);
        var id = update.Parameters.Add("$id", SqliteType.Text);
        for (var n = 0; n < known; n++)
        {
            knownTokens.Add(ApiTokenFormat.Generate());
            hash.Value = ApiTokenFormat.Hash(knownTokens[^1]);
            id.Value = $"00000000-0000-7000-8000-{n:X12}";
            update.ExecuteNonQuery();
        }

        transaction.Commit();
        return knownTokens;
    }

    private static void Execute(SqliteConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        command.ExecuteNonQuery();
    }

    private static long Scalar(string connectionString, string sql)
    {
        using var connection = Open(connectionString);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }

    private static SqliteConnection Open(string connectionString)
    {
        var connection = new SqliteConnection(connectionString);
        connection.Open();
        return connection;
    }
}

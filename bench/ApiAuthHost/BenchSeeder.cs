using System.Security.Cryptography;
using System.Text;
using BeatPass.Core.ApiTokens;
using Microsoft.Data.Sqlite;

/// <summary>
/// Fills the bench database: bulk tokens by raw SQL, then the three tokens the harness uses, made by the product's
/// own <see cref="ApiTokenService.CreateAsync"/>. Of the bulk tokens, the first <c>known</c> have a plaintext,
/// which the answer lists; the others are random hashes no request will ever match.
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

        lines.AppendLine($"tokens {Scalar(connectionString, "SELECT COUNT(*) FROM ApiTokens")}");
        return lines.ToString();
    }

    /// <summary>How many times a trigger saw the token's LastUsedAt written, and the values written.</summary>
    public static string LastUsedWrites(string connectionString, Guid tokenId)
    {
        using var connection = Open(connectionString);
        using var query = connection.CreateCommand();
        query.CommandText = """
            SELECT COUNT(*), ifnull(group_concat(LastUsedAt, ', '), '-') FROM BenchLastUsedWrites WHERE upper(TokenId) = upper($id)
            """;
        query.Parameters.AddWithValue("$id", tokenId.ToString());
        using var reader = query.ExecuteReader();
        reader.Read();
        return $"writes {reader.GetInt64(0)} values {reader.GetString(1)}";
    }

    private static List<string> InsertRows(string connectionString, string userId, int bulkTokens, int known)
    {
        using var connection = Open(connectionString);
        using (var pragma = connection.CreateCommand())
        {
            // A million random keys into two indexes: keep the index pages in memory (200 MB) while inserting.
            pragma.CommandText = "PRAGMA cache_size = -200000;";
            pragma.ExecuteNonQuery();
        }

        using var transaction = connection.BeginTransaction();

        // Counts every row write of LastUsedAt, by whatever statement, so the harness can check "at most once a minute".
        using (var counter = connection.CreateCommand())
        {
            counter.CommandText = """
                CREATE TABLE BenchLastUsedWrites (TokenId TEXT NOT NULL, LastUsedAt TEXT);
                CREATE TRIGGER BenchCountLastUsedWrites AFTER UPDATE OF LastUsedAt ON ApiTokens
                BEGIN
                    INSERT INTO BenchLastUsedWrites (TokenId, LastUsedAt) VALUES (NEW.Id, NEW.LastUsedAt);
                END;
                """;
            counter.ExecuteNonQuery();
        }

        using var user = connection.CreateCommand();
        user.CommandText = """
            INSERT INTO AspNetUsers (Id, UserName, NormalizedUserName, Email, NormalizedEmail, EmailConfirmed, PhoneNumberConfirmed,
                TwoFactorEnabled, LockoutEnabled, AccessFailedCount, HasDeveloperAccess)
            VALUES ($id, $email, upper($email), $email, upper($email), 1, 0, 0, 1, 0, 1)
            """;
        var id = user.Parameters.Add("$id", SqliteType.Text);
        var email = user.Parameters.Add("$email", SqliteType.Text);

        using var token = connection.CreateCommand();
        token.CommandText = """
            INSERT INTO ApiTokens (Id, UserId, Name, NormalizedName, TokenHash, Hint, CreatedAt, IssuedAt)
            VALUES ($id, $user, $name, upper($name), $hash, 'bpat_…bulk', '2026-11-01 10:00:00', '2026-11-01 10:00:00')
            """;
        var tokenId = token.Parameters.Add("$id", SqliteType.Text);
        var tokenUser = token.Parameters.Add("$user", SqliteType.Text);
        var tokenName = token.Parameters.Add("$name", SqliteType.Text);
        var hash = token.Parameters.Add("$hash", SqliteType.Blob);

        id.Value = userId;
        email.Value = "bench@bench.test";
        user.ExecuteNonQuery();

        var knownTokens = new List<string>();
        var random = new byte[ApiTokenFormat.HashLength];
        for (var i = 0; i < bulkTokens; i++)
        {
            if (i % TokensPerBulkAccount == 0)
            {
                id.Value = Guid.NewGuid().ToString();
                email.Value = $"bulk-{i / TokensPerBulkAccount:D6}@bench.test";
                user.ExecuteNonQuery();
            }

            if (i < known)
            {
                knownTokens.Add(ApiTokenFormat.Generate());
                hash.Value = ApiTokenFormat.Hash(knownTokens[^1]);
            }
            else
            {
                RandomNumberGenerator.Fill(random);
                hash.Value = random;
            }

            tokenId.Value = Guid.CreateVersion7().ToString().ToUpperInvariant(); // as EF Core stores a Guid
            tokenUser.Value = id.Value;
            tokenName.Value = $"Token {i % TokensPerBulkAccount}";
            token.ExecuteNonQuery();
        }

        transaction.Commit();
        return knownTokens;
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

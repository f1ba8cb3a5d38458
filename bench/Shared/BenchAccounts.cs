using System.Data.Common;

namespace BeatPass.Bench;

/// <summary>
/// Adds one account with developer access straight to the database (no Identity, no email), for the API benches.
/// The admin-grid bench and the API bench's bulk seeding insert many accounts with one command each instead, in SQL of
/// their own: a row at a time would take minutes for 100,000 accounts.
/// </summary>
internal static class BenchAccounts
{
    /// <summary>Inserts a confirmed account with developer access; quoted names suit SQLite and PostgreSQL alike.</summary>
    public static void InsertDeveloper(DbConnection connection, string userId, string email, bool postgreSql)
    {
        var (yes, no) = postgreSql ? ("true", "false") : ("1", "0");
        using var insert = connection.CreateCommand();
        insert.CommandText = $"""
            INSERT INTO "AspNetUsers" ("Id", "UserName", "NormalizedUserName", "Email", "NormalizedEmail", "EmailConfirmed",
                "PhoneNumberConfirmed", "TwoFactorEnabled", "LockoutEnabled", "AccessFailedCount", "HasDeveloperAccess")
            VALUES (@id, @email, @normalized, @email, @normalized, {yes}, {no}, {no}, {yes}, 0, {yes})
            """;
        Add(insert, "@id", userId);
        Add(insert, "@email", email);
        Add(insert, "@normalized", email.ToUpperInvariant());
        insert.ExecuteNonQuery();
    }

    private static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}

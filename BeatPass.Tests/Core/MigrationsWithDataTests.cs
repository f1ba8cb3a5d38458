using BeatPass.Core.ApiTokens;
using BeatPass.Core.Data;
using BeatPass.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace BeatPass.Tests.Core;

/// <summary>
/// Each provider's migrations applied to a database that already holds accounts and tokens, as an upgrade does: each
/// data step does its work on the rows that are there, and a token made before all of them still works after.
/// </summary>
public sealed class MigrationsWithDataTests
{
    private static readonly DateTime CreatedAt = new(2026, 11, 1, 12, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task On_SQLite_tokens_from_before_every_data_step_are_upgraded_and_keep_working()
    {
        var path = Path.Combine(Path.GetTempPath(), $"beatpass-upgrade-{Guid.NewGuid():N}.db");
        var userId = Guid.NewGuid().ToString();
        var oldSecret = ApiTokenFormat.Generate(); // the first format: no tag
        var expiredId = Guid.NewGuid();
        try
        {
            await using var database = await TestDatabase.CreateAsync(connectionString: $"Data Source={path}"); // not migrated

            await MigrateToAsync(database, "20261127172530_Initial");
            await ExecuteAsync(database, """
                INSERT INTO AspNetUsers (Id, UserName, NormalizedUserName, Email, NormalizedEmail, EmailConfirmed, PhoneNumberConfirmed,
                    TwoFactorEnabled, LockoutEnabled, AccessFailedCount, HasDeveloperAccess)
                VALUES (@user, 'old@example.com', 'OLD@EXAMPLE.COM', 'old@example.com', 'OLD@EXAMPLE.COM', 1, 0, 0, 1, 0, 1);
                INSERT INTO ApiTokens (Id, UserId, Name, NormalizedName, TokenHash, Hint, CreatedAt)
                VALUES (@token, @user, 'Old script', 'OLD SCRIPT', @hash, @hint, @created);
                """, OldToken(userId, oldSecret));

            await MigrateToAsync(database, "20261127183032_TokenExpiry");
            await ExecuteAsync(database, """
                INSERT INTO ApiTokens (Id, UserId, Name, NormalizedName, TokenHash, Hint, CreatedAt, IssuedAt, ExpiresAt)
                VALUES (@token, @user, 'Expired', 'EXPIRED', randomblob(32), 'bpat_…gone', @created, @created, @expired);
                """, ("user", userId), ("token", expiredId), ("created", CreatedAt), ("expired", CreatedAt.AddDays(1)));

            await MigrateToAsync(database, null); // the rest, to the latest

            await using (var db = database.CreateDbContext())
            {
                var old = await db.ApiTokens.SingleAsync(t => t.Name == "Old script");
                old.IssuedAt.Should().Be(CreatedAt, "TokenExpiry dates each secret from its token's creation");
                var expired = await db.ApiTokens.SingleAsync(t => t.Id == expiredId);
                expired.ExpiryNotice.Should().Be(ExpiryNotice.Expired, "EmailOutbox marks tokens already expired as told, so no late reminder goes out");
            }

            await TheOldTokenIsUntaggedHoldsAccountReadAndWorksAsync(database, userId, oldSecret);
        }
        finally
        {
            TestFiles.DeleteSqliteDatabase(path);
        }
    }

    [Fact]
    public async Task On_PostgreSQL_tokens_from_before_every_data_step_are_upgraded_and_keep_working()
    {
        var connectionString = await PostgreSqlTestServer.CreateEmptyDatabaseAsync();
        var userId = Guid.NewGuid().ToString();
        var oldSecret = ApiTokenFormat.Generate();
        try
        {
            await using var database = await TestDatabase.CreateAsync(connectionString: connectionString, provider: DatabaseProvider.PostgreSQL);

            await MigrateToAsync(database, "20261128085901_Initial");
            await ExecuteAsync(database, """
                INSERT INTO "AspNetUsers" ("Id", "UserName", "NormalizedUserName", "Email", "NormalizedEmail", "EmailConfirmed",
                    "PhoneNumberConfirmed", "TwoFactorEnabled", "LockoutEnabled", "AccessFailedCount", "HasDeveloperAccess")
                VALUES (@user, 'old@example.com', 'OLD@EXAMPLE.COM', 'old@example.com', 'OLD@EXAMPLE.COM', true, false, false, true, 0, true);
                INSERT INTO "ApiTokens" ("Id", "UserId", "Name", "NormalizedName", "TokenHash", "Hint", "CreatedAt", "IssuedAt", "ExpiryNotice")
                VALUES (@token, @user, 'Old script', 'OLD SCRIPT', @hash, @hint, @created, @created, 0);
                """, OldToken(userId, oldSecret));

            await MigrateToAsync(database, null);

            await TheOldTokenIsUntaggedHoldsAccountReadAndWorksAsync(database, userId, oldSecret);
        }
        finally
        {
            await PostgreSqlTestServer.DropDatabaseAsync(connectionString);
        }
    }

    private static (string, object)[] OldToken(string userId, string secret) =>
    [
        ("user", userId), ("token", Guid.NewGuid()), ("hash", ApiTokenHash.Parse(secret).ToArray()),
        ("hint", ApiTokenFormat.Hint(secret)), ("created", CreatedAt),
    ];

    private static async Task TheOldTokenIsUntaggedHoldsAccountReadAndWorksAsync(TestDatabase database, string userId, string oldSecret)
    {
        await using (var db = database.CreateDbContext())
        {
            var old = await db.ApiTokens.SingleAsync(t => t.Name == "Old script");
            old.IsUntagged.Should().BeTrue("TokenTags marks every secret issued before tags");
            old.Permissions.Should().Be(ApiPermissions.AccountRead, "TokenPermissions gives existing tokens what the API let them do: read the account");
            old.RevokedAt.Should().BeNull();
        }

        var check = await database.Authenticator.AuthenticateAsync(oldSecret);
        check.Succeeded.Should().BeTrue("a secret from before every migration still authenticates");
        check.Identity!.UserId.Should().Be(userId);
        check.Identity.Holds(ApiPermissions.AccountRead).Should().BeTrue();
    }

    private static async Task MigrateToAsync(TestDatabase database, string? migration)
    {
        await using var db = database.CreateDbContext();
        await db.GetService<IMigrator>().MigrateAsync(migration);
    }

    private static async Task ExecuteAsync(TestDatabase database, string sql, params (string Name, object Value)[] parameters)
    {
        await using var db = database.CreateDbContext();
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }

        await command.ExecuteNonQueryAsync();
    }
}

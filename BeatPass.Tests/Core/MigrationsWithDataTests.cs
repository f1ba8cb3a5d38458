using BeatPass.Core.ApiTokens;
using BeatPass.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace BeatPass.Tests.Core;

/// <summary>
/// The SQLite migrations applied to a database that already holds accounts and tokens, as an upgrade does: each data
/// step does its work on the rows that are there, and a token made before all of them still works after.
/// </summary>
public sealed class MigrationsWithDataTests : IAsyncLifetime
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"beatpass-upgrade-{Guid.NewGuid():N}.db");
    private TestDatabase _database = null!;

    public async Task InitializeAsync() =>
        _database = await TestDatabase.CreateAsync(connectionString: $"Data Source={_path}"); // not migrated

    public async Task DisposeAsync()
    {
        await _database.DisposeAsync();
        TestFiles.DeleteSqliteDatabase(_path);
    }

    [Fact]
    public async Task Tokens_from_before_every_data_step_are_upgraded_and_keep_working()
    {
        var userId = Guid.NewGuid().ToString();
        var oldSecret = ApiTokenFormat.Generate(); // the first format: no tag
        var createdAt = new DateTime(2026, 11, 1, 12, 0, 0, DateTimeKind.Utc);
        var expiredId = Guid.NewGuid();

        await MigrateToAsync("20261127172530_Initial");
        await ExecuteAsync("""
            INSERT INTO AspNetUsers (Id, UserName, NormalizedUserName, Email, NormalizedEmail, EmailConfirmed, PhoneNumberConfirmed,
                TwoFactorEnabled, LockoutEnabled, AccessFailedCount, HasDeveloperAccess)
            VALUES ($user, 'old@example.com', 'OLD@EXAMPLE.COM', 'old@example.com', 'OLD@EXAMPLE.COM', 1, 0, 0, 1, 0, 1);
            INSERT INTO ApiTokens (Id, UserId, Name, NormalizedName, TokenHash, Hint, CreatedAt)
            VALUES ($token, $user, 'Old script', 'OLD SCRIPT', $hash, $hint, $created);
            """, ("$user", userId), ("$token", Guid.NewGuid()), ("$hash", ApiTokenHash.Of(oldSecret).ToArray()),
            ("$hint", ApiTokenFormat.Hint(oldSecret)), ("$created", createdAt));

        await MigrateToAsync("20261127183032_TokenExpiry");
        await ExecuteAsync("""
            INSERT INTO ApiTokens (Id, UserId, Name, NormalizedName, TokenHash, Hint, CreatedAt, IssuedAt, ExpiresAt)
            VALUES ($token, $user, 'Expired', 'EXPIRED', randomblob(32), 'bpat_…gone', $created, $created, $expired);
            """, ("$user", userId), ("$token", expiredId), ("$created", createdAt), ("$expired", createdAt.AddDays(1)));

        await MigrateToAsync(null); // the rest, to the latest

        await using var db = _database.CreateDbContext();
        var old = await db.ApiTokens.SingleAsync(t => t.Name == "Old script");
        old.IssuedAt.Should().Be(createdAt, "TokenExpiry dates each secret from its token's creation");
        old.IsUntagged.Should().BeTrue("TokenTags marks every secret issued before tags");
        var expired = await db.ApiTokens.SingleAsync(t => t.Id == expiredId);
        expired.ExpiryNotice.Should().Be(ExpiryNotice.Expired, "EmailOutbox marks tokens already expired as told, so no late reminder goes out");
        var check = await _database.Authenticator.AuthenticateAsync(oldSecret);
        check.Succeeded.Should().BeTrue("a secret from before every migration still authenticates");
        check.Identity!.UserId.Should().Be(userId);
    }

    private async Task MigrateToAsync(string? migration)
    {
        await using var db = _database.CreateDbContext();
        await db.GetService<IMigrator>().MigrateAsync(migration);
    }

    private async Task ExecuteAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new SqliteConnection($"Data Source={_path}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        await command.ExecuteNonQueryAsync();
    }
}

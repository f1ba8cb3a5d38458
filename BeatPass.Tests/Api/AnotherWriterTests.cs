using System.Diagnostics;
using System.Net;
using BeatPass.Core.ApiTokens;
using BeatPass.Core.Data;
using BeatPass.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace BeatPass.Tests.Api;

/// <summary>
/// A change another process makes to the app's SQLite file (the make-staff command while the app runs, a hand edit)
/// never passes through the app, so only the change log (migration AccountChangeLog) can tell its token cache.
/// </summary>
public sealed class AnotherWriterTests(BeatPassAppFactory app) : IClassFixture<BeatPassAppFactory>
{
    /// <summary>What "within a few seconds" allows: the log is read once a second.</summary>
    private static readonly TimeSpan Allowed = SqliteDialect.ChangeLogPollInterval * 5;

    [Fact]
    public async Task A_token_deleted_by_another_process_is_refused_within_seconds()
    {
        var user = await app.CreateUserAsync();
        var token = await app.CreateTokenAsync(user.Id);
        (await CallAsync("/api/v1/me", token.PlainText)).Should().Be(HttpStatusCode.OK, "the token is now cached");

        await ExecuteAsOtherProcessAsync("""DELETE FROM "ApiTokens" WHERE "Id" = @id""", ("@id", token.Summary.Id.ToString().ToUpperInvariant()));

        (await TimeUntilAsync(HttpStatusCode.Unauthorized, "/api/v1/me", token.PlainText)).Should().BeLessThan(Allowed);
    }

    [Fact]
    public async Task A_staff_role_removed_by_another_process_ends_the_staff_permission_within_seconds()
    {
        var staff = await app.CreateStaffAsync();
        await ExecuteAsOtherProcessAsync("""UPDATE "AspNetUsers" SET "HasDeveloperAccess" = 1 WHERE "Id" = @id""", ("@id", staff.Id));
        var token = (await app.WithTokenServiceAsync(tokens => tokens.CreateAsync(staff.Id, "Admin script",
            permissions: [ApiPermissions.DeveloperAccessRead]))).Token!;
        (await PermissionsAsync(token.PlainText)).Should().Be(ApiPermissions.DeveloperAccessRead, "the token is now cached");

        await ExecuteAsOtherProcessAsync("""DELETE FROM "AspNetUserRoles" WHERE "UserId" = @id""", ("@id", staff.Id));

        // What the cache says the token may do (the staff endpoints also ask the database themselves).
        var waited = Stopwatch.StartNew();
        while (await PermissionsAsync(token.PlainText) != "" && waited.Elapsed < Allowed * 2)
        {
            await Task.Delay(50);
        }

        waited.Elapsed.Should().BeLessThan(Allowed);
    }

    [Fact]
    public async Task Recording_last_use_logs_no_change()
    {
        var user = await app.CreateUserAsync();
        var token = await app.CreateTokenAsync(user.Id);
        var before = await LoggedChangesAsync(user.Id);

        (await CallAsync("/api/v1/me", token.PlainText)).Should().Be(HttpStatusCode.OK);
        await app.WriteTokenUsesAsync();

        (await app.WithDbAsync(db => Task.FromResult(db.ApiTokens.Single(t => t.Id == token.Summary.Id).LastUsedAt))).Should().NotBeNull();
        (await LoggedChangesAsync(user.Id)).Should().Be(before, "a last-used write is bookkeeping, not a change to the token");
    }

    private async Task ExecuteAsOtherProcessAsync(string sql, params (string Name, object Value)[] parameters)
    {
        // A connection of its own, outside the app's contexts, as another process has.
        await using var connection = new SqliteConnection($"Data Source={app.DatabasePath};Pooling=False");
        await connection.OpenAsync();
        await using var command = new SqliteCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        (await command.ExecuteNonQueryAsync()).Should().Be(1);
    }

    private async Task<long> LoggedChangesAsync(string userId)
    {
        await using var connection = new SqliteConnection($"Data Source={app.DatabasePath};Pooling=False");
        await connection.OpenAsync();
        await using var command = new SqliteCommand("""SELECT COUNT(*) FROM "AccountChanges" WHERE "UserId" = @id""", connection);
        command.Parameters.AddWithValue("@id", userId);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Asks until the answer is <paramref name="expected"/>, and says how long that took (giving up at twice what is allowed).</summary>
    private async Task<TimeSpan> TimeUntilAsync(HttpStatusCode expected, string path, string token)
    {
        var waited = Stopwatch.StartNew();
        while (await CallAsync(path, token) != expected && waited.Elapsed < Allowed * 2)
        {
            await Task.Delay(50);
        }

        return waited.Elapsed;
    }

    /// <summary>The token's permissions as an answer to it says (<c>X-Token-Permissions</c>).</summary>
    private async Task<string> PermissionsAsync(string token)
    {
        using var client = app.CreateClient();
        using var response = await client.SendWithTokenAsync(HttpMethod.Get, "/api/v1/tokens/self", token);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        return response.Headers.GetValues("X-Token-Permissions").Single();
    }

    private async Task<HttpStatusCode> CallAsync(string path, string token)
    {
        using var client = app.CreateClient();
        return await client.GetStatusWithTokenAsync(path, token);
    }
}

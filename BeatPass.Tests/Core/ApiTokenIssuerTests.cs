using System.Security.Cryptography;
using BeatPass.Core.ApiTokens;
using BeatPass.Core.Data;
using BeatPass.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace BeatPass.Tests.Core;

/// <summary>Which tokens reach the database: only those this service may have issued, and each dead one once.</summary>
public abstract class ApiTokenIssuerTests(DatabaseProvider provider) : IAsyncLifetime
{
    private TestDatabase _database = null!;
    private string _userId = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(provider: provider);
        _userId = await _database.CreateUserAsync();
    }

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task Every_secret_the_service_issues_carries_the_tag_of_the_installations_key()
    {
        var created = (await _database.CreateTokenService().CreateAsync(_userId, "Tagged")).Token!;
        await using var db = _database.CreateDbContext();
        var key = await db.ApiTokenTagKeys.Select(k => k.Key).SingleAsync();

        key.Should().HaveCount(ApiTokenFormat.TagKeyLength);
        using var tagger = new HMACSHA256(key);
        using var otherKey = new HMACSHA256(new byte[ApiTokenFormat.TagKeyLength]);
        ApiTokenFormat.HasValidTag(created.PlainText, tagger).Should().BeTrue();
        ApiTokenFormat.HasValidTag(created.PlainText, otherKey).Should().BeFalse("another key");
        ApiTokenFormat.HasValidTag(ApiTokenFormat.Generate(), tagger).Should().BeFalse("a made-up token");
    }

    [Fact]
    public async Task Made_up_and_replayed_dead_tokens_are_refused_without_the_database_and_a_new_secret_still_reaches_it()
    {
        var tokens = _database.CreateTokenService();
        var deleted = (await tokens.CreateAsync(_userId, "Deleted")).Token!;
        (await _database.AuthenticateAsync(deleted.PlainText)).Should().NotBeNull();
        await tokens.DeleteAsync(_userId, deleted.Summary.Id);
        (await _database.AuthenticateAsync(deleted.PlainText)).Should().BeNull("one lookup finds it gone");
        var neverStored = await _database.Issuer.GenerateAsync();

        await _database.BreakAsync();

        (await _database.Authenticator.AuthenticateAsync(ApiTokenFormat.Generate())).Should().Be(ApiTokenCheck.Invalid);
        (await _database.Authenticator.AuthenticateAsync(deleted.PlainText)).Status.Should().Be(ApiTokenStatus.Invalid);
        // The control: a tagged secret this node has not seen does go to the (now missing) database.
        var lookUp = async () => await _database.Authenticator.AuthenticateAsync(neverStored);
        await lookUp.Should().ThrowAsync<Exception>();
    }

    [Fact]
    public async Task A_secret_issued_before_tags_keeps_working_until_regenerated_which_tags_it()
    {
        var created = (await _database.CreateTokenService().CreateAsync(_userId, "Old")).Token!;
        var untagged = ApiTokenFormat.Generate();
        await using (var db = _database.CreateDbContext())
        {
            await db.ApiTokens.Where(t => t.Id == created.Summary.Id).ExecuteUpdateAsync(s => s
                .SetProperty(t => t.TokenHash, ApiTokenHash.Parse(untagged).ToArray())
                .SetProperty(t => t.IsUntagged, true));
        }

        // A node started after the upgrade: it reads the untagged secrets when it starts.
        await using var node = await TestDatabase.CreateAsync(
            connectionString: _database.PostgreSqlConnectionString, filePath: _database.FilePath, provider: provider);

        (await node.AuthenticateAsync(untagged)).Should().NotBeNull();
        (await node.AuthenticateAsync(ApiTokenFormat.Generate())).Should().BeNull();

        var regenerated = (await node.CreateTokenService().RegenerateAsync(_userId, created.Summary.Id)).Token!;
        (await node.AuthenticateAsync(untagged)).Should().BeNull();
        (await node.AuthenticateAsync(regenerated.PlainText)).Should().NotBeNull();
        await using var check = node.CreateDbContext();
        (await check.ApiTokens.SingleAsync(t => t.Id == created.Summary.Id)).IsUntagged.Should().BeFalse();
    }
}

public sealed class ApiTokenIssuerTestsOnSqlite() : ApiTokenIssuerTests(DatabaseProvider.Sqlite);

public sealed class ApiTokenIssuerTestsOnPostgreSql() : ApiTokenIssuerTests(DatabaseProvider.PostgreSQL);

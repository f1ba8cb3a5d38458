using BeatPass.Core.ApiTokens;
using Microsoft.Extensions.Options;

namespace BeatPass.Tests.Core;

public class ApiTokenCacheTests
{
    private static readonly DateTime Now = new(2026, 11, 27, 12, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void An_entry_read_before_an_invalidation_is_not_kept()
    {
        var cache = NewCache();
        var hash = ApiTokenHash.Parse(ApiTokenFormat.Generate());
        var generationBeforeLoad = cache.Generation;

        // The owner's token is deleted while the lookup is between its query and adding the result.
        cache.InvalidateUsers(new HashSet<string> { "owner" });
        cache.Add(hash, Entry("owner"), Now, generationBeforeLoad);

        cache.TryGet(hash, Now, out _).Should().BeFalse();
    }

    [Fact]
    public void Invalidating_an_account_drops_its_entries_and_keeps_others()
    {
        var cache = NewCache();
        var mine = ApiTokenHash.Parse(ApiTokenFormat.Generate());
        var theirs = ApiTokenHash.Parse(ApiTokenFormat.Generate());
        cache.Add(mine, Entry("me"), Now, cache.Generation);
        cache.Add(theirs, Entry("them"), Now, cache.Generation);

        cache.InvalidateUsers(new HashSet<string> { "me" });

        cache.TryGet(mine, Now, out _).Should().BeFalse();
        cache.TryGet(theirs, Now, out _).Should().BeTrue();
    }

    [Fact]
    public void The_cache_never_holds_more_than_its_capacity()
    {
        var cache = NewCache(capacity: 10);

        for (var i = 0; i < 25; i++)
        {
            cache.Add(ApiTokenHash.Parse(ApiTokenFormat.Generate()), Entry($"user {i}"), Now, cache.Generation);
            cache.Count.Should().BeLessThanOrEqualTo(10);
        }
    }

    [Fact]
    public void The_hash_key_round_trips_through_the_bytes_the_database_stores()
    {
        var token = ApiTokenFormat.Generate();

        var hash = ApiTokenHash.Parse(token);

        ApiTokenHash.From(hash.ToArray()).Should().Be(hash);
    }

    private static ApiTokenCache NewCache(int capacity = 100) =>
        new(Options.Create(new ApiTokenOptions { CacheCapacity = capacity }));

    private static CachedApiToken Entry(string userId) => new(
        new ApiTokenIdentity(Guid.NewGuid(), "Token", userId, "user", "user@example.com", ApiPermissions.AccountRead),
        expiresAt: null, lastUsedAt: null, freshUntil: Now.AddMinutes(1));
}

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
    public void A_full_cache_drops_the_least_recently_used_and_keeps_the_token_in_use()
    {
        var cache = NewCache(capacity: 100);
        var hashes = Enumerable.Range(0, 100).Select(_ => ApiTokenHash.Parse(ApiTokenFormat.Generate())).ToList();
        for (var i = 0; i < hashes.Count; i++)
        {
            cache.Add(hashes[i], Entry($"user {i}"), Now.AddSeconds(i), cache.Generation);
        }

        cache.TryGet(hashes[0], Now.AddSeconds(200), out _).Should().BeTrue("the oldest entry is used again");
        cache.Add(ApiTokenHash.Parse(ApiTokenFormat.Generate()), Entry("newcomer"), Now.AddSeconds(201), cache.Generation);

        cache.Count.Should().BeInRange(80, 100, "a tenth or so makes room, not the whole cache");
        cache.TryGet(hashes[0], Now.AddSeconds(202), out _).Should().BeTrue("it was used last");
        cache.TryGet(hashes[99], Now.AddSeconds(202), out _).Should().BeTrue("it was added last");
        cache.TryGet(hashes[1], Now.AddSeconds(202), out _).Should().BeFalse("it was the least recently used");
    }

    [Fact]
    public void A_full_cache_larger_than_its_sample_drops_a_tenth_from_its_oldest()
    {
        // Room for more entries than the sample that judges which are oldest: the sample must stand for all of them. It
        // judges roughly (the tenth it finds may reach past the oldest 200 entries, then 200 of those go), never the newer.
        var cache = NewCache(capacity: 2_000);
        var hashes = Enumerable.Range(0, 2_000).Select(_ => ApiTokenHash.Parse(ApiTokenFormat.Generate())).ToList();
        for (var i = 0; i < hashes.Count; i++)
        {
            cache.Add(hashes[i], Entry($"user {i}"), Now.AddSeconds(i), cache.Generation);
        }

        var newcomer = ApiTokenHash.Parse(ApiTokenFormat.Generate());
        cache.Add(newcomer, Entry("newcomer"), Now.AddSeconds(3_000), cache.Generation);

        cache.Count.Should().BeInRange(1_801, 1_950, "about a tenth makes room");
        var later = Now.AddSeconds(3_001);
        hashes.Skip(500).Append(newcomer).Where(hash => !cache.TryGet(hash, later, out _)).Should().BeEmpty("only the oldest quarter is dropped from");
    }

    [Fact]
    public void A_cache_of_one_keeps_the_newest()
    {
        var cache = NewCache(capacity: 1);
        var first = ApiTokenHash.Parse(ApiTokenFormat.Generate());
        var second = ApiTokenHash.Parse(ApiTokenFormat.Generate());

        cache.Add(first, Entry("first"), Now, cache.Generation);
        cache.Add(second, Entry("second"), Now.AddSeconds(1), cache.Generation);

        cache.Count.Should().Be(1);
        cache.TryGet(second, Now.AddSeconds(2), out _).Should().BeTrue();
    }

    [Fact]
    public async Task Adds_from_many_threads_never_exceed_the_capacity()
    {
        var cache = NewCache(capacity: 50);
        var overCapacity = 0;

        await Task.WhenAll(Enumerable.Range(0, 4).Select(worker => Task.Run(() =>
        {
            for (var i = 0; i < 2_000; i++)
            {
                cache.Add(ApiTokenHash.Parse(ApiTokenFormat.Generate()), Entry($"user {worker}-{i}"), Now.AddTicks(i), cache.Generation);
                if (cache.Count > 50)
                {
                    Interlocked.Increment(ref overCapacity);
                }
            }
        })));

        overCapacity.Should().Be(0);
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
        expiresAt: null, lastUsedAt: null, freshUntil: Now.AddHours(1));
}

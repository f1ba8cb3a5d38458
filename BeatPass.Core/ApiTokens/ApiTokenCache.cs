using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace BeatPass.Core.ApiTokens;

/// <summary>
/// Tokens this node has recently looked up, by hash, so an API request costs a dictionary lookup rather than a
/// query. Every change to a token or its owner made through <see cref="Data.BeatPassDbContext"/> on this node
/// invalidates the owner's entries when it commits (see <see cref="ApiTokenCacheInvalidator"/>), so deletion,
/// regeneration, revoked access and account deletion take effect at once; on PostgreSQL, changes committed by other
/// nodes (or by hand) reach it through <see cref="ApiTokenChangeListener"/>. Entries also go stale after
/// <see cref="ApiTokenOptions.CacheEntryLifetime"/>, which bounds how long a change can go unseen if all of that
/// fails. Expiry is compared on every request.
/// </summary>
public sealed class ApiTokenCache(IOptions<ApiTokenOptions> options)
{
    private readonly ConcurrentDictionary<ApiTokenHash, CachedApiToken> _entries = new();

    // Hashes the database did not know (a deleted token replayed, say), so each costs one lookup, not one per request.
    // A hash that was not there stays not there: a new secret is random, never one presented before.
    private readonly ConcurrentDictionary<ApiTokenHash, byte> _refused = new();

    // Bumped by every invalidation, so a lookup that raced one doesn't cache what it read before it.
    private long _generation;

    public long Generation => Interlocked.Read(ref _generation);

    public int Count => _entries.Count;

    public int RefusedCount => _refused.Count;

    public bool IsRefused(ApiTokenHash hash) => _refused.ContainsKey(hash);

    /// <summary>Remembers that the database has no usable token with this hash.</summary>
    public void AddRefused(ApiTokenHash hash)
    {
        if (_refused.Count >= options.Value.CacheCapacity)
        {
            _refused.Clear(); // a flood of distinct dead tokens: start over rather than grow
        }

        _refused[hash] = 0;
    }

    public bool TryGet(ApiTokenHash hash, DateTime now, out CachedApiToken entry) =>
        _entries.TryGetValue(hash, out entry!) && entry.FreshUntil > now;

    /// <param name="generationBeforeLoad">
    /// <see cref="Generation"/> read before the database was queried for this entry.
    /// </param>
    public void Add(ApiTokenHash hash, CachedApiToken entry, DateTime now, long generationBeforeLoad)
    {
        if (_entries.Count >= options.Value.CacheCapacity)
        {
            MakeRoom(now);
        }

        _entries[hash] = entry;
        if (Generation != generationBeforeLoad)
        {
            // The entry may describe a token or account changed since it was read.
            _entries.TryRemove(KeyValuePair.Create(hash, entry));
        }
    }

    /// <summary>Drops every entry of these accounts. Call after the change is committed.</summary>
    public void InvalidateUsers(IReadOnlySet<string> userIds)
    {
        if (userIds.Count == 0)
        {
            return;
        }

        Interlocked.Increment(ref _generation);
        foreach (var pair in _entries)
        {
            if (userIds.Contains(pair.Value.Identity.UserId))
            {
                _entries.TryRemove(pair);
            }
        }
    }

    public void Clear()
    {
        Interlocked.Increment(ref _generation);
        _entries.Clear();
        _refused.Clear();
    }

    private void MakeRoom(DateTime now)
    {
        foreach (var pair in _entries)
        {
            if (pair.Value.FreshUntil <= now)
            {
                _entries.TryRemove(pair);
            }
        }

        // Still full of fresh entries: start over rather than track recency on every hit.
        if (_entries.Count >= options.Value.CacheCapacity)
        {
            _entries.Clear();
        }
    }
}

/// <summary>What the cache keeps of a token: who it belongs to and what can refuse it without a query.</summary>
public sealed class CachedApiToken
{
    private long _lastUsedWrittenTicks;
    private long _expiredRefusalLoggedTicks;

    public CachedApiToken(ApiTokenIdentity identity, DateTime? expiresAt, DateTime? lastUsedAt, DateTime freshUntil)
    {
        Identity = identity;
        Accepted = ApiTokenCheck.Valid(identity);
        ExpiresAt = expiresAt;
        FreshUntil = freshUntil;
        _lastUsedWrittenTicks = lastUsedAt?.Ticks ?? 0;
    }

    public ApiTokenIdentity Identity { get; }

    /// <summary>The result for a valid use, made once so that a hit allocates nothing.</summary>
    public ApiTokenCheck Accepted { get; }

    public DateTime? ExpiresAt { get; }

    public DateTime FreshUntil { get; }

    /// <summary>True for exactly one caller once <paramref name="interval"/> has passed since the last write.</summary>
    public bool TryClaimLastUsedWrite(DateTime now, TimeSpan interval) => TryClaim(ref _lastUsedWrittenTicks, now, interval);

    public bool TryClaimExpiredRefusalLog(DateTime now, TimeSpan interval) => TryClaim(ref _expiredRefusalLoggedTicks, now, interval);

    private static bool TryClaim(ref long lastTicks, DateTime now, TimeSpan interval)
    {
        var last = Interlocked.Read(ref lastTicks);
        return now.Ticks - last >= interval.Ticks
            && Interlocked.CompareExchange(ref lastTicks, now.Ticks, last) == last;
    }
}

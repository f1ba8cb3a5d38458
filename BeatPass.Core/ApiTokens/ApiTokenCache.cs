using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Options;

namespace BeatPass.Core.ApiTokens;

/// <summary>
/// Tokens this node has recently looked up, by hash, so an API request costs a dictionary lookup rather than a
/// query. Every change to a token or its owner made through <see cref="Data.BeatPassDbContext"/> on this node
/// invalidates the owner's entries when it commits (see <see cref="ApiTokenCacheInvalidator"/>), so deletion,
/// regeneration, revoked access and account deletion take effect at once; on PostgreSQL, changes committed by other
/// nodes (or by hand) reach it through <see cref="ApiTokenChangeListener"/>. Entries also go stale after
/// <see cref="ApiTokenOptions.CacheEntryLifetime"/>, which bounds how long a change can go unseen if all of that
/// fails. Expiry is compared on every request. <see cref="ApiTokenOptions.CacheCapacity"/> is a hard bound: a full
/// cache drops its least recently used tenth (judged from a sample) to make room.
/// </summary>
public sealed class ApiTokenCache
{
    private readonly IOptions<ApiTokenOptions> _options;
    private readonly BeatPassMetrics? _metrics;

    /// <param name="metrics">Where its size and evictions are reported; none in a benchmark that makes a cache alone.</param>
    public ApiTokenCache(IOptions<ApiTokenOptions> options, BeatPassMetrics? metrics = null)
    {
        _options = options;
        _metrics = metrics;
        metrics?.ObserveGauge("beatpass.api_token.cache.size", "{entry}", "Tokens in this node's authentication cache.", () => Count);
    }

    private readonly ConcurrentDictionary<ApiTokenHash, CachedApiToken> _entries = new();

    // Hashes the database did not know (a deleted token replayed, say), so each costs one lookup, not one per request.
    // A hash that was not there stays not there: a new secret is random, never one presented before.
    private readonly ConcurrentDictionary<ApiTokenHash, byte> _refused = new();

    // Bumped by every invalidation, so a lookup that raced one doesn't cache what it read before it.
    private long _generation;

    // Every change to the entries takes it (adds follow a query; invalidations are rare), so the capacity is never
    // exceeded and _count is exact without asking the dictionary, whose Count takes all its locks; hits never take it.
    private readonly Lock _changeLock = new();
    private int _count;

    // How many entries' last use a full cache looks at to decide which tenth is least recently used.
    private const int EvictionSample = 256;

    public long Generation => Interlocked.Read(ref _generation);

    public int Count => Volatile.Read(ref _count);

    public int RefusedCount => _refused.Count;

    public bool IsRefused(ApiTokenHash hash) => _refused.ContainsKey(hash);

    /// <summary>Remembers that the database has no usable token with this hash.</summary>
    public void AddRefused(ApiTokenHash hash)
    {
        if (_refused.Count >= _options.Value.CacheCapacity)
        {
            _refused.Clear(); // a flood of distinct dead tokens: start over rather than grow
        }

        _refused[hash] = 0;
    }

    public bool TryGet(ApiTokenHash hash, DateTime now, out CachedApiToken entry)
    {
        if (!_entries.TryGetValue(hash, out entry!) || entry.FreshUntil <= now)
        {
            return false;
        }

        entry.Touch(now);
        return true;
    }

    /// <param name="generationBeforeLoad">
    /// <see cref="Generation"/> read before the database was queried for this entry.
    /// </param>
    public void Add(ApiTokenHash hash, CachedApiToken entry, DateTime now, long generationBeforeLoad)
    {
        entry.Touch(now);
        lock (_changeLock)
        {
            if (!_entries.ContainsKey(hash))
            {
                if (_count >= _options.Value.CacheCapacity)
                {
                    MakeRoom(now);
                }

                _count++;
            }

            _entries[hash] = entry;

            if (Generation != generationBeforeLoad)
            {
                // The entry may describe a token or account changed since it was read.
                Remove(KeyValuePair.Create(hash, entry));
            }
        }
    }

    /// <summary>Drops every entry of these accounts. Call after the change is committed.</summary>
    public void InvalidateUsers(IReadOnlySet<string> userIds)
    {
        if (userIds.Count == 0)
        {
            return;
        }

        lock (_changeLock)
        {
            Interlocked.Increment(ref _generation);
            foreach (var pair in _entries)
            {
                if (userIds.Contains(pair.Value.Identity.UserId))
                {
                    Remove(pair);
                }
            }
        }
    }

    public void Clear()
    {
        lock (_changeLock)
        {
            Interlocked.Increment(ref _generation);
            _entries.Clear();
            _count = 0;
        }

        _refused.Clear();
    }

    // Under _changeLock.
    private bool Remove(KeyValuePair<ApiTokenHash, CachedApiToken> pair)
    {
        if (!_entries.TryRemove(pair))
        {
            return false;
        }

        _count--;
        return true;
    }

    /// <summary>
    /// Drops the stale entries and the least recently used tenth (at least one), so a full cache keeps the tokens in
    /// use. Which tenth is judged from a sample of entries' last use: the first the dictionary yields, as it keeps them
    /// in the order of their hashes, which says nothing of when a token was used. So making room costs one pass over
    /// the entries and the sort of a small sample, not a sort of the cache.
    /// </summary>
    private void MakeRoom(DateTime now)
    {
        var capacity = _options.Value.CacheCapacity;
        var toDrop = Math.Max(1, capacity / 10);
        var before = _count;
        var sample = new List<long>(Math.Min(before, EvictionSample));
        foreach (var pair in _entries)
        {
            sample.Add(pair.Value.LastUsedTicks);
            if (sample.Count == EvictionSample)
            {
                break;
            }
        }

        sample.Sort();
        // The last use of the newest entry to drop: the sample's same share from the oldest.
        var newestDropped = sample[Math.Clamp((int)((long)sample.Count * toDrop / Math.Max(1, before)) - 1, 0, sample.Count - 1)];
        var dropped = 0;
        foreach (var pair in _entries)
        {
            if ((pair.Value.FreshUntil <= now || (dropped < toDrop && pair.Value.LastUsedTicks <= newestDropped)) && Remove(pair))
            {
                dropped++;
            }
        }

        // Ties, or a sample that missed: drop whatever comes first until there is room.
        foreach (var pair in _entries)
        {
            if (_count < capacity)
            {
                break;
            }

            Remove(pair);
        }

        _metrics?.CacheEvicted(before - _count);
    }
}

/// <summary>What the cache keeps of a token: who it belongs to and what can refuse it without a query.</summary>
public sealed class CachedApiToken
{
    private long _useRecordedTicks;
    private long _expiredRefusalLoggedTicks;
    private long _lastUsedTicks;

    // The caller of the last use recorded on this node, or read back with the token: one that changes is recorded at once.
    private volatile IPAddress? _recordedAddress;
    private volatile string? _recordedUserAgent;
    private volatile string? _recordedService;

    /// <param name="isRevoked">Revoked by BeatPass: kept so that its every use is refused, and counted, as revoked.</param>
    /// <param name="lastCaller">
    /// Who made the last use written, with <paramref name="lastUsedAt"/>: the same caller again is recorded only once the
    /// interval has passed, as on the node that recorded it, not at once as a new one. A token missed from the cache
    /// (evicted, expired, another node's) then costs no write, and no read of its row by the writer, on every miss.
    /// </param>
    public CachedApiToken(
        ApiTokenIdentity identity, DateTime? expiresAt, DateTime? lastUsedAt, DateTime freshUntil, bool isRevoked = false, ApiCaller lastCaller = default)
    {
        Identity = identity;
        Accepted = ApiTokenCheck.Valid(identity, ApiTokenCacheUse.Hit);
        AcceptedAfterLookup = ApiTokenCheck.Valid(identity, ApiTokenCacheUse.Miss);
        ExpiresAt = expiresAt;
        FreshUntil = freshUntil;
        IsRevoked = isRevoked;
        _useRecordedTicks = lastUsedAt?.Ticks ?? 0;
        _recordedAddress = lastCaller.Address;
        _recordedUserAgent = lastCaller.UserAgent;
        _recordedService = lastCaller.Service;
    }

    public ApiTokenIdentity Identity { get; }

    /// <summary>The result for a valid use found in the cache, made once so that a hit allocates nothing.</summary>
    public ApiTokenCheck Accepted { get; }

    /// <summary>The result for the valid use that looked it up.</summary>
    public ApiTokenCheck AcceptedAfterLookup { get; }

    public bool IsRevoked { get; }

    public DateTime? ExpiresAt { get; }

    public DateTime FreshUntil { get; }

    /// <summary>When this node last added or found it: what a full cache evicts by.</summary>
    public long LastUsedTicks => Volatile.Read(ref _lastUsedTicks);

    public void Touch(DateTime now)
    {
        // To the second, and written only when that moves on, so a token hit by many requests at once doesn't bounce
        // its cache line between cores on every hit.
        if (now.Ticks - Volatile.Read(ref _lastUsedTicks) >= TimeSpan.TicksPerSecond)
        {
            Volatile.Write(ref _lastUsedTicks, now.Ticks);
        }
    }

    /// <summary>
    /// Whether this use is to be recorded: the first from a new address or user agent, and otherwise one use (for
    /// exactly one caller) once <paramref name="interval"/> has passed since the last recorded.
    /// </summary>
    public bool TryClaimUse(DateTime now, ApiCaller caller, TimeSpan interval)
    {
        if (IsRecordedCaller(caller))
        {
            return TryClaim(ref _useRecordedTicks, now, interval);
        }

        _recordedAddress = caller.Address;
        _recordedUserAgent = caller.UserAgent;
        _recordedService = caller.Service;
        Interlocked.Exchange(ref _useRecordedTicks, now.Ticks);
        return true;
    }

    private bool IsRecordedCaller(ApiCaller caller)
    {
        if (caller.UserAgent != _recordedUserAgent || caller.Service != _recordedService)
        {
            return false;
        }

        if (Equals(caller.Address, _recordedAddress))
        {
            return true;
        }

        // An address read back from the database is plain IPv4, where a dual-stack listener gives it mapped to IPv6:
        // the same caller, compared in the form it comes in from now on.
        if (caller.Address is { IsIPv4MappedToIPv6: true } mapped && mapped.MapToIPv4().Equals(_recordedAddress))
        {
            _recordedAddress = caller.Address;
            return true;
        }

        return false;
    }

    public bool TryClaimExpiredRefusalLog(DateTime now, TimeSpan interval) => TryClaim(ref _expiredRefusalLoggedTicks, now, interval);

    private static bool TryClaim(ref long lastTicks, DateTime now, TimeSpan interval)
    {
        var last = Interlocked.Read(ref lastTicks);
        return now.Ticks - last >= interval.Ticks
            && Interlocked.CompareExchange(ref lastTicks, now.Ticks, last) == last;
    }
}

using System.Collections.Concurrent;
using BeatPass.Core.Audit;
using BeatPass.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BeatPass.Core.ApiTokens;

/// <summary>
/// Checks a presented token on every API request. The shape and checksum are checked first, with no database
/// work; a well-formed token is then looked up by its SHA-256 in <see cref="ApiTokenCache"/>. On a miss, a token
/// this service cannot have issued (<see cref="ApiTokenIssuer"/>: no valid tag, not an old untagged secret) or one
/// the database already refused is refused at once; only the rest are looked up in the database. Expiry is compared
/// with the current time on every request, hit or miss. A sign-in lockout (repeated wrong passwords) does not
/// stop tokens: anyone could otherwise break an account's integrations by mistyping its password; staff stop an
/// account's API use by revoking developer access.
/// </summary>
public sealed class ApiTokenAuthenticator(
    IDbContextFactory<BeatPassDbContext> dbFactory,
    ApiTokenCache cache,
    ApiTokenIssuer issuer,
    ApiTokenUses uses,
    TimeProvider timeProvider,
    IOptions<ApiTokenOptions> options,
    ApiPermissionCatalog permissions,
    BeatPassMetrics metrics,
    ILogger<ApiTokenAuthenticator> logger) : IDisposable
{
    /// <summary>
    /// A token used again by the same caller is noted as used at most this often (a new address or user agent at
    /// once), and the notes are written in batches (<see cref="ApiTokenUses"/>), so API reads don't turn into database
    /// writes.
    /// </summary>
    public static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    /// <summary>How often each node records, per token, that an expired token was refused.</summary>
    public static readonly TimeSpan ExpiredRefusalLogInterval = TimeSpan.FromHours(1);

    // Misses go to the database together on PostgreSQL (one query for the tokens that miss at about the same time),
    // and straight to the file, with a statement prepared once, on SQLite.
    private readonly ApiTokenLookups _databaseLookups = new(dbFactory, metrics);

    // The lookups under way, so that concurrent misses for one token (a burst from one script, a restart under load)
    // share one query. A miss joins only a lookup that began after the cache's last invalidation: one that began
    // before it may have read the token just deleted, and a request sent after the deletion must not get that answer.
    private readonly ConcurrentDictionary<ApiTokenHash, SharedLookup> _lookups = new();

    /// <param name="caller">Who presented it, recorded with its use; unknown for a check that is not a use.</param>
    public ValueTask<ApiTokenCheck> AuthenticateAsync(ReadOnlySpan<char> token, ApiCaller caller = default, CancellationToken cancellationToken = default)
    {
        if (!ApiTokenHash.TryParse(token, out var hash))
        {
            return ValueTask.FromResult(ApiTokenCheck.Invalid);
        }

        var now = timeProvider.GetUtcNow().UtcDateTime;
        if (cache.TryGet(hash, now, out var entry))
        {
            return CheckAsync(entry, ApiTokenCacheUse.Hit, now, caller, cancellationToken);
        }

        if (cache.IsRefused(hash))
        {
            return ValueTask.FromResult(ApiTokenCheck.Failure(ApiTokenStatus.Invalid, ApiTokenCacheUse.Hit));
        }

        if (!issuer.IsLoaded)
        {
            return LoadIssuerAndAuthenticateAsync(token.ToString(), caller, cancellationToken);
        }

        // A made-up token (right checksum, wrong tag) never reaches the database.
        return issuer.MayHaveIssued(token, hash)
            ? LoadAndCheckAsync(hash, now, caller, cancellationToken)
            : ValueTask.FromResult(ApiTokenCheck.Invalid);
    }

    private async ValueTask<ApiTokenCheck> LoadIssuerAndAuthenticateAsync(string token, ApiCaller caller, CancellationToken cancellationToken)
    {
        await issuer.LoadAsync(cancellationToken);
        return await AuthenticateAsync(token, caller, cancellationToken);
    }

    private async ValueTask<ApiTokenCheck> LoadAndCheckAsync(ApiTokenHash hash, DateTime now, ApiCaller caller, CancellationToken cancellationToken)
    {
        var generation = cache.Generation;
        var lookup = _lookups.AddOrUpdate(
            hash,
            static (_, generation) => new SharedLookup(generation),
            static (_, underWay, generation) => underWay.Generation == generation ? underWay : new SharedLookup(generation),
            generation);
        CachedApiToken? entry;
        try
        {
            // The first to ask looks it up (on SQLite, on this thread); the others wait for its answer.
            if (lookup.TryStart())
            {
                await lookup.CompleteWithAsync(LookUpAsync(hash, now, generation));
            }

            entry = await lookup.Entry.WaitAsync(cancellationToken);
        }
        finally
        {
            _lookups.TryRemove(KeyValuePair.Create(hash, lookup));
        }

        return entry is null
            ? ApiTokenCheck.Failure(ApiTokenStatus.Invalid, ApiTokenCacheUse.Miss)
            : await CheckAsync(entry, ApiTokenCacheUse.Miss, now, caller, cancellationToken);
    }

    /// <summary>
    /// Reads the token and caches what was read (a revoked one too, refused as such); null (and remembered as
    /// refused) when there is no token with this hash. Not cancelled with the request that started it: other requests
    /// may be waiting for it.
    /// </summary>
    /// <param name="generation"><see cref="ApiTokenCache.Generation"/> read before the lookup began.</param>
    private async Task<CachedApiToken?> LookUpAsync(ApiTokenHash hash, DateTime now, long generation)
    {
        var row = await _databaseLookups.FindAsync(hash);
        if (row is null)
        {
            cache.AddRefused(hash);
            return null;
        }

        // A use noted but not written yet counts as written: a reloaded entry must not note it again.
        var lastUsedAt = row.LastUsedAt;
        if (uses.WaitingUseAt(row.Identity.TokenId) is { } waiting && (lastUsedAt is null || waiting > lastUsedAt))
        {
            lastUsedAt = waiting;
        }

        var entry = new CachedApiToken(
            row.Identity with { Permissions = permissions.Effective(row.Identity.Permissions, row.HolderIsStaff) },
            row.ExpiresAt,
            lastUsedAt,
            freshUntil: now + options.Value.CacheEntryLifetime,
            row.IsRevoked,
            row.LastCaller);
        cache.Add(hash, entry, now, generation);
        return entry;
    }

    private ValueTask<ApiTokenCheck> CheckAsync(
        CachedApiToken entry, ApiTokenCacheUse cacheUse, DateTime now, ApiCaller caller, CancellationToken cancellationToken)
    {
        if (entry.IsRevoked)
        {
            return ValueTask.FromResult(ApiTokenCheck.Failure(ApiTokenStatus.Revoked, cacheUse));
        }

        if (entry.ExpiresAt <= now)
        {
            var expired = ApiTokenCheck.Failure(ApiTokenStatus.Expired, cacheUse);
            return entry.TryClaimExpiredRefusalLog(now, ExpiredRefusalLogInterval)
                ? LogExpiredRefusalAsync(entry.Identity, expired, cancellationToken)
                : ValueTask.FromResult(expired);
        }

        if (entry.TryClaimUse(now, caller, LastUsedResolution))
        {
            uses.Record(entry.Identity.TokenId, now, caller);
        }

        return ValueTask.FromResult(cacheUse == ApiTokenCacheUse.Hit ? entry.Accepted : entry.AcceptedAfterLookup);
    }

    private async ValueTask<ApiTokenCheck> LogExpiredRefusalAsync(ApiTokenIdentity identity, ApiTokenCheck expired, CancellationToken cancellationToken)
    {
        logger.LogInformation("Refused expired API token {TokenId} of user {UserId}", identity.TokenId, identity.UserId);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        db.RecordSecurityEvent(timeProvider.GetUtcNow().UtcDateTime, Actor.Account(identity.UserId), identity.UserId,
            AuditAction.ExpiredTokenRefused, identity.TokenName);
        await db.SaveChangesAsync(cancellationToken);
        return expired;
    }

    /// <summary>A lookup that concurrent misses for one token share; it runs once, for the first of them.</summary>
    private sealed class SharedLookup(long generation)
    {
        private readonly TaskCompletionSource<CachedApiToken?> _entry = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _started;

        public long Generation => generation;

        public Task<CachedApiToken?> Entry => _entry.Task;

        public bool TryStart() => Interlocked.Exchange(ref _started, 1) == 0;

        public async Task CompleteWithAsync(Task<CachedApiToken?> lookUp)
        {
            try
            {
                _entry.SetResult(await lookUp);
            }
            catch (Exception exception)
            {
                _entry.SetException(exception);
            }
        }
    }

    /// <inheritdoc cref="ApiTokenLookups.CloseConnections"/>
    internal void CloseConnections() => _databaseLookups.CloseConnections();

    public void Dispose() => _databaseLookups.Dispose();
}

using System.Security.Cryptography;
using BeatPass.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace BeatPass.Core.ApiTokens;

/// <summary>
/// This installation's tag key, one row shared by every node: made (32 random bytes) by whichever node needs it
/// first, then read by all. Whoever can read the database can make tags, which only lets them reach the lookup.
/// </summary>
public sealed class ApiTokenTagKey
{
    public const int SingleId = 1;

    public int Id { get; set; } = SingleId;

    public required byte[] Key { get; set; }
}

/// <summary>
/// Tells a token this service may have issued from one it cannot have, with no database work: a tagged token must
/// carry the tag of this installation's key (<see cref="ApiTokenFormat"/>), and a token from before tags must be in
/// the list of untagged secrets read at start. That list never grows (new secrets are all tagged), so every node's
/// copy stays exact enough: it can only hold secrets since deleted, which the lookup then refuses.
/// </summary>
public sealed class ApiTokenIssuer(IDbContextFactory<BeatPassDbContext> dbFactory)
{
    private readonly SemaphoreSlim _loading = new(1, 1);
    private volatile Issued? _issued;

    public bool IsLoaded => _issued is not null;

    public async Task LoadAsync(CancellationToken cancellationToken = default)
    {
        await _loading.WaitAsync(cancellationToken);
        try
        {
            if (_issued is null)
            {
                await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
                var key = await ReadOrMakeKeyAsync(db, cancellationToken);
                var untagged = await db.ApiTokens.Where(t => t.IsUntagged).Select(t => t.TokenHash).ToListAsync(cancellationToken);
                _issued = new Issued(key, untagged.Select(hash => ApiTokenHash.From(hash)).ToHashSet());
            }
        }
        finally
        {
            _loading.Release();
        }
    }

    /// <summary>A new tagged secret. Loads the key first if this node has not yet.</summary>
    public async ValueTask<string> GenerateAsync(CancellationToken cancellationToken = default)
    {
        if (_issued is null)
        {
            await LoadAsync(cancellationToken);
        }

        return ApiTokenFormat.Generate(_issued!.Tagger.Value!);
    }

    /// <summary>
    /// False when this service cannot have issued the well-formed <paramref name="token"/>: worth no lookup.
    /// Call once <see cref="IsLoaded"/>.
    /// </summary>
    public bool MayHaveIssued(ReadOnlySpan<char> token, ApiTokenHash hash)
    {
        var issued = _issued ?? throw new InvalidOperationException("Load the issuer first.");
        return ApiTokenFormat.HasValidTag(token, issued.Tagger.Value!) || issued.Untagged.Contains(hash);
    }

    /// <summary><see cref="MayHaveIssued"/>, loading the key first if this node has not yet.</summary>
    public async ValueTask<bool> MayHaveIssuedAsync(string token, ApiTokenHash hash, CancellationToken cancellationToken = default)
    {
        if (_issued is null)
        {
            await LoadAsync(cancellationToken);
        }

        return MayHaveIssued(token, hash);
    }

    private static async Task<byte[]> ReadOrMakeKeyAsync(BeatPassDbContext db, CancellationToken cancellationToken)
    {
        if (await db.ApiTokenTagKeys.Select(k => k.Key).SingleOrDefaultAsync(cancellationToken) is { } stored)
        {
            return stored;
        }

        db.ApiTokenTagKeys.Add(new ApiTokenTagKey { Key = RandomNumberGenerator.GetBytes(ApiTokenFormat.TagKeyLength) });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Another node made it at the same moment: use theirs.
        }

        return await db.ApiTokenTagKeys.AsNoTracking().Select(k => k.Key).SingleAsync(cancellationToken);
    }

    private sealed record Issued(byte[] Key, HashSet<ApiTokenHash> Untagged)
    {
        // Keyed once per thread, not per token.
        public ThreadLocal<HMACSHA256> Tagger { get; } = new(() => new HMACSHA256(Key));
    }
}

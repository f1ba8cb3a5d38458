using BeatPass.Core.Audit;
using BeatPass.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BeatPass.Core.ApiTokens;

/// <summary>
/// Creates, lists, deletes and authenticates personal API tokens. Every call that touches tokens takes
/// the acting user's id and only ever sees that user's tokens.
/// </summary>
public sealed class ApiTokenService(
    IDbContextFactory<BeatPassDbContext> dbFactory,
    TimeProvider timeProvider,
    IOptions<ApiTokenOptions> options,
    ILogger<ApiTokenService> logger)
{
    /// <summary>Last used is stored at this resolution, so API reads don't turn into database writes.</summary>
    public static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    private static readonly Func<BeatPassDbContext, byte[], CancellationToken, Task<TokenMatch?>> FindByHash =
        EF.CompileAsyncQuery((BeatPassDbContext db, byte[] hash, CancellationToken _) => db.ApiTokens
            .Where(t => t.TokenHash == hash && t.User!.HasDeveloperAccess)
            .Select(t => new TokenMatch(t.Id, t.Name, t.UserId, t.User!.UserName!, t.User.Email!, t.LastUsedAt, t.User.LockoutEnd))
            .SingleOrDefault());

    public async Task<IReadOnlyList<ApiTokenSummary>> ListAsync(string userId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.ApiTokens
            .Where(t => t.UserId == userId)
            .OrderByDescending(t => t.CreatedAt)
            .Select(t => new ApiTokenSummary(t.Id, t.Name, t.Hint, t.CreatedAt, t.LastUsedAt))
            .ToListAsync(cancellationToken);
    }

    /// <summary>Creates a token and returns its plaintext, the only time it exists outside the caller's request.</summary>
    public async Task<CreateApiTokenResult> CreateAsync(string userId, string? name, CancellationToken cancellationToken = default)
    {
        if (ApiTokenNames.Validate(name) is { } nameError)
        {
            return CreateApiTokenResult.Failure(ApiTokenError.InvalidName, nameError);
        }

        var trimmedName = name!.Trim();
        var normalizedName = ApiTokenNames.Normalize(trimmedName);

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        // Checks and insert in one write transaction (IMMEDIATE on SQLite), so a concurrent revoke, a
        // second create of the same name or one over the limit cannot slip in between.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var owner = await db.Users
            .Where(u => u.Id == userId)
            .Select(u => new
            {
                u.HasDeveloperAccess,
                TokenCount = db.ApiTokens.Count(t => t.UserId == userId),
                NameTaken = db.ApiTokens.Any(t => t.UserId == userId && t.NormalizedName == normalizedName),
            })
            .SingleOrDefaultAsync(cancellationToken);

        if (owner is null || !owner.HasDeveloperAccess)
        {
            return CreateApiTokenResult.Failure(ApiTokenError.NoDeveloperAccess,
                "Your account doesn't have developer access, so it can't create API tokens.");
        }

        if (owner.NameTaken)
        {
            return CreateApiTokenResult.Failure(ApiTokenError.DuplicateName, ApiTokenNames.DuplicateMessage);
        }

        var limit = options.Value.MaxTokensPerAccount;
        if (owner.TokenCount >= limit)
        {
            return CreateApiTokenResult.Failure(ApiTokenError.LimitReached,
                $"You have reached the limit of {limit} tokens. Delete a token you no longer use, then try again.");
        }

        var plainText = ApiTokenFormat.Generate();
        var now = timeProvider.GetUtcNow().UtcDateTime;
        var token = new ApiToken
        {
            Id = Guid.CreateVersion7(now),
            UserId = userId,
            Name = trimmedName,
            NormalizedName = normalizedName,
            TokenHash = ApiTokenFormat.Hash(plainText),
            Hint = ApiTokenFormat.Hint(plainText),
            CreatedAt = now,
        };
        db.ApiTokens.Add(token);
        db.AuditEvents.Add(AuditEvent.Create(now, userId, userId, AuditAction.TokenCreated, trimmedName));

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        logger.LogInformation("User {UserId} created API token {TokenId}", userId, token.Id);
        return CreateApiTokenResult.Success(new CreatedApiToken(
            new ApiTokenSummary(token.Id, token.Name, token.Hint, token.CreatedAt, null), plainText));
    }

    /// <summary>Deletes one of the user's tokens. False, with nothing changed, when the user has no such token.</summary>
    public async Task<bool> DeleteAsync(string userId, Guid tokenId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var token = await db.ApiTokens.SingleOrDefaultAsync(t => t.Id == tokenId && t.UserId == userId, cancellationToken);
        if (token is null)
        {
            return false;
        }

        db.ApiTokens.Remove(token);
        db.AuditEvents.Add(AuditEvent.Create(timeProvider.GetUtcNow().UtcDateTime, userId, userId, AuditAction.TokenDeleted, token.Name));
        await db.SaveChangesAsync(cancellationToken);

        logger.LogInformation("User {UserId} deleted API token {TokenId}", userId, tokenId);
        return true;
    }

    /// <summary>
    /// The account behind a presented token, or null when the token is malformed, unknown, deleted, or its
    /// owner has no developer access or is locked out. A malformed token is refused before any database work.
    /// </summary>
    public async Task<ApiTokenIdentity?> AuthenticateAsync(string token, CancellationToken cancellationToken = default)
    {
        if (!ApiTokenFormat.IsWellFormed(token))
        {
            return null;
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var match = await FindByHash(db, ApiTokenFormat.Hash(token), cancellationToken);
        var now = timeProvider.GetUtcNow().UtcDateTime;
        // Compared here, not in SQL: SQLite cannot compare the DateTimeOffset Identity stores.
        if (match is null || match.LockoutEnd > now)
        {
            return null;
        }

        if (match.LastUsedAt is not { } lastUsed || now - lastUsed >= LastUsedResolution)
        {
            // The condition repeats in SQL so that concurrent requests (or nodes) write it once.
            var staleBefore = now - LastUsedResolution;
            await db.ApiTokens
                .Where(t => t.Id == match.TokenId && (t.LastUsedAt == null || t.LastUsedAt <= staleBefore))
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.LastUsedAt, now), cancellationToken);
        }

        return new ApiTokenIdentity(match.TokenId, match.TokenName, match.UserId, match.UserName, match.Email);
    }

    private sealed record TokenMatch(
        Guid TokenId, string TokenName, string UserId, string UserName, string Email, DateTime? LastUsedAt, DateTimeOffset? LockoutEnd);
}

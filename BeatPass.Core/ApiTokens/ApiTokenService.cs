using BeatPass.Core.Audit;
using BeatPass.Core.Data;
using BeatPass.Core.Email;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BeatPass.Core.ApiTokens;

/// <summary>
/// Creates, lists, regenerates and deletes personal API tokens. Every call takes the acting user's id and
/// only ever sees that user's tokens. <see cref="ApiTokenAuthenticator"/> checks them on API requests.
/// </summary>
public sealed class ApiTokenService(
    IDbContextFactory<BeatPassDbContext> dbFactory,
    TimeProvider timeProvider,
    IOptions<ApiTokenOptions> options,
    ApiTokenIssuer issuer,
    ILogger<ApiTokenService> logger)
{
    public async Task<IReadOnlyList<ApiTokenSummary>> ListAsync(string userId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.ApiTokens
            .Where(t => t.UserId == userId)
            .OrderByDescending(t => t.CreatedAt)
            .Select(t => new ApiTokenSummary(t.Id, t.Name, t.Hint, t.CreatedAt, t.LastUsedAt, t.ExpiresAt, t.IssuedAt))
            .ToListAsync(cancellationToken);
    }

    /// <summary>Creates a token and returns its plaintext, the only time it exists outside the caller's request.</summary>
    /// <param name="expiresAt">When the token stops working (UTC, see <see cref="ApiTokenExpiration"/>); null for never.</param>
    public async Task<CreateApiTokenResult> CreateAsync(
        string userId, string? name, DateTime? expiresAt = null, CancellationToken cancellationToken = default)
    {
        if (ApiTokenNameRules.Validate(name) is { } nameError)
        {
            return CreateApiTokenResult.Failure(ApiTokenError.InvalidName, nameError);
        }

        var now = timeProvider.GetUtcNow().UtcDateTime;
        if (ApiTokenExpiration.Validate(expiresAt, now) is { } expirationError)
        {
            return CreateApiTokenResult.Failure(ApiTokenError.InvalidExpiration, expirationError);
        }

        var cleanName = ApiTokenNameRules.Clean(name);
        var normalizedName = ApiTokenNameRules.Normalize(cleanName);

        // Made before the write transaction: a node's first secret may have to read (or make) the tag key.
        var plainText = await issuer.GenerateAsync(cancellationToken);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        // Checks and insert in one write transaction (IMMEDIATE on SQLite, the account's row locked on PostgreSQL), so a
        // concurrent revoke, a second create of the same name or one over the limit cannot slip in between.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.LockAccountAsync(userId, cancellationToken);
        var owner = await db.Users
            .Where(u => u.Id == userId)
            .Select(u => new
            {
                u.HasDeveloperAccess,
                u.Email,
                TokenCount = db.ApiTokens.Count(t => t.UserId == userId),
                NameTaken = db.ApiTokens.Any(t => t.UserId == userId && t.NormalizedName == normalizedName),
            })
            .SingleOrDefaultAsync(cancellationToken);

        if (owner is null || !owner.HasDeveloperAccess)
        {
            return NoDeveloperAccess();
        }

        if (owner.NameTaken)
        {
            return CreateApiTokenResult.Failure(ApiTokenError.DuplicateName, ApiTokenNameRules.DuplicateMessage);
        }

        var limit = options.Value.MaxTokensPerAccount;
        if (owner.TokenCount >= limit)
        {
            return CreateApiTokenResult.Failure(ApiTokenError.LimitReached,
                $"You have reached the limit of {limit} tokens. Delete a token you no longer use, then try again.");
        }

        var token = new ApiToken
        {
            Id = Guid.CreateVersion7(now),
            UserId = userId,
            Name = cleanName,
            NormalizedName = normalizedName,
            TokenHash = [],
            Hint = "",
            CreatedAt = now,
        };
        IssueSecret(token, plainText, now, expiresAt);
        db.ApiTokens.Add(token);
        db.RecordSecurityEvent(now, Actor.Account(userId), userId, AuditAction.TokenCreated, cleanName,
            owner.Email, to => SecurityNotices.TokenCreated(now, to, cleanName));

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        logger.LogInformation("User {UserId} created API token {TokenId}", userId, token.Id);
        return CreateApiTokenResult.Success(new CreatedApiToken(Summarize(token), plainText));
    }

    /// <summary>
    /// Gives one of the user's tokens a new secret, returned like a new token's. The old secret stops working
    /// when this returns; the name, and the lifetime of a token that expires, stay as they were.
    /// </summary>
    public async Task<CreateApiTokenResult> RegenerateAsync(string userId, Guid tokenId, CancellationToken cancellationToken = default)
    {
        var plainText = await issuer.GenerateAsync(cancellationToken);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.LockAccountAsync(userId, cancellationToken);
        var token = await db.ApiTokens
            .Where(t => t.Id == tokenId && t.UserId == userId)
            .Include(t => t.User)
            .SingleOrDefaultAsync(cancellationToken);
        if (token is null)
        {
            return CreateApiTokenResult.Failure(ApiTokenError.NotFound, "That token no longer exists. It may have been deleted.");
        }

        if (!token.User!.HasDeveloperAccess)
        {
            return NoDeveloperAccess();
        }

        var now = timeProvider.GetUtcNow().UtcDateTime;
        IssueSecret(token, plainText, now, ApiTokenExpiration.Regenerated(now, token.IssuedAt, token.ExpiresAt));
        db.RecordSecurityEvent(now, Actor.Account(userId), userId, AuditAction.TokenRegenerated, token.Name,
            token.User.Email, to => SecurityNotices.TokenRegenerated(now, to, token.Name));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        logger.LogInformation("User {UserId} regenerated API token {TokenId}", userId, token.Id);
        return CreateApiTokenResult.Success(new CreatedApiToken(Summarize(token), plainText));
    }

    /// <summary>Deletes one of the user's tokens. False, with nothing changed, when the user has no such token.</summary>
    public async Task<bool> DeleteAsync(string userId, Guid tokenId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.LockAccountAsync(userId, cancellationToken);
        var token = await db.ApiTokens
            .Include(t => t.User)
            .SingleOrDefaultAsync(t => t.Id == tokenId && t.UserId == userId, cancellationToken);
        if (token is null)
        {
            return false;
        }

        var now = timeProvider.GetUtcNow().UtcDateTime;
        db.ApiTokens.Remove(token);
        db.RecordSecurityEvent(now, Actor.Account(userId), userId, AuditAction.TokenDeleted, token.Name,
            token.User!.Email, to => SecurityNotices.TokenDeleted(now, to, token.Name));

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        logger.LogInformation("User {UserId} deleted API token {TokenId}", userId, tokenId);
        return true;
    }

    /// <summary>Gives the token the new secret <paramref name="plainText"/>, keeping only its hash.</summary>
    private static void IssueSecret(ApiToken token, string plainText, DateTime now, DateTime? expiresAt)
    {
        token.IsUntagged = false;
        token.TokenHash = ApiTokenHash.Parse(plainText).ToArray();
        token.Hint = ApiTokenFormat.Hint(plainText);
        token.IssuedAt = now;
        token.ExpiresAt = expiresAt;
        token.ExpiryNotice = ExpiryNotice.None; // a new lifetime earns its own reminders
    }

    private static ApiTokenSummary Summarize(ApiToken token) =>
        new(token.Id, token.Name, token.Hint, token.CreatedAt, token.LastUsedAt, token.ExpiresAt, token.IssuedAt);

    private static CreateApiTokenResult NoDeveloperAccess() => CreateApiTokenResult.Failure(ApiTokenError.NoDeveloperAccess,
        "Your account doesn't have developer access, so it can't create API tokens.");
}

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
    ApiPermissionCatalog permissionCatalog,
    ILogger<ApiTokenService> logger)
{
    /// <summary>Why a token is revoked when a secret it had before a rotation is presented to rotate again.</summary>
    public const string ReusedSecretReason =
        "A secret this token had before it was rotated was used again, so someone else may hold a copy.";

    public async Task<IReadOnlyList<ApiTokenSummary>> ListAsync(string userId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var tokens = await db.ApiTokens
            .AsNoTracking()
            .Where(t => t.UserId == userId)
            .OrderByDescending(t => t.CreatedAt)
            .ToListAsync(cancellationToken);
        var isStaff = await db.IsStaffAsync(userId, cancellationToken);
        return tokens.Select(token => Summarize(token, isStaff)).ToList();
    }

    /// <summary>One of the user's tokens; null when the user has no token with that id.</summary>
    public async Task<ApiTokenSummary?> FindAsync(string userId, Guid tokenId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var token = await db.ApiTokens.AsNoTracking().SingleOrDefaultAsync(t => t.Id == tokenId && t.UserId == userId, cancellationToken);
        return token is null ? null : Summarize(token, await db.IsStaffAsync(userId, cancellationToken));
    }

    /// <summary>Creates a token and returns its plaintext, the only time it exists outside the caller's request.</summary>
    /// <param name="expiresAt">When the token stops working (UTC, see <see cref="ApiTokenExpiration"/>); null for never.</param>
    /// <param name="permissions">
    /// What it may do, from <see cref="ApiPermissionCatalog"/>: at least one, staff-only ones for staff only. Null
    /// gives <see cref="ApiPermissions.Default"/>.
    /// </param>
    /// <param name="description">What the token is for, in the holder's words; optional.</param>
    public async Task<CreateApiTokenResult> CreateAsync(
        string userId, string? name, DateTime? expiresAt = null, IReadOnlyCollection<string>? permissions = null,
        string? description = null, CancellationToken cancellationToken = default)
    {
        if (ApiTokenNameRules.Validate(name) is { } nameError)
        {
            return CreateApiTokenResult.Failure(ApiTokenError.InvalidName, nameError);
        }

        if (ApiTokenNameRules.ValidateDescription(description) is { } descriptionError)
        {
            return CreateApiTokenResult.Failure(ApiTokenError.InvalidDescription, descriptionError);
        }

        var now = timeProvider.GetUtcNow().UtcDateTime;
        if (ApiTokenExpiration.Validate(expiresAt, now) is { } expirationError)
        {
            return CreateApiTokenResult.Failure(ApiTokenError.InvalidExpiration, expirationError);
        }

        permissions ??= [ApiPermissions.Default];
        // Checked once as if for staff, so that a wrong name is refused before any database work; staff-only
        // permissions are checked against the account's role inside the transaction.
        if (!permissionCatalog.TryNormalize(permissions, isStaff: true, out _, out var permissionError))
        {
            return CreateApiTokenResult.Failure(ApiTokenError.InvalidPermissions, permissionError);
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

        if (!permissionCatalog.TryNormalize(permissions, await db.IsStaffAsync(userId, cancellationToken), out var granted, out permissionError))
        {
            return CreateApiTokenResult.Failure(ApiTokenError.InvalidPermissions, permissionError);
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
            Description = ApiTokenNameRules.CleanDescription(description),
            TokenHash = [],
            Hint = "",
            CreatedAt = now,
            Permissions = granted,
        };
        IssueSecret(token, plainText, now, expiresAt);
        db.ApiTokens.Add(token);
        var permissionNames = ApiPermissionCatalog.Split(granted);
        db.RecordSecurityEvent(now, Actor.Account(userId), userId, AuditAction.TokenCreated, cleanName,
            owner.Email, to => SecurityNotices.TokenCreated(now, to, cleanName, permissionNames), PermissionsDetail(granted));

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        logger.LogInformation("User {UserId} created API token {TokenId}", userId, token.Id);
        return CreateApiTokenResult.Success(new CreatedApiToken(Summarize(token), plainText));
    }

    /// <summary>
    /// Gives one of the user's tokens a new secret, returned like a new token's. The old secret stops working
    /// when this returns; the name stays, and a token that expires keeps its lifetime, counted from now.
    /// </summary>
    public Task<CreateApiTokenResult> RegenerateAsync(string userId, Guid tokenId, CancellationToken cancellationToken = default) =>
        RegenerateAsync(userId, tokenId, (token, now) => ApiTokenExpiration.Regenerated(now, token.IssuedAt, token.ExpiresAt), cancellationToken);

    /// <summary>
    /// Gives one of the user's tokens a new secret that expires at <paramref name="expiresAt"/> (UTC, null for never,
    /// checked like a new token's expiry), returned like a new token's. The old secret stops working when this returns.
    /// </summary>
    public async Task<CreateApiTokenResult> RegenerateAsync(
        string userId, Guid tokenId, DateTime? expiresAt, CancellationToken cancellationToken = default)
    {
        if (ApiTokenExpiration.Validate(expiresAt, timeProvider.GetUtcNow().UtcDateTime) is { } expirationError)
        {
            return CreateApiTokenResult.Failure(ApiTokenError.InvalidExpiration, expirationError);
        }

        return await RegenerateAsync(userId, tokenId, (_, _) => expiresAt, cancellationToken);
    }

    /// <param name="newExpiry">The new secret's expiry, given the token and the time of issue.</param>
    private async Task<CreateApiTokenResult> RegenerateAsync(
        string userId, Guid tokenId, Func<ApiToken, DateTime, DateTime?> newExpiry, CancellationToken cancellationToken)
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
            return CreateApiTokenResult.Failure(ApiTokenError.NotFound, NotFoundMessage);
        }

        if (!token.User!.HasDeveloperAccess)
        {
            return NoDeveloperAccess();
        }

        if (token.RevokedAt is not null)
        {
            return CreateApiTokenResult.Failure(ApiTokenError.Revoked, RevokedMessage);
        }

        var now = timeProvider.GetUtcNow().UtcDateTime;
        var expiresAt = newExpiry(token, now);
        Retire(db, token, now);
        IssueSecret(token, plainText, now, expiresAt);
        db.RecordSecurityEvent(now, Actor.Account(userId), userId, AuditAction.TokenRegenerated, token.Name,
            token.User.Email, to => SecurityNotices.TokenRegenerated(now, to, token.Name), ExpiryDetail(expiresAt));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        logger.LogInformation("User {UserId} regenerated API token {TokenId}", userId, token.Id);
        return CreateApiTokenResult.Success(new CreatedApiToken(Summarize(token), plainText));
    }

    /// <summary>
    /// Renames one of the user's tokens and sets its description (null or blank for none), so that it can be told apart
    /// later. Its secret, permissions and expiry stay. Each change is recorded in the security log.
    /// </summary>
    public async Task<ChangeApiTokenResult> EditAsync(
        string userId, Guid tokenId, string? name, string? description, CancellationToken cancellationToken = default)
    {
        if (ApiTokenNameRules.Validate(name) is { } nameError)
        {
            return ChangeApiTokenResult.Failure(ApiTokenError.InvalidName, nameError);
        }

        if (ApiTokenNameRules.ValidateDescription(description) is { } descriptionError)
        {
            return ChangeApiTokenResult.Failure(ApiTokenError.InvalidDescription, descriptionError);
        }

        var cleanName = ApiTokenNameRules.Clean(name);
        var normalizedName = ApiTokenNameRules.Normalize(cleanName);
        var cleanDescription = ApiTokenNameRules.CleanDescription(description);

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.LockAccountAsync(userId, cancellationToken);
        var token = await db.ApiTokens
            .Include(t => t.User)
            .SingleOrDefaultAsync(t => t.Id == tokenId && t.UserId == userId, cancellationToken);
        if (token is null)
        {
            return ChangeApiTokenResult.Failure(ApiTokenError.NotFound, NotFoundMessage);
        }

        if (!token.User!.HasDeveloperAccess)
        {
            return ChangeApiTokenResult.Failure(ApiTokenError.NoDeveloperAccess, NoDeveloperAccessMessage);
        }

        if (normalizedName != token.NormalizedName
            && await db.ApiTokens.AnyAsync(t => t.UserId == userId && t.NormalizedName == normalizedName, cancellationToken))
        {
            return ChangeApiTokenResult.Failure(ApiTokenError.DuplicateName, ApiTokenNameRules.DuplicateMessage);
        }

        var now = timeProvider.GetUtcNow().UtcDateTime;
        if (cleanName != token.Name)
        {
            db.RecordSecurityEvent(now, Actor.Account(userId), userId, AuditAction.TokenRenamed, cleanName, $"Was “{token.Name}”.");
            token.Name = cleanName;
            token.NormalizedName = normalizedName;
        }

        if (cleanDescription != token.Description)
        {
            db.RecordSecurityEvent(now, Actor.Account(userId), userId, AuditAction.TokenDescribed, cleanName,
                cleanDescription is null ? "Description removed." : $"Description: {cleanDescription}");
            token.Description = cleanDescription;
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return ChangeApiTokenResult.Success(Summarize(token, await db.IsStaffAsync(userId, cancellationToken)));
    }

    /// <summary>Deletes one of the user's tokens. False, with nothing changed, when the user has no such token.</summary>
    /// <param name="viaTokenName">The token the holder acted through, when they used the API (it may be this one).</param>
    public async Task<bool> DeleteAsync(string userId, Guid tokenId, string? viaTokenName = null, CancellationToken cancellationToken = default)
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
        db.RecordSecurityEvent(now, Actor.Acting(userId, viaTokenName), userId, AuditAction.TokenDeleted, token.Name,
            token.User!.Email, to => SecurityNotices.TokenDeleted(now, to, token.Name));

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        logger.LogInformation("User {UserId} deleted API token {TokenId}", userId, tokenId);
        return true;
    }

    /// <summary>
    /// Gives the token that made the request a new secret, returned like a new token's; the presented secret
    /// (<paramref name="presented"/>) stops working when this returns. Id, name and permissions stay; a token that
    /// expires gets a new expiry of the same length. The old secret's hash is kept: presented again, it revokes the
    /// token (<see cref="RevokeIfRetiredAsync"/>).
    /// </summary>
    public async Task<CreateApiTokenResult> RotateAsync(ApiTokenIdentity presenter, ApiTokenHash presented, CancellationToken cancellationToken = default)
    {
        var plainText = await issuer.GenerateAsync(cancellationToken);
        var presentedHash = presented.ToArray();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.LockAccountAsync(presenter.UserId, cancellationToken);
        var token = await db.ApiTokens
            .Include(t => t.User)
            .SingleOrDefaultAsync(t => t.Id == presenter.TokenId && t.UserId == presenter.UserId, cancellationToken);
        if (token is null || !token.TokenHash.AsSpan().SequenceEqual(presentedHash))
        {
            // Deleted, or rotated by a request that won the race: the presented secret is no longer this token's.
            return CreateApiTokenResult.Failure(ApiTokenError.NotFound, "The token's secret changed or the token was deleted while rotating.");
        }

        if (token.RevokedAt is not null || !token.User!.HasDeveloperAccess)
        {
            return CreateApiTokenResult.Failure(ApiTokenError.Revoked, RevokedMessage);
        }

        var now = timeProvider.GetUtcNow().UtcDateTime;
        Retire(db, token, now);
        IssueSecret(token, plainText, now, ApiTokenExpiration.Regenerated(now, token.IssuedAt, token.ExpiresAt));
        db.RecordSecurityEvent(now, Actor.Token(presenter.UserId, token.Name), presenter.UserId, AuditAction.TokenRotated, token.Name,
            token.User.Email, to => SecurityNotices.TokenRotated(now, to, token.Name));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        logger.LogInformation("API token {TokenId} of user {UserId} rotated its secret", token.Id, presenter.UserId);
        return CreateApiTokenResult.Success(new CreatedApiToken(Summarize(token), plainText));
    }

    /// <summary>
    /// Called with a secret that did not authenticate a rotation: when it is one the token had before a rotation or
    /// regeneration, someone else holds an old copy, so the token is revoked (its current secret stops working too),
    /// the security log records it and the holder is emailed. True when the secret was such an old one.
    /// </summary>
    public async Task<bool> RevokeIfRetiredAsync(string presentedToken, CancellationToken cancellationToken = default)
    {
        // Only a secret this installation can have issued is worth a query.
        if (!ApiTokenHash.TryParse(presentedToken, out var hash) || !await issuer.MayHaveIssuedAsync(presentedToken, hash, cancellationToken))
        {
            return false;
        }

        var hashBytes = hash.ToArray();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var retired = await db.RetiredApiTokenSecrets
            .Where(s => s.TokenHash == hashBytes)
            .Join(db.ApiTokens, s => s.TokenId, t => t.Id, (s, t) => new { t.Id, t.UserId })
            .SingleOrDefaultAsync(cancellationToken);
        if (retired is null)
        {
            return false;
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.LockAccountAsync(retired.UserId, cancellationToken);
        var token = await db.ApiTokens.Include(t => t.User).SingleOrDefaultAsync(t => t.Id == retired.Id, cancellationToken);
        if (token is null)
        {
            return false; // deleted meanwhile
        }

        if (token.RevokedAt is null)
        {
            var now = timeProvider.GetUtcNow().UtcDateTime;
            token.RevokedAt = now;
            token.RevokedReason = ReusedSecretReason;
            db.RecordSecurityEvent(now, Actor.ReusedSecret, token.UserId, AuditAction.TokenRevoked, token.Name,
                token.User!.Email, to => SecurityNotices.TokenRevokedForReuse(now, to, token.Name), ReusedSecretReason);
            await db.SaveChangesAsync(cancellationToken);
            logger.LogWarning("Revoked API token {TokenId} of user {UserId}: a rotated-away secret was presented", token.Id, token.UserId);
        }

        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>Keeps the hash of the token's current secret, which is about to be replaced.</summary>
    private static void Retire(BeatPassDbContext db, ApiToken token, DateTime now) =>
        db.RetiredApiTokenSecrets.Add(new RetiredApiTokenSecret { TokenHash = token.TokenHash, TokenId = token.Id, RetiredAt = now });

    /// <summary>
    /// Whether the account may give its tokens staff-only permissions now: in the Staff role, read from the database
    /// (a page's sign-in may be older than a role change).
    /// </summary>
    public async Task<bool> IsStaffAsync(string userId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.IsStaffAsync(userId, cancellationToken);
    }

    /// <summary>How the audit log words a token's permissions.</summary>
    public static string PermissionsDetail(string permissions) => "Permissions: " + string.Join(", ", ApiPermissionCatalog.Split(permissions));

    private const string RevokedMessage = "This token was revoked and can't be used again. Delete it, then create a new one.";

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

    /// <param name="holderIsStaff">Whether the holder is staff now: if not, staff-only permissions are no longer available.</param>
    private ApiTokenSummary Summarize(ApiToken token, bool holderIsStaff = true)
    {
        var permissions = ApiPermissionCatalog.Split(token.Permissions);
        var working = ApiPermissionCatalog.Split(permissionCatalog.Effective(token.Permissions, holderIsStaff));
        return new(token.Id, token.Name, token.Hint, token.CreatedAt, token.LastUsedAt, token.ExpiresAt, token.IssuedAt,
            permissions, token.RevokedAt, token.RevokedReason, [.. permissions.Except(working)],
            ApiTokenUses.StoredAddresses(token.LastUsedFrom), token.LastUsedUserAgent, token.RevokedFoundAt, token.LastUsedByService,
            token.Description);
    }

    private const string NotFoundMessage = "That token no longer exists. It may have been deleted.";

    private const string NoDeveloperAccessMessage = "Your account doesn't have developer access, so it can't create API tokens.";

    private static CreateApiTokenResult NoDeveloperAccess() =>
        CreateApiTokenResult.Failure(ApiTokenError.NoDeveloperAccess, NoDeveloperAccessMessage);

    /// <summary>How the audit log words a new secret's expiry.</summary>
    private static string ExpiryDetail(DateTime? expiresAt) =>
        expiresAt is { } expiry ? $"Expires {expiry:yyyy-MM-dd HH:mm} UTC." : "Never expires.";
}

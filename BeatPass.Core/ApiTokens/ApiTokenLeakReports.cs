using BeatPass.Core.Audit;
using BeatPass.Core.Data;
using BeatPass.Core.Email;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace BeatPass.Core.ApiTokens;

/// <summary>Who reported secrets as exposed, and so what the holder is told.</summary>
public enum LeakReporter
{
    /// <summary>A GitHub secret-scanning alert, verified as GitHub's: GitHub found the secret in public.</summary>
    GitHubSecretScanning,

    /// <summary>Anyone, through the public revocation: unverified, so it can only revoke, never tell.</summary>
    PublicRevocation,
}

/// <summary>A secret a leak report names, and where it was found when the reporter says (GitHub does).</summary>
/// <param name="FoundAt">The address it was found at: kept only when it is an absolute http or https address.</param>
/// <param name="FoundIn">What GitHub found it in (<c>commit</c>, <c>gist</c>, …).</param>
public sealed record ReportedSecret(string Token, string? FoundAt = null, string? FoundIn = null);

/// <summary>
/// Revokes tokens reported as exposed, as npm, PyPI and GitHub's other secret-scanning partners do. A token's current
/// secret revokes it: it stops working at once on every node and stays in the holder's list, marked revoked with why
/// and where, until they delete it. A secret the token had before a rotation is recorded and told, the token left
/// working. Either way the security log and the staff audit record it, with BeatPass itself as the actor, and the holder
/// gets one email. The same secret reported again changes nothing and sends nothing.
/// </summary>
public sealed class ApiTokenLeakReports(
    IDbContextFactory<BeatPassDbContext> dbFactory,
    TimeProvider timeProvider,
    ApiTokenIssuer issuer,
    BeatPassMetrics metrics,
    ILogger<ApiTokenLeakReports> logger)
{
    public const string FoundInPublicReason = "GitHub secret scanning found it in public, so BeatPass revoked it.";

    public const string ReportedReason = "It was reported as exposed, so BeatPass revoked it.";

    private const int MaxFoundInLength = 40;

    /// <summary>
    /// Acts on every secret of <paramref name="secrets"/> this installation issued. A secret it cannot have issued (wrong
    /// form, or a tag this installation's key did not make) costs no query; when none can be, nothing touches the database.
    /// </summary>
    /// <param name="developersPage">The Developers page's address, which the holder's email gives.</param>
    /// <returns>For each secret, in order: whether BeatPass issued it (a token's current secret, working or not, or an old one).</returns>
    public async Task<bool[]> ReportAsync(
        LeakReporter reporter, IReadOnlyList<ReportedSecret> secrets, string developersPage, CancellationToken cancellationToken = default)
    {
        var hashes = new ApiTokenHash?[secrets.Count];
        for (var i = 0; i < secrets.Count; i++)
        {
            if (ApiTokenHash.TryParse(secrets[i].Token, out var hash) && await issuer.MayHaveIssuedAsync(secrets[i].Token, hash, cancellationToken))
            {
                hashes[i] = hash;
            }
        }

        var candidates = hashes.OfType<ApiTokenHash>().Distinct().Select(hash => hash.ToArray()).ToList();
        if (candidates.Count == 0)
        {
            metrics.SecretsReported(reporter, NotIssued, secrets.Count);
            return new bool[secrets.Count];
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // Every account concerned is locked, in one order so that two reports cannot deadlock, before the rows are read
        // to change: a rotation or a second report of the same token waits, then sees this one's change.
        var accounts = await db.ApiTokens.Where(t => candidates.Contains(t.TokenHash)).Select(t => t.UserId).ToListAsync(cancellationToken);
        accounts.AddRange(await db.RetiredApiTokenSecrets
            .Where(s => candidates.Contains(s.TokenHash))
            .Join(db.ApiTokens, s => s.TokenId, t => t.Id, (s, t) => t.UserId)
            .ToListAsync(cancellationToken));
        foreach (var userId in accounts.Distinct().Order(StringComparer.Ordinal))
        {
            await db.LockAccountAsync(userId, cancellationToken);
        }

        var tokens = await db.ApiTokens.Include(t => t.User)
            .Where(t => candidates.Contains(t.TokenHash))
            .ToDictionaryAsync(t => ApiTokenHash.From(t.TokenHash), cancellationToken);
        var oldSecrets = await db.RetiredApiTokenSecrets
            .Where(s => candidates.Contains(s.TokenHash))
            .ToDictionaryAsync(s => ApiTokenHash.From(s.TokenHash), cancellationToken);
        var oldSecretsTokenIds = oldSecrets.Values.Select(s => s.TokenId).Distinct().ToList();
        var tokensOfOldSecrets = await db.ApiTokens.Include(t => t.User)
            .Where(t => oldSecretsTokenIds.Contains(t.Id))
            .ToDictionaryAsync(t => t.Id, cancellationToken);

        var now = timeProvider.GetUtcNow().UtcDateTime;
        var outcomes = new string[secrets.Count];
        for (var i = 0; i < secrets.Count; i++)
        {
            outcomes[i] = NotIssued;
            if (hashes[i] is not { } hash)
            {
                continue;
            }

            if (tokens.TryGetValue(hash, out var token))
            {
                outcomes[i] = AlreadyKnown;
                if (token.RevokedAt is null)
                {
                    Revoke(db, reporter, token, secrets[i], now, developersPage);
                    outcomes[i] = Revoked;
                }
            }
            else if (oldSecrets.TryGetValue(hash, out var oldSecret))
            {
                outcomes[i] = AlreadyKnown;
                if (oldSecret.ReportedAt is null)
                {
                    TellOfOldSecret(db, reporter, tokensOfOldSecrets[oldSecret.TokenId], oldSecret, secrets[i], now, developersPage);
                    outcomes[i] = OldSecret;
                }
            }
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        foreach (var outcome in outcomes.CountBy(o => o))
        {
            metrics.SecretsReported(reporter, outcome.Key, outcome.Value);
        }

        return [.. outcomes.Select(outcome => outcome != NotIssued)];
    }

    // The outcomes the leak report metric counts (BeatPassMetrics.SecretsReported).
    private const string NotIssued = "not_issued";
    private const string Revoked = "revoked";
    private const string OldSecret = "old_secret";
    private const string AlreadyKnown = "already_known";

    private void Revoke(BeatPassDbContext db, LeakReporter reporter, ApiToken token, ReportedSecret secret, DateTime now, string developersPage)
    {
        var byGitHub = reporter == LeakReporter.GitHubSecretScanning;
        var foundAt = byGitHub ? WebAddressOrNull(secret.FoundAt) : null;
        token.RevokedAt = now;
        token.RevokedReason = byGitHub ? FoundInPublicReason : ReportedReason;
        token.RevokedFoundAt = foundAt;
        var detail = byGitHub
            ? $"Found in public by GitHub secret scanning{At(foundAt)}{In(secret.FoundIn)}. BeatPass revoked it."
            : "Reported as exposed through the public revocation. BeatPass revoked it.";
        db.RecordSecurityEvent(now, byGitHub ? Actor.GitHubSecretScanning : Actor.PublicReport, token.UserId, AuditAction.TokenRevoked,
            token.Name, token.User!.Email, to => byGitHub
                ? SecurityNotices.TokenFoundInPublic(now, to, token.Name, foundAt, developersPage)
                : SecurityNotices.TokenReportedAsExposed(now, to, token.Name, developersPage),
            detail);
        logger.LogWarning("Revoked API token {TokenId} of user {UserId}: reported as exposed by {Reporter}", token.Id, token.UserId, reporter);
    }

    private void TellOfOldSecret(
        BeatPassDbContext db, LeakReporter reporter, ApiToken token, RetiredApiTokenSecret oldSecret, ReportedSecret secret, DateTime now,
        string developersPage)
    {
        var byGitHub = reporter == LeakReporter.GitHubSecretScanning;
        var foundAt = byGitHub ? WebAddressOrNull(secret.FoundAt) : null;
        oldSecret.ReportedAt = now;
        var detail = (byGitHub ? $"An old secret of the token was found in public by GitHub secret scanning{At(foundAt)}{In(secret.FoundIn)}. "
                : "An old secret of the token was reported as exposed. ")
            + $"It was replaced on {SecurityNotices.Time(oldSecret.RetiredAt)} and no longer works; the token still does.";
        db.RecordSecurityEvent(now, byGitHub ? Actor.GitHubSecretScanning : Actor.PublicReport, token.UserId, AuditAction.OldSecretReported,
            token.Name, token.User!.Email,
            to => SecurityNotices.OldSecretReported(now, to, token.Name, oldSecret.RetiredAt, byGitHub, foundAt, developersPage), detail);
        logger.LogInformation("An old secret of API token {TokenId} of user {UserId} was reported as exposed by {Reporter}", token.Id, token.UserId, reporter);
    }

    private static string At(string? foundAt) => foundAt is null ? "" : $" at {foundAt}";

    // GitHub names where it found the secret with a short word (commit, gist, npm, issue_description); anything else is dropped.
    private static string In(string? foundIn) =>
        foundIn is { Length: > 0 and <= MaxFoundInLength } && foundIn.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or ' ')
            ? $" (in: {foundIn})"
            : "";

    /// <summary>The address as a link can safely use it: absolute, http or https, not too long; else null.</summary>
    private static string? WebAddressOrNull(string? address) =>
        Uri.TryCreate(address, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.AbsoluteUri.Length <= ApiToken.MaxFoundAtLength
            ? uri.AbsoluteUri
            : null;
}

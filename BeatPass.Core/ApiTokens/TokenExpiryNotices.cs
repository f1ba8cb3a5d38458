using BeatPass.Core.Data;
using BeatPass.Core.Email;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace BeatPass.Core.ApiTokens;

/// <summary>
/// Emails an account holder when a token expires in 7 days, in 1 day, and when it has expired. Each email goes
/// once per secret: the token row records the last one sent, claimed with a conditional update in the same
/// transaction that queues the email, so a restart or a second node running the same job sends nothing twice.
/// </summary>
public sealed class TokenExpiryNotices(IDbContextFactory<BeatPassDbContext> dbFactory, TimeProvider timeProvider, ILogger<TokenExpiryNotices> logger)
{
    /// <summary>Queues every expiry email now due. Returns how many were queued.</summary>
    public async Task<int> SendDueAsync(CancellationToken cancellationToken = default)
    {
        var now = timeProvider.GetUtcNow().UtcDateTime;
        var horizon = now.AddDays(7);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var candidates = await db.ApiTokens.AsNoTracking()
            // A revoked token never works again: reminding its holder to regenerate it would mislead.
            .Where(t => t.ExpiresAt != null && t.ExpiresAt <= horizon && t.ExpiryNotice != ExpiryNotice.Expired && t.RevokedAt == null)
            .Select(t => new { t.Id, t.Name, t.User!.Email, t.IssuedAt, ExpiresAt = t.ExpiresAt!.Value, t.ExpiryNotice })
            .ToListAsync(cancellationToken);

        var queued = 0;
        foreach (var token in candidates)
        {
            var due = DueNotice(token.IssuedAt, token.ExpiresAt, now);
            if (due <= token.ExpiryNotice)
            {
                continue;
            }

            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            // Claim the notice: no row changes when another node sent it first or the token was regenerated or deleted.
            var claimed = await db.ApiTokens
                .Where(t => t.Id == token.Id && t.IssuedAt == token.IssuedAt && t.ExpiryNotice < due)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.ExpiryNotice, due), cancellationToken);
            if (claimed == 0)
            {
                continue;
            }

            if (token.Email is { } email)
            {
                db.OutgoingEmails.Add(due == ExpiryNotice.Expired
                    ? SecurityNotices.TokenExpired(now, email, token.Name, token.ExpiresAt)
                    : SecurityNotices.TokenExpiresSoon(now, email, token.Name, token.ExpiresAt, DaysLeft(token.ExpiresAt, now)));
                await db.SaveChangesAsync(cancellationToken);
                queued++;
            }

            await transaction.CommitAsync(cancellationToken);
            logger.LogInformation("Queued the {Notice} expiry notice of API token {TokenId}", due, token.Id);
        }

        return queued;
    }

    /// <summary>
    /// The latest notice due now. A reminder is skipped when the token never had that long to live (a 7-day token
    /// gets no "7 days left" the moment it is made), and only the latest goes out after the job was down.
    /// </summary>
    internal static ExpiryNotice DueNotice(DateTime issuedAt, DateTime expiresAt, DateTime now)
    {
        var left = expiresAt - now;
        var lifetime = expiresAt - issuedAt;
        if (left <= TimeSpan.Zero)
        {
            return ExpiryNotice.Expired;
        }

        if (left <= TimeSpan.FromDays(1))
        {
            return lifetime > TimeSpan.FromDays(1) ? ExpiryNotice.OneDay : ExpiryNotice.None;
        }

        return left <= TimeSpan.FromDays(7) && lifetime > TimeSpan.FromDays(7) ? ExpiryNotice.SevenDays : ExpiryNotice.None;
    }

    private static int DaysLeft(DateTime expiresAt, DateTime now) => Math.Max(1, (int)Math.Ceiling((expiresAt - now).TotalDays));
}

/// <summary>Runs <see cref="TokenExpiryNotices"/> when the app starts and then every hour.</summary>
public sealed class TokenExpiryNoticeJob(TokenExpiryNotices notices, TimeProvider timeProvider, ILogger<TokenExpiryNoticeJob> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, timeProvider);
        do
        {
            try
            {
                await notices.SendDueAsync(stoppingToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                logger.LogError(exception, "Sending token expiry notices failed; the next run tries again");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}

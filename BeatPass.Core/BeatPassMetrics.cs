using System.Diagnostics.Metrics;
using BeatPass.Core.ApiTokens;

namespace BeatPass.Core;

/// <summary>
/// BeatPass's own instruments (meter <c>BeatPass</c>), beside ASP.NET Core's and the runtime's: what an operator asks
/// of the token authority. No instrument carries a token, a hash, an email address or an account id: tags are small
/// fixed sets of words. Gauges are registered by what they measure (<see cref="ObserveGauge"/>).
/// </summary>
public sealed class BeatPassMetrics
{
    public const string MeterName = "BeatPass";

    private readonly Meter _meter;
    private readonly Counter<long> _tokenChecks;
    private readonly Counter<long> _cacheEvictions;
    private readonly Histogram<int> _useBatchSize;
    private readonly Histogram<int> _lookupBatchSize;
    private readonly Counter<long> _changeNotifications;
    private readonly Histogram<double> _changeNotificationDelay;
    private readonly Counter<long> _emailsSent;
    private readonly Counter<long> _emailFailedAttempts;
    private readonly Counter<long> _leakReports;
    private readonly Counter<long> _introspections;

    public BeatPassMetrics(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(MeterName);
        _tokenChecks = _meter.CreateCounter<long>("beatpass.api_token.checks", "{check}",
            "API token checks, by outcome (valid, invalid, expired, revoked, insufficient_permission) and cache (hit, miss, none).");
        _cacheEvictions = _meter.CreateCounter<long>("beatpass.api_token.cache.evictions", "{entry}",
            "Entries the token cache dropped to make room.");
        _useBatchSize = _meter.CreateHistogram<int>("beatpass.api_token.uses.batch_size", "{token}",
            "Tokens whose last use one batch wrote.");
        _lookupBatchSize = _meter.CreateHistogram<int>("beatpass.api_token.lookups.batch_size", "{token}",
            "Tokens one lookup query asked the database for: the cache misses that came together (PostgreSQL).");
        _changeNotifications = _meter.CreateCounter<long>("beatpass.api_token.change_notifications", "{notification}",
            "Notifications of token and account changes received from other nodes (PostgreSQL).");
        _changeNotificationDelay = _meter.CreateHistogram<double>("beatpass.api_token.change_notification.delay", "s",
            "From the change in the database to this node hearing of it (PostgreSQL).");
        _emailsSent = _meter.CreateCounter<long>("beatpass.email.sent", "{email}", "Emails delivered from the outbox.");
        _emailFailedAttempts = _meter.CreateCounter<long>("beatpass.email.failed_attempts", "{attempt}",
            "Deliveries from the outbox that failed (each is tried again, up to Email:MaxAttempts).");
        _leakReports = _meter.CreateCounter<long>("beatpass.leak_reports", "{secret}",
            "Secrets reported as exposed, by reporter (github, public) and outcome (revoked, old_secret, already_known, not_issued).");
        _introspections = _meter.CreateCounter<long>("beatpass.introspections", "{request}",
            "Token introspections by services, by outcome (active, inactive, unauthorized, bad_request).");
    }

    /// <summary>A gauge read when metrics are collected, such as the cache's size.</summary>
    public void ObserveGauge(string name, string unit, string description, Func<long> read) =>
        _meter.CreateObservableGauge(name, read, unit, description);

    public void TokenChecked(string outcome, ApiTokenCacheUse cache) =>
        _tokenChecks.Add(1, new("outcome", outcome), new("cache", CacheTag(cache)));

    /// <summary>The <c>outcome</c> tag of a check the authenticator made (a permission check says its own).</summary>
    public static string Outcome(ApiTokenStatus status) => status switch
    {
        ApiTokenStatus.Valid => "valid",
        ApiTokenStatus.Expired => "expired",
        ApiTokenStatus.Revoked => "revoked",
        _ => "invalid",
    };

    public const string InsufficientPermission = "insufficient_permission";

    public void CacheEvicted(int entries) => _cacheEvictions.Add(entries);

    public void UsesWritten(int tokens) => _useBatchSize.Record(tokens);

    public void TokensLookedUp(int tokens) => _lookupBatchSize.Record(tokens);

    public void ChangeNotificationReceived(TimeSpan? delay)
    {
        _changeNotifications.Add(1);
        if (delay is { } known)
        {
            _changeNotificationDelay.Record(Math.Max(0, known.TotalSeconds));
        }
    }

    public void EmailSent() => _emailsSent.Add(1);

    public void EmailAttemptFailed() => _emailFailedAttempts.Add(1);

    public void SecretsReported(LeakReporter reporter, string outcome, int secrets) =>
        _leakReports.Add(secrets, new("reporter", reporter == LeakReporter.GitHubSecretScanning ? "github" : "public"), new("outcome", outcome));

    /// <summary>One introspection: <c>active</c>, <c>inactive</c>, <c>unauthorized</c> (the service's credentials) or <c>bad_request</c>.</summary>
    public void Introspected(string outcome) => _introspections.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    private static string CacheTag(ApiTokenCacheUse cache) => cache switch
    {
        ApiTokenCacheUse.Hit => "hit",
        ApiTokenCacheUse.Miss => "miss",
        _ => "none",
    };
}

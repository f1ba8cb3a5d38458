using System.Data.Common;
using BeatPass.Core.Data;
using BeatPass.Core.Services;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BeatPass.Core.ApiTokens;

/// <summary>
/// Keeps this node's <see cref="ApiTokenCache"/> true to changes it did not make itself (its own reach the cache
/// through <see cref="ApiTokenCacheInvalidator"/>): the dialect delivers the id of each account whose tokens, user row
/// or roles changed, once that change commits (on PostgreSQL, other nodes' changes by notification; on SQLite, another
/// process's, from a change log read once a second), and this service drops the account's entries. A revoked service
/// arrives the same way, as <see cref="ServiceClients.ChangePrefix"/> and its id, and the services kept in memory are
/// forgotten. Changes made
/// while it is not listening are missed, so every time it (re)connects it clears the whole cache. The entry lifetime
/// stays as the backstop.
/// </summary>
public sealed class ApiTokenChangeListener(
    DatabaseDialect dialect,
    IOptions<DatabaseOptions> databaseOptions,
    ApiTokenCache cache,
    ServiceClients services,
    BeatPassMetrics metrics,
    ILogger<ApiTokenChangeListener> logger) : BackgroundService
{
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LastRetryDelay = TimeSpan.FromSeconds(30);

    private volatile bool _listening;

    /// <summary>
    /// While changes are being received; always on SQLite, where the node's own changes, the ones that matter most,
    /// never depend on it.
    /// </summary>
    public bool IsListening => _listening || !dialect.IsSharedByNodes;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var retryDelay = FirstRetryDelay;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await dialect.ListenForAccountChangesAsync(databaseOptions.Value.ConnectionString, OnListening,
                    OnChange, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is DbException or IOException or TimeoutException)
            {
                // At once, not in the finally below, which runs only after this block's wait: until the node listens
                // again it is not ready, and /health must say so.
                _listening = false;
                logger.LogWarning(e,
                    "Not receiving token changes made elsewhere; retrying in {RetryDelay}. Until then a token changed elsewhere " +
                    "can be accepted here for up to the cache entry lifetime.", retryDelay);
                await Task.Delay(retryDelay, stoppingToken); // cancelled at shutdown, which ends the service
                retryDelay = TimeSpan.FromTicks(Math.Min(retryDelay.Ticks * 2, LastRetryDelay.Ticks));
                continue;
            }
            finally
            {
                _listening = false;
            }

            retryDelay = FirstRetryDelay;
        }
    }

    private void OnChange(string userId, DateTime? changedAt)
    {
        if (userId.StartsWith(ServiceClients.ChangePrefix, StringComparison.Ordinal))
        {
            services.Forget();
        }
        else
        {
            cache.InvalidateUsers(new HashSet<string> { userId });
        }

        if (dialect.IsSharedByNodes)
        {
            // Against the wall clock, as the database server's time is: not the app's TimeProvider, which tests move.
            metrics.ChangeNotificationReceived(DateTime.UtcNow - changedAt);
        }
    }

    private void OnListening()
    {
        // Whatever changed before this point, while nothing listened, may be cached: start again from the database.
        cache.Clear();
        services.Forget();
        _listening = true;
        logger.LogInformation("Receiving token changes made elsewhere.");
    }
}

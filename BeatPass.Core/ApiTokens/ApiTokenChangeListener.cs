using BeatPass.Core.Data;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace BeatPass.Core.ApiTokens;

/// <summary>
/// Keeps this node's <see cref="ApiTokenCache"/> true to changes made on other nodes. On PostgreSQL, triggers on
/// <c>ApiTokens</c> and <c>AspNetUsers</c> (migration <c>TokenChangeNotifications</c>) send the account's id with
/// <c>pg_notify</c> inside the changing transaction, so it is delivered when that commits and dropped when it rolls
/// back; this service listens on a connection of its own and drops the account's entries. Notifications sent while
/// it is not listening are lost, so every time it (re)connects it clears the whole cache. The entry lifetime stays
/// as the backstop. On SQLite there is one node, whose own changes <see cref="ApiTokenCacheInvalidator"/> sees:
/// nothing to do.
/// </summary>
public sealed class ApiTokenChangeListener(
    IConfiguration configuration, ApiTokenCache cache, ILogger<ApiTokenChangeListener> logger) : BackgroundService
{
    /// <summary>The channel the triggers notify on; the payload is the account's id.</summary>
    public const string Channel = "beatpass_api_token_changes";

    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LastRetryDelay = TimeSpan.FromSeconds(30);

    private volatile bool _listening;

    /// <summary>True on SQLite, and on PostgreSQL while notifications are being received.</summary>
    public bool IsListening => _listening || !OnPostgreSql;

    private bool OnPostgreSql => DatabaseSettings.Provider(configuration) == DatabaseProvider.PostgreSql;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!OnPostgreSql)
        {
            return;
        }

        // Keepalives, so a connection that silently died (a restarted server, a dropped NAT entry) is noticed.
        var connectionString = new NpgsqlConnectionStringBuilder(
            configuration.GetConnectionString(CoreHostingExtensions.ConnectionStringName))
        {
            KeepAlive = 10,
            TcpKeepAlive = true,
            Pooling = false,
        }.ConnectionString;

        var retryDelay = FirstRetryDelay;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ListenAsync(connectionString, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or IOException or TimeoutException)
            {
                _listening = false;
                logger.LogWarning(e,
                    "Not receiving token changes from other nodes; retrying in {RetryDelay}. Until then a token changed elsewhere " +
                    "can be accepted here for up to the cache entry lifetime.", retryDelay);
                await Task.Delay(retryDelay, stoppingToken); // cancelled at shutdown, which ends the service
                retryDelay = TimeSpan.FromTicks(Math.Min(retryDelay.Ticks * 2, LastRetryDelay.Ticks));
                continue;
            }

            retryDelay = FirstRetryDelay;
        }
    }

    private async Task ListenAsync(string connectionString, CancellationToken stoppingToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        connection.Notification += (_, notification) => cache.InvalidateUsers(new HashSet<string> { notification.Payload });
        await connection.OpenAsync(stoppingToken);
        await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection))
        {
            await listen.ExecuteNonQueryAsync(stoppingToken);
        }

        // Whatever changed before this point, while nothing listened, may be cached: start again from the database.
        cache.Clear();
        _listening = true;
        logger.LogInformation("Receiving token changes from other nodes.");
        try
        {
            while (true)
            {
                await connection.WaitAsync(stoppingToken);
            }
        }
        finally
        {
            _listening = false;
        }
    }
}

using BeatPass.Core.ApiTokens;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace BeatPass.Web.Health;

/// <summary>
/// Unhealthy while a PostgreSQL node is not receiving other nodes' token changes: it could accept a token deleted
/// elsewhere until its cache entry expires, so a load balancer should send requests to another node meanwhile.
/// </summary>
public sealed class TokenChangesHealthCheck(ApiTokenChangeListener listener) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(listener.IsListening
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy("Not receiving token changes from other nodes."));
}

using BeatPass.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace BeatPass.Web.Health;

/// <summary>
/// Unhealthy while the database lacks a migration this build expects (a PostgreSQL node started before
/// <c>migrate</c> ran): it would fail on the first query that needs it, so it is not ready for traffic.
/// </summary>
public sealed class MigrationsHealthCheck(IDbContextFactory<BeatPassDbContext> dbFactory) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
        return pending.Count == 0
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy($"{pending.Count} migrations are not applied yet, the first {pending[0]}: run `migrate`.");
    }
}

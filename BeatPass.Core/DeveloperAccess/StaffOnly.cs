using BeatPass.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace BeatPass.Core.DeveloperAccess;

/// <summary>The check every staff-only call makes first: the acting user's Staff role, read from the database, whatever the page did.</summary>
internal static class StaffOnly
{
    public static async Task EnsureAsync(BeatPassDbContext db, string actorUserId, ILogger logger, CancellationToken cancellationToken)
    {
        if (!await db.IsStaffAsync(actorUserId, cancellationToken))
        {
            logger.LogWarning("User {UserId} was refused a staff-only developer access operation", actorUserId);
            throw new StaffOnlyException();
        }
    }
}

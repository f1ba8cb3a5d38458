using BeatPass.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace BeatPass.Core.DeveloperAccess;

/// <summary>Who may use the BeatPass API.</summary>
public sealed class DeveloperAccessService(IDbContextFactory<BeatPassDbContext> dbFactory)
{
    public async Task<bool> HasAccessAsync(string userId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Users.AnyAsync(u => u.Id == userId && u.HasDeveloperAccess, cancellationToken);
    }
}

using BeatPass.Core.Data;

namespace BeatPass.Core.DeveloperAccess;

internal static class AccountSearch
{
    /// <summary>Accounts whose email or user name contains the search, whatever its case; all when it is blank.</summary>
    public static IQueryable<BeatPassUser> Matching(this IQueryable<BeatPassUser> users, string? search)
    {
        if (string.IsNullOrWhiteSpace(search))
        {
            return users;
        }

        var normalized = search.Trim().ToUpperInvariant();
        return users.Where(u => u.NormalizedEmail!.Contains(normalized) || u.NormalizedUserName!.Contains(normalized));
    }
}

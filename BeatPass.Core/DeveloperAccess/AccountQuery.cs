namespace BeatPass.Core.DeveloperAccess;

/// <summary>A page of the staff's account list: search text, page, and sort.</summary>
public sealed record AccountQuery(string? Search = null, int Page = 0, int PageSize = 25, AccountSort SortBy = AccountSort.Account, bool Descending = false);

public enum AccountSort
{
    Account,
    DeveloperAccess,
    TokenCount,
    LastApiUse,
}

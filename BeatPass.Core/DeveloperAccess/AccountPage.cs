namespace BeatPass.Core.DeveloperAccess;

/// <summary>One page of accounts, and how many match in all.</summary>
public sealed record AccountPage(IReadOnlyList<AccountSummary> Items, int TotalCount);

/// <summary>An account as the staff page lists it.</summary>
public sealed record AccountSummary(string UserId, string Email, string UserName, bool HasDeveloperAccess, int TokenCount, DateTime? LastApiUseAt);

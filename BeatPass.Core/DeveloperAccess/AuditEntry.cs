using BeatPass.Core.Audit;

namespace BeatPass.Core.DeveloperAccess;

/// <summary>A recent event as the staff page lists it, with the accounts by email.</summary>
/// <param name="ViaTokenName">The API token the actor acted through, when they used the API.</param>
public sealed record AuditEntry(
    DateTime OccurredAt, string Actor, string Subject, AuditAction Action, string? TokenName, string? Detail = null, string? ViaTokenName = null);

/// <summary>One page of the audit log, and how many events match in all.</summary>
public sealed record AuditPage(IReadOnlyList<AuditEntry> Items, int TotalCount);

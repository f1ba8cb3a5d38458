using BeatPass.Core.Audit;

namespace BeatPass.Core.DeveloperAccess;

/// <summary>A recent event as the staff page lists it, with the accounts by email.</summary>
public sealed record AuditEntry(DateTime OccurredAt, string Actor, string Subject, AuditAction Action, string? TokenName);

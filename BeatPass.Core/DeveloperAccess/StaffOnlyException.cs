namespace BeatPass.Core.DeveloperAccess;

/// <summary>A non-staff account asked for something only staff may do. Nothing was changed.</summary>
public sealed class StaffOnlyException() : UnauthorizedAccessException("Only BeatPass staff can manage developer access.");

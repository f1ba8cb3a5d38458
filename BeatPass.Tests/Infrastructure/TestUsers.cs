using BeatPass.Core.Data;

namespace BeatPass.Tests.Infrastructure;

/// <summary>
/// The accounts tests make: the same row whether a test writes it straight to the database
/// (<see cref="TestDatabase.CreateUserAsync"/>) or through Identity with a password (<see cref="BeatPassAppFactory.CreateUserAsync"/>).
/// </summary>
public static class TestUsers
{
    public const string Password = "Test-password-1";

    public static string NewEmail(string prefix = "user") => $"{prefix}-{Guid.NewGuid():N}@example.com";

    /// <summary>A confirmed account (unless told otherwise) with developer access (unless told otherwise), not yet saved.</summary>
    public static BeatPassUser New(DateTime createdAt, bool hasDeveloperAccess = true, string? email = null, bool emailConfirmed = true)
    {
        email ??= NewEmail();
        return new BeatPassUser
        {
            UserName = email,
            NormalizedUserName = email.ToUpperInvariant(),
            Email = email,
            NormalizedEmail = email.ToUpperInvariant(),
            EmailConfirmed = emailConfirmed,
            HasDeveloperAccess = hasDeveloperAccess,
            CreatedAt = createdAt,
            SecurityStamp = Guid.NewGuid().ToString("N"),
        };
    }
}

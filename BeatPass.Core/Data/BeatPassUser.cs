using Microsoft.AspNetCore.Identity;

namespace BeatPass.Core.Data;

public sealed class BeatPassUser : IdentityUser
{
    /// <summary>Staff-granted permission to create API tokens and to use them. Off by default.</summary>
    public bool HasDeveloperAccess { get; set; }

    /// <summary>When the account registered; null for accounts made before this was recorded.</summary>
    public DateTime? CreatedAt { get; set; }
}

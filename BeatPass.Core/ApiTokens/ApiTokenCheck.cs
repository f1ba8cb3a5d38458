using System.Diagnostics.CodeAnalysis;

namespace BeatPass.Core.ApiTokens;

/// <summary>The account and token behind an accepted API request.</summary>
/// <param name="Permissions">
/// What the token may do now, in stored form (<see cref="ApiPermissionCatalog"/>): its permissions, less staff-only
/// ones while the holder is not staff.
/// </param>
public sealed record ApiTokenIdentity(Guid TokenId, string TokenName, string UserId, string UserName, string Email, string Permissions)
{
    public bool Holds(string permission) => ApiPermissionCatalog.Holds(Permissions, permission);
}

public enum ApiTokenStatus
{
    /// <summary>Malformed, unknown, deleted, revoked, or its owner may not use the API.</summary>
    Invalid,
    Expired,
    Valid,
}

/// <summary>What checking a presented token found. Valid results carry the identity.</summary>
public sealed class ApiTokenCheck
{
    public static readonly ApiTokenCheck Invalid = new(ApiTokenStatus.Invalid, null);

    public static readonly ApiTokenCheck Expired = new(ApiTokenStatus.Expired, null);

    private ApiTokenCheck(ApiTokenStatus status, ApiTokenIdentity? identity)
    {
        Status = status;
        Identity = identity;
    }

    public ApiTokenStatus Status { get; }

    public ApiTokenIdentity? Identity { get; }

    [MemberNotNullWhen(true, nameof(Identity))]
    public bool Succeeded => Status == ApiTokenStatus.Valid;

    public static ApiTokenCheck Valid(ApiTokenIdentity identity) => new(ApiTokenStatus.Valid, identity);
}

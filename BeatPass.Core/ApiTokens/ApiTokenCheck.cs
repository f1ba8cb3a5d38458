using System.Diagnostics.CodeAnalysis;

namespace BeatPass.Core.ApiTokens;

/// <summary>The account and token behind an accepted API request.</summary>
/// <param name="Permissions">
/// What the token may do now, in stored form (<see cref="ApiPermissionCatalog"/>): its permissions, less staff-only
/// ones while the holder is not staff.
/// </param>
public sealed record ApiTokenIdentity(Guid TokenId, string TokenName, string UserId, string UserName, string Email, string Permissions)
{
    /// <summary>When the current secret was issued (creation, or the last regeneration or rotation): introspection's <c>iat</c>.</summary>
    public DateTime IssuedAt { get; init; }

    /// <summary>When it stops working; null for never. Introspection's <c>exp</c>.</summary>
    public DateTime? ExpiresAt { get; init; }


    public bool Holds(string permission) => ApiPermissionCatalog.Holds(Permissions, permission);
}

public enum ApiTokenStatus
{
    /// <summary>Malformed, unknown, deleted, or its owner may not use the API.</summary>
    Invalid,
    Expired,

    /// <summary>BeatPass revoked it (a leak report, an old secret reused); it never works again.</summary>
    Revoked,
    Valid,
}

/// <summary>How the cache took part in a check: answered it, had to ask the database, or was not needed.</summary>
public enum ApiTokenCacheUse
{
    /// <summary>Refused before the cache: malformed, or a tag this installation did not make.</summary>
    None,
    Hit,
    Miss,
}

/// <summary>What checking a presented token found, and how. Valid results carry the identity.</summary>
public sealed class ApiTokenCheck
{
    // Every failure is one of these, made once (a refusal allocates nothing), at [status * 3 + cache].
    private static readonly ApiTokenCheck[] Failures =
    [
        .. from status in new[] { ApiTokenStatus.Invalid, ApiTokenStatus.Expired, ApiTokenStatus.Revoked }
           from cache in Enum.GetValues<ApiTokenCacheUse>()
           select new ApiTokenCheck(status, null, cache),
    ];

    /// <summary>A token refused without the cache: malformed, or one this installation cannot have issued.</summary>
    public static readonly ApiTokenCheck Invalid = Failure(ApiTokenStatus.Invalid, ApiTokenCacheUse.None);

    private ApiTokenCheck(ApiTokenStatus status, ApiTokenIdentity? identity, ApiTokenCacheUse cache)
    {
        Status = status;
        Identity = identity;
        Cache = cache;
    }

    public ApiTokenStatus Status { get; }

    public ApiTokenIdentity? Identity { get; }

    public ApiTokenCacheUse Cache { get; }

    [MemberNotNullWhen(true, nameof(Identity))]
    public bool Succeeded => Status == ApiTokenStatus.Valid;

    public static ApiTokenCheck Valid(ApiTokenIdentity identity, ApiTokenCacheUse cache) => new(ApiTokenStatus.Valid, identity, cache);

    public static ApiTokenCheck Failure(ApiTokenStatus status, ApiTokenCacheUse cache) => status == ApiTokenStatus.Valid
        ? throw new ArgumentOutOfRangeException(nameof(status), "A valid check carries its identity.")
        : Failures[(int)status * 3 + (int)cache];
}

using System.Diagnostics.CodeAnalysis;

namespace BeatPass.Core.ApiTokens;

/// <summary>What the owner sees of a token in the list.</summary>
/// <param name="IssuedAt">When the current secret was issued: creation, or the last regeneration.</param>
public sealed record ApiTokenSummary(
    Guid Id, string Name, string Hint, DateTime CreatedAt, DateTime? LastUsedAt, DateTime? ExpiresAt, DateTime IssuedAt)
{
    public bool IsExpired(DateTime now) => ExpiresAt <= now;

    /// <summary>When a secret regenerated at <paramref name="now"/> would expire: the same period, from then on.</summary>
    public DateTime? ExpiresAtIfRegenerated(DateTime now) => ApiTokenExpiration.Regenerated(now, IssuedAt, ExpiresAt);
}

/// <summary>A token just created: the only object that ever holds its plaintext.</summary>
public sealed class CreatedApiToken(ApiTokenSummary summary, string plainText)
{
    public ApiTokenSummary Summary { get; } = summary;

    public string PlainText { get; } = plainText;

    // Keep the secret out of logs and debugger views.
    public override string ToString() => $"CreatedApiToken {{ Id = {Summary.Id}, Name = {Summary.Name} }}";
}

public enum ApiTokenError
{
    InvalidName,
    InvalidExpiration,
    DuplicateName,
    LimitReached,
    NoDeveloperAccess,
    NotFound,

    /// <summary>The caller must confirm the password again first (sudo mode, checked by the web app).</summary>
    ConfirmationRequired,
}

public sealed record CreateApiTokenResult(CreatedApiToken? Token, ApiTokenError? Error, string? ErrorMessage)
{
    [MemberNotNullWhen(true, nameof(Token))]
    [MemberNotNullWhen(false, nameof(Error), nameof(ErrorMessage))]
    public bool Succeeded => Token is not null;

    public static CreateApiTokenResult Success(CreatedApiToken token) => new(token, null, null);

    public static CreateApiTokenResult Failure(ApiTokenError error, string message) => new(null, error, message);
}

/// <summary>The account and token behind an accepted API request.</summary>
public sealed record ApiTokenIdentity(Guid TokenId, string TokenName, string UserId, string UserName, string Email);

public enum ApiTokenStatus
{
    /// <summary>Malformed, unknown, deleted, or its owner may not use the API.</summary>
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

using System.Diagnostics.CodeAnalysis;

namespace BeatPass.Core.ApiTokens;

/// <summary>What creating (or regenerating) a token came to: the token, or why not.</summary>
public sealed record CreateApiTokenResult(CreatedApiToken? Token, ApiTokenError? Error, string? ErrorMessage)
{
    [MemberNotNullWhen(true, nameof(Token))]
    [MemberNotNullWhen(false, nameof(Error), nameof(ErrorMessage))]
    public bool Succeeded => Token is not null;

    public static CreateApiTokenResult Success(CreatedApiToken token) => new(token, null, null);

    public static CreateApiTokenResult Failure(ApiTokenError error, string message) => new(null, error, message);
}

/// <summary>Why a token could not be created or changed.</summary>
public enum ApiTokenError
{
    InvalidName,
    InvalidDescription,
    InvalidExpiration,
    InvalidPermissions,
    Revoked,
    DuplicateName,
    LimitReached,
    NoDeveloperAccess,
    NotFound,
}

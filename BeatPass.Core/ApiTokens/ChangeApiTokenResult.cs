using System.Diagnostics.CodeAnalysis;

namespace BeatPass.Core.ApiTokens;

/// <summary>What renaming or describing a token came to: the token as it is now, or why not.</summary>
public sealed record ChangeApiTokenResult(ApiTokenSummary? Token, ApiTokenError? Error, string? ErrorMessage)
{
    [MemberNotNullWhen(true, nameof(Token))]
    [MemberNotNullWhen(false, nameof(Error), nameof(ErrorMessage))]
    public bool Succeeded => Token is not null;

    public static ChangeApiTokenResult Success(ApiTokenSummary token) => new(token, null, null);

    public static ChangeApiTokenResult Failure(ApiTokenError error, string message) => new(null, error, message);
}

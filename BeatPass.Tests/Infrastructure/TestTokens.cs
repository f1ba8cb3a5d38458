using BeatPass.Core.ApiTokens;

namespace BeatPass.Tests.Infrastructure;

public static class TestTokens
{
    /// <summary>
    /// Token rows for <paramref name="secrets"/> of one account, for a test that needs many tokens written at once,
    /// without the creation's audit events and emails.
    /// </summary>
    public static IEnumerable<ApiToken> Rows(string userId, IEnumerable<string> secrets, DateTime now) => secrets.Select((secret, i) => new ApiToken
    {
        Id = Guid.CreateVersion7(),
        UserId = userId,
        Name = $"Token {i}",
        NormalizedName = $"TOKEN {i}",
        TokenHash = ApiTokenHash.Parse(secret).ToArray(),
        Hint = ApiTokenFormat.Hint(secret),
        CreatedAt = now,
        IssuedAt = now,
        Permissions = ApiPermissions.Default,
    });
}

namespace BeatPass.Core.ApiTokens;

/// <summary>A token just created: the only object that ever holds its plaintext.</summary>
public sealed class CreatedApiToken(ApiTokenSummary summary, string plainText)
{
    public ApiTokenSummary Summary { get; } = summary;

    public string PlainText { get; } = plainText;

    // Keep the secret out of logs and debugger views.
    public override string ToString() => $"CreatedApiToken {{ Id = {Summary.Id}, Name = {Summary.Name} }}";
}

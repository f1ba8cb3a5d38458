using System.ComponentModel.DataAnnotations;

namespace BeatPass.Core.ApiTokens;

public sealed class ApiTokenOptions
{
    public const string SectionName = "ApiTokens";

    /// <summary>How many tokens one account may hold at once.</summary>
    [Range(1, 10_000)]
    public int MaxTokensPerAccount { get; set; } = 100;
}

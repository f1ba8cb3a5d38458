namespace BeatPass.Core.ApiTokens;

/// <summary>The rules for a token's name, shared by the service and the form that asks for it.</summary>
public static class ApiTokenNames
{
    public const int MinLength = 3;
    public const int MaxLength = 100;

    /// <summary>The error to show for this name, or null when it is acceptable (after trimming).</summary>
    public static string? Validate(string? name)
    {
        var trimmed = name?.Trim() ?? "";
        if (trimmed.Length == 0)
        {
            return "Enter a token name.";
        }

        if (trimmed.Length < MinLength)
        {
            return $"The token name must be at least {MinLength} characters.";
        }

        if (trimmed.Length > MaxLength)
        {
            return $"The token name must be at most {MaxLength} characters.";
        }

        if (trimmed.Any(char.IsControl))
        {
            return "The token name can't contain control characters such as tabs or line breaks.";
        }

        return null;
    }

    public static string Normalize(string trimmedName) => trimmedName.ToUpperInvariant();
}

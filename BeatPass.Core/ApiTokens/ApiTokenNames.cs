namespace BeatPass.Core.ApiTokens;

/// <summary>The rules for a token's name, shared by the service and the form that asks for it.</summary>
public static class ApiTokenNames
{
    public const int MinLength = 3;
    public const int MaxLength = 100;

    public const string DuplicateMessage = "You already have a token with this name. Choose another name.";

    /// <summary>
    /// The error to show for this name, or null when it is acceptable (after trimming). The form passes the
    /// names it already lists to warn of a duplicate while typing; the service checks the database.
    /// </summary>
    public static string? Validate(string? name, IEnumerable<string>? existingNames = null)
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

        if (trimmed.Any(IsInvisibleFormatting))
        {
            return "The token name can't contain invisible or text-direction characters.";
        }

        if (existingNames is not null && existingNames.Contains(trimmed, StringComparer.OrdinalIgnoreCase))
        {
            return DuplicateMessage;
        }

        return null;
    }

    public static string Normalize(string trimmedName) => trimmedName.ToUpperInvariant();

    // Format characters (zero-width spaces, right-to-left overrides and the like) can make a name look like
    // another. The zero-width joiner stays allowed: emoji such as 👩‍💻 are built with it.
    private static bool IsInvisibleFormatting(char c) =>
        char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format && c != '\u200D';
}

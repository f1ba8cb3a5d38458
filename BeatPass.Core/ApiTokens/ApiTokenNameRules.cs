using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace BeatPass.Core.ApiTokens;

/// <summary>
/// The rules for a token's name, shared by the service and the form that asks for it. Staff read these names in the
/// audit trail, so a name may not hide characters or pass for another: it is trimmed and put in Unicode
/// normalization form C (NFC) before its length and uniqueness are checked, and it may not hold line breaks,
/// invisible or format characters, spaces other than the plain one, long stacks of combining marks, or words that
/// mix Latin letters with Cyrillic or Greek ones (the mixed-script rule of Unicode's UTS #39).
/// </summary>
public static partial class ApiTokenNameRules
{
    public const int MinLength = 3;
    public const int MaxLength = 100;

    /// <summary>Combining marks allowed in a row: enough for any script's accents and vowel signs, not for a tower.</summary>
    public const int MaxCombiningMarksInARow = 3;

    /// <summary>The longest description a token may have: a sentence or two, as GitLab allows.</summary>
    public const int DescriptionMaxLength = 200;

    public const string DuplicateMessage = "You already have a token with this name. Choose another name.";

    /// <summary>
    /// The error to show for this name, or null when it is acceptable (after <see cref="Clean"/>). The form passes
    /// the names it already lists to warn of a duplicate while typing; the service checks the database.
    /// </summary>
    public static string? Validate(string? name, IEnumerable<string>? existingNames = null)
    {
        if (!IsValidText(name ?? ""))
        {
            return "The token name contains characters that aren't valid text.";
        }

        var clean = Clean(name);
        return Problem(clean)
            ?? (existingNames is not null && existingNames.Any(existing => IsSameName(existing, clean)) ? DuplicateMessage : null);
    }

    /// <summary>
    /// The error to show for this optional description, or null when it is acceptable (after <see cref="CleanDescription"/>):
    /// at most <see cref="DescriptionMaxLength"/> characters on one line, with the characters a name may have.
    /// </summary>
    public static string? ValidateDescription(string? description)
    {
        var clean = CleanDescription(description);
        if (clean is null)
        {
            return IsValidText(description ?? "") ? null : "The description contains characters that aren't valid text.";
        }

        return clean.Length > DescriptionMaxLength
            ? $"The description must be at most {DescriptionMaxLength} characters."
            : CharacterProblem(clean, "The description");
    }

    /// <summary>The description as stored: trimmed, in NFC; null when there is none (or only spaces).</summary>
    public static string? CleanDescription(string? description) =>
        string.IsNullOrWhiteSpace(description) || !IsValidText(description) ? null : description.Trim().Normalize(NormalizationForm.FormC);

    /// <summary>The name as stored: trimmed, in NFC. Call only with a name <see cref="Validate"/> accepted.</summary>
    public static string Clean(string? name) => (name ?? "").Trim().Normalize(NormalizationForm.FormC);

    /// <summary>The key that makes names unique per account, ignoring case. Takes a <see cref="Clean"/> name.</summary>
    public static string Normalize(string cleanName) => cleanName.ToUpperInvariant();

    private static string? Problem(string name)
    {
        if (name.Length == 0)
        {
            return "Enter a token name.";
        }

        if (name.Length < MinLength)
        {
            return $"The token name must be at least {MinLength} characters.";
        }

        if (name.Length > MaxLength)
        {
            return $"The token name must be at most {MaxLength} characters.";
        }

        if (CharacterProblem(name, "The token name") is { } problem)
        {
            return problem;
        }

        if (LongestRunOfCombiningMarks(name) > MaxCombiningMarksInARow)
        {
            return $"The token name can't stack more than {MaxCombiningMarksInARow} accents or marks on one letter.";
        }

        if (Words().Matches(name).FirstOrDefault(word => MixesScripts(word.Value)) is { } mixed)
        {
            return $"The word \"{mixed.Value}\" mixes Latin letters with Cyrillic or Greek ones, so it can pass for a different " +
                "word. Write each word in one alphabet.";
        }

        return null;
    }

    /// <summary>
    /// The rules on characters that other text staff read shares with token names (an access request, a reason):
    /// no control characters or line breaks, and nothing invisible. Null when <paramref name="text"/> keeps them.
    /// </summary>
    /// <param name="subject">What the text is, as a sentence starts: "The token name".</param>
    public static string? CharacterProblem(string text, string subject)
    {
        if (!IsValidText(text))
        {
            return $"{subject} contains characters that aren't valid text.";
        }

        if (text.Any(c => char.IsControl(c) || CharUnicodeInfo.GetUnicodeCategory(c)
                is UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator))
        {
            return $"{subject} can't contain control characters such as tabs or line breaks.";
        }

        if (text.Any(IsInvisible))
        {
            return $"{subject} can't contain invisible characters, special spaces or text-direction characters. Use plain spaces between words.";
        }

        return null;
    }

    private static bool IsSameName(string existing, string clean) =>
        IsValidText(existing) && string.Equals(Normalize(Clean(existing)), Normalize(clean), StringComparison.Ordinal);

    // Format characters (zero-width spaces, right-to-left overrides and the like), spaces other than U+0020 (a
    // no-break space looks like a space but makes another name) and the Hangul fillers, which show as blanks.
    // The zero-width joiner stays allowed: emoji such as 👩‍💻 are built with it.
    private static bool IsInvisible(char c) => CharUnicodeInfo.GetUnicodeCategory(c) switch
    {
        UnicodeCategory.Format => c != '\u200D',
        UnicodeCategory.SpaceSeparator => c != ' ',
        _ => c is '\u115F' or '\u1160' or '\u3164' or '\uFFA0' or '\u2800',
    };

    private static int LongestRunOfCombiningMarks(string name)
    {
        int longest = 0, run = 0;
        foreach (var c in name)
        {
            run = CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark
                or UnicodeCategory.EnclosingMark ? run + 1 : 0;
            longest = Math.Max(longest, run);
        }

        return longest;
    }

    private static bool MixesScripts(string word) =>
        LatinLetter().IsMatch(word) && (CyrillicLetter().IsMatch(word) || GreekLetter().IsMatch(word));

    // Lone surrogates can't be normalized, stored or shown.
    private static bool IsValidText(string name)
    {
        var rest = name.AsSpan();
        while (!rest.IsEmpty)
        {
            if (Rune.DecodeFromUtf16(rest, out _, out var length) != OperationStatus.Done)
            {
                return false;
            }

            rest = rest[length..];
        }

        return true;
    }

    [GeneratedRegex(@"[\p{L}\p{M}\p{N}]+")]
    private static partial Regex Words();

    [GeneratedRegex(@"[a-zA-Z\p{IsLatin-1Supplement}\p{IsLatinExtended-A}\p{IsLatinExtended-B}\p{IsLatinExtendedAdditional}-[\P{L}]]")]
    private static partial Regex LatinLetter();

    [GeneratedRegex(@"[\p{IsCyrillic}\p{IsCyrillicSupplement}-[\P{L}]]")]
    private static partial Regex CyrillicLetter();

    [GeneratedRegex(@"[\p{IsGreekandCoptic}\p{IsGreekExtended}-[\P{L}]]")]
    private static partial Regex GreekLetter();
}

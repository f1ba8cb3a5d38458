namespace BeatPass.Tests.Core;

/// <summary>
/// Names that hide characters or pass for another name, with what the refusal must say; used alike by the service's
/// tests and the dialog's. <see cref="ExistingName"/> is a token the account already has, for the NFC duplicate.
/// </summary>
public static class TokenNameCases
{
    /// <summary>"Café Token" with a precomposed é (U+00E9), as a keyboard types it.</summary>
    public const string ExistingName = "Caf\u00E9 Token";

    public const string DuplicateMessage = "You already have a token with this name.";

    public static TheoryData<string, string, string> Refused => new()
    {
        { "Line\u2028Separator", "control characters", "a line separator (U+2028)" },
        { "Paragraph\u2029Separator", "control characters", "a paragraph separator (U+2029)" },
        { "Blank\u3164Filler", "invisible characters", "a Hangul filler (U+3164), shown as blank" },
        { "Half\uFFA0Filler", "invisible characters", "a halfwidth Hangul filler (U+FFA0)" },
        { "No\u00A0Break Space", "special spaces", "a no-break space" },
        { "Narrow\u202FSpace", "special spaces", "a narrow no-break space" },
        { "Zero\u2060Joiner", "invisible characters", "a word joiner (U+2060)" },
        { "Stacked" + new string('\u0301', 20), "more than 3 accents or marks", "20 stacked combining marks" },
        { "Four" + new string('\u0308', 4), "more than 3 accents or marks", "4 combining marks in a row" },
        { "D\u0435v Token One", "mixes Latin letters with Cyrillic or Greek ones", "a Cyrillic е in a Latin word" },
        { "T\u03BFken", "mixes Latin letters with Cyrillic or Greek ones", "a Greek ο in a Latin word" },
        { "Cafe\u0301 Token", DuplicateMessage, "the existing name, decomposed (NFD): the same name in NFC" },
        { "CAF\u00C9 TOKEN", DuplicateMessage, "the existing name in capitals" },
    };

    /// <summary>Names in other scripts, accents and emoji that are fine.</summary>
    public static TheoryData<string> Accepted => new()
    {
        "Caf\u00E9 Reader",
        "Токен для CI",
        "Ελληνικά data",
        "\U0001F469\u200D\U0001F4BB Laptop",
        "Tie\u0302\u0323\u0301t", // three marks on one letter: the most a name may stack
    };
}

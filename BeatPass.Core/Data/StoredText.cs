namespace BeatPass.Core.Data;

/// <summary>Text a client sent (a user agent, an address), made to fit its column.</summary>
internal static class StoredText
{
    /// <summary>The first <paramref name="length"/> characters of <paramref name="value"/>; null stays null.</summary>
    public static string? Truncate(string? value, int length) => value is null || value.Length <= length ? value : value[..length];
}

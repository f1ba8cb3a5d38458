using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace BeatPass.Core.Data;

/// <summary>
/// Reads a stored time, in UTC. SQLite keeps a time as the text EF Core writes, <c>2026-12-08 04:30:00.1234567</c> (the
/// fraction's trailing zeros left out), and Microsoft.Data.Sqlite reads it back with <see cref="DateTime.Parse(string)"/>,
/// which tries every form a time may take: on a cache miss a token's three times were a third of reading its row
/// (bench/RESULTS.md). That one form is read here directly; any other a hand edit may have stored goes to the reader.
/// </summary>
internal static class StoredTime
{
    // Ticks per unit of a fraction of 1 to 7 digits.
    private static readonly int[] TicksPerFractionUnit = [1_000_000, 100_000, 10_000, 1_000, 100, 10, 1];

    /// <summary>
    /// A time as EF Core and Microsoft.Data.Sqlite write it to SQLite, for a statement that compares it with stored times
    /// (as text: in this form, text order is time order).
    /// </summary>
    public static string Format(DateTime time) => time.ToString(@"yyyy\-MM\-dd HH\:mm\:ss.FFFFFFF", CultureInfo.InvariantCulture);

    public static DateTime? UtcOrNull(DbDataReader reader, int column)
    {
        if (reader.IsDBNull(column))
        {
            return null;
        }

        if (reader is SqliteDataReader sqlite && TryParse(sqlite.GetString(column), out var time))
        {
            return time;
        }

        return DateTime.SpecifyKind(reader.GetDateTime(column), DateTimeKind.Utc);
    }

    /// <summary>A time written <c>yyyy-MM-dd HH:mm:ss</c>, then a point and 1 to 7 digits if its fraction is not zero.</summary>
    internal static bool TryParse(ReadOnlySpan<char> text, out DateTime time)
    {
        time = default;
        if (text.Length is < 19 or 20 or > 27 || text[4] != '-' || text[7] != '-' || text[10] != ' ' || text[13] != ':' || text[16] != ':'
            || (text.Length > 19 && text[19] != '.')
            || !TryDigits(text[..4], out var year) || !TryDigits(text[5..7], out var month) || !TryDigits(text[8..10], out var day)
            || !TryDigits(text[11..13], out var hour) || !TryDigits(text[14..16], out var minute) || !TryDigits(text[17..19], out var second)
            || !TryDigits(text[Math.Min(20, text.Length)..], out var fraction)
            || year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        var ticks = text.Length > 19 ? (long)fraction * TicksPerFractionUnit[text.Length - 21] : 0;
        time = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Utc).AddTicks(ticks);
        return true;
    }

    private static bool TryDigits(ReadOnlySpan<char> text, out int value)
    {
        value = 0;
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            value = value * 10 + (c - '0');
        }

        return true;
    }
}

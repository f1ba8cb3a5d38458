using System.Globalization;
using BeatPass.Core.Data;
using Microsoft.Data.Sqlite;

namespace BeatPass.Tests.Core;

public class StoredTimeTests
{
    public static TheoryData<DateTime> Times => new()
    {
        new DateTime(2026, 12, 8, 4, 30, 0, DateTimeKind.Utc),
        new DateTime(2026, 12, 8, 4, 30, 0, DateTimeKind.Utc).AddTicks(1_000_000),
        new DateTime(2026, 12, 8, 4, 30, 0, DateTimeKind.Utc).AddTicks(1_230_000),
        new DateTime(2026, 12, 8, 4, 30, 59, DateTimeKind.Utc).AddTicks(1_234_567),
        new DateTime(2028, 2, 29, 23, 59, 59, DateTimeKind.Utc).AddTicks(9_999_999),
        DateTime.SpecifyKind(DateTime.MinValue, DateTimeKind.Utc),
        DateTime.SpecifyKind(DateTime.MaxValue, DateTimeKind.Utc),
    };

    [Theory]
    [MemberData(nameof(Times))]
    public void A_time_stored_by_SQLite_reads_back_the_same_and_in_UTC(DateTime time)
    {
        using var reader = Stored(("@time", time));

        var read = StoredTime.UtcOrNull(reader, 0);

        read.Should().Be(time);
        read!.Value.Kind.Should().Be(DateTimeKind.Utc);
        read.Should().Be(DateTime.SpecifyKind(reader.GetDateTime(0), DateTimeKind.Utc), "it reads what Microsoft.Data.Sqlite reads");
        reader.GetString(0).Should().Be(StoredTime.Format(time), "statements compare it, as text, with the times stored");
    }

    [Fact]
    public void Null_reads_as_null()
    {
        using var reader = Stored(("@time", DBNull.Value));

        StoredTime.UtcOrNull(reader, 0).Should().BeNull();
    }

    [Theory]
    [InlineData("2026-12-08T04:30:00")]
    [InlineData("2026-12-08 04:30")]
    [InlineData("2026-12-08 04:30:00.")]
    [InlineData("2026-12-08 04:30:00.12345678")]
    [InlineData("2026-12-08 4:30:00.5")]
    public void A_time_in_another_form_is_read_as_Microsoft_Data_Sqlite_reads_it(string text)
    {
        using var reader = Stored(("@time", text));

        StoredTime.TryParse(text, out _).Should().BeFalse();
        StoredTime.UtcOrNull(reader, 0).Should().Be(DateTime.SpecifyKind(DateTime.Parse(text, CultureInfo.InvariantCulture), DateTimeKind.Utc));
    }

    [Theory]
    [InlineData("2026-02-29 00:00:00")]
    [InlineData("2026-13-01 00:00:00")]
    [InlineData("2026-12-08 24:00:00")]
    [InlineData("2026-12-08 04:60:00")]
    [InlineData("2026-12-08 04:30:60")]
    [InlineData("2026-12-0x 04:30:00")]
    public void Text_that_is_no_time_is_refused_as_before(string text)
    {
        using var reader = Stored(("@time", text));

        StoredTime.TryParse(text, out _).Should().BeFalse();
        var read = () => StoredTime.UtcOrNull(reader, 0);
        read.Should().Throw<FormatException>();
    }

    // A reader on the one row of a table in memory, its column set to the value as Microsoft.Data.Sqlite binds it (a
    // DateTime as the text EF Core writes too).
    private static SqliteDataReader Stored((string Name, object Value) parameter)
    {
        var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        using (var create = connection.CreateCommand())
        {
            create.CommandText = "CREATE TABLE t (time TEXT); INSERT INTO t VALUES (@time);";
            create.Parameters.AddWithValue(parameter.Name, parameter.Value);
            create.ExecuteNonQuery();
        }

        var select = connection.CreateCommand();
        select.CommandText = "SELECT time FROM t";
        var reader = select.ExecuteReader(System.Data.CommandBehavior.CloseConnection);
        reader.Read().Should().BeTrue();
        return reader;
    }
}

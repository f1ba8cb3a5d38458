using Microsoft.Data.Sqlite;

namespace BeatPass.Tests.Infrastructure;

public static class TestFiles
{
    /// <summary>Closes pooled connections, then deletes a SQLite database with its WAL and shared-memory files.</summary>
    public static void DeleteSqliteDatabase(string path)
    {
        SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm" })
        {
            File.Delete(path + suffix);
        }
    }

    /// <summary>The token with its last character changed: same shape, wrong checksum.</summary>
    public static string WithLastCharacterChanged(string token) => token[..^1] + (token[^1] == 'a' ? 'b' : 'a');
}

using System.Text;
using BeatPass.Tests.Infrastructure;

namespace BeatPass.Tests.Core;

public class PlaintextAtRestTests
{
    [Fact]
    public async Task A_created_tokens_plaintext_is_nowhere_in_the_database_or_its_wal()
    {
        await using var database = await TestDatabase.CreateAsync();
        var tokens = database.CreateTokenService();
        var userId = await database.CreateUserAsync();
        var created = (await tokens.CreateAsync(userId, "Findable-name-7f3a")).Token!;
        await database.AuthenticateAsync(created.PlainText);

        var bytes = ReadAll(database.FilePath).Concat(ReadAll(database.FilePath + "-wal")).ToArray();

        // The control: what is stored can be found this way.
        Contains(bytes, "Findable-name-7f3a").Should().BeTrue();
        Contains(bytes, created.PlainText).Should().BeFalse();
        Contains(bytes, created.PlainText[5..37]).Should().BeFalse("the random part alone must not be stored either");
    }

    private static byte[] ReadAll(string path)
    {
        if (!File.Exists(path))
        {
            return [];
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private static bool Contains(byte[] haystack, string needle) =>
        haystack.AsSpan().IndexOf(Encoding.UTF8.GetBytes(needle)) >= 0;
}

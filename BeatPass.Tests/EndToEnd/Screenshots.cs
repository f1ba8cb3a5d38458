namespace BeatPass.Tests.EndToEnd;

public static class Screenshots
{
    public static string Directory { get; } = Path.Combine(Infrastructure.RepositoryPaths.Root, "BeatPass.Tests", "TestResults", "screenshots");

    public static string PathFor(string name)
    {
        System.IO.Directory.CreateDirectory(Directory);
        return Path.Combine(Directory, name);
    }
}

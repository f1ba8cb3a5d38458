namespace BeatPass.Tests.EndToEnd;

/// <summary>Where browser tests put what they saw: <c>BeatPass.Tests/TestResults/</c>, outside version control.</summary>
public static class Screenshots
{
    public static string ResultsDirectory { get; } = Path.Combine(Infrastructure.RepositoryPaths.Root, "BeatPass.Tests", "TestResults");

    public static string Directory { get; } = Path.Combine(ResultsDirectory, "screenshots");

    public static string PathFor(string name)
    {
        System.IO.Directory.CreateDirectory(Directory);
        return Path.Combine(Directory, name);
    }
}

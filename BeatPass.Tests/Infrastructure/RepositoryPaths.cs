namespace BeatPass.Tests.Infrastructure;

public static class RepositoryPaths
{
    /// <summary>The folder holding BeatPass.Settings.sln.</summary>
    public static string Root { get; } = FindRoot();

    public static string WebProject => Path.Combine(Root, "BeatPass.Web");

    /// <summary>BeatPass.Web.dll as built beside the tests, in the same configuration.</summary>
    public static string WebAssembly
    {
        get
        {
            // The tests run from bin/<Configuration>/net10.0/.
            var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
            return Path.Combine(WebProject, "bin", configuration, "net10.0", "BeatPass.Web.dll");
        }
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "BeatPass.Settings.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("BeatPass.Settings.sln not found above " + AppContext.BaseDirectory);
    }
}

// The product, unchanged, plus what bench/api-auth.sh needs around it (BenchHostingStartup). Runs BeatPass.Web's
// own Program; the hosting startup named below adds the harness's scheme and endpoints to the host it builds.
public static class BenchHost
{
    public static async Task<int> Main(string[] args)
    {
        Environment.SetEnvironmentVariable("ASPNETCORE_HOSTINGSTARTUPASSEMBLIES", typeof(BenchHost).Assembly.GetName().Name);
        var result = typeof(Program).Assembly.EntryPoint!.Invoke(null, [args]);
        return result is Task<int> run ? await run : 0;
    }
}

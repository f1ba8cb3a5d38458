using BeatPass.Core.Services;

namespace BeatPass.Web.Commands;

/// <summary>
/// <c>dotnet run --project BeatPass.Web -- add-service library-api</c>: registers a service that may introspect tokens
/// and prints <c>client_id: …</c> and <c>client_secret: …</c>, each on its own line, once.
/// </summary>
internal static class AddServiceCommand
{
    public const string Name = "add-service";

    public static async Task<int> RunAsync(IServiceProvider services, string[] arguments, TextWriter output, TextWriter error)
    {
        if (arguments is not [var name])
        {
            await error.WriteLineAsync("Usage: dotnet run --project BeatPass.Web -- add-service <name>");
            return 2;
        }

        var (added, problem) = await services.GetRequiredService<ServiceClients>().AddFromCommandLineAsync(name);
        if (added is null)
        {
            await error.WriteLineAsync(problem);
            return 1;
        }

        await output.WriteLineAsync($"client_id: {added.Service.ClientId}");
        await output.WriteLineAsync($"client_secret: {added.Secret}");
        await error.WriteLineAsync($"Service {added.Service.Name} is registered. Keep the secret now: BeatPass stores only its hash and cannot show it again.");
        return 0;
    }
}

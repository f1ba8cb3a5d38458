using System.Security.Claims;
using BeatPass.Core;
using BeatPass.Core.ApiTokens;
using BeatPass.Core.Data;
using BeatPass.Web.Api;
using BeatPass.Web.Authentication;
using Microsoft.Extensions.Options;

/// <summary>
/// What bench/api-auth.sh calls besides the product's own endpoints. Under /api so that they get the same
/// middleware as /api/v1/me (the no-store header included); never part of the product.
/// </summary>
public static class BenchEndpoints
{
    // Who /api/bench/anonymous-me describes: claims like those the ApiToken handler puts in its ticket.
    private static readonly ClaimsPrincipal SampleUser = ApiTokenPrincipal.Create(new ApiTokenIdentity(
        Guid.Parse("019ac6a4-3f1e-7d2b-9c4a-5e6f7a8b9c0d"), "Bench token", "0b0e7a53-4a8e-4d4e-9d0f-1c2b3a4d5e6f",
        "bench@bench.test", "bench@bench.test", ApiPermissions.AccountRead), "Bench");

    public static void MapBenchEndpoints(this IEndpointRouteBuilder app)
    {
        var bench = app.MapGroup("/api/bench");

        // An anonymous endpoint of the same shape as /api/v1/me: same claims read, same JSON, no authentication.
        bench.MapGet("/anonymous-me", () => ApiV1Endpoints.GetMe(SampleUser));

        // /api/v1/me's twin, authenticated by Identity's bearer tokens instead of BeatPass tokens.
        bench.MapGet("/identity-me", ApiV1Endpoints.GetMe).RequireAuthorization(BenchHostingStartup.IdentityBearerScheme);

        // Trades a BeatPass token for an Identity bearer token carrying the very claims the ApiToken handler made.
        bench.MapPost("/identity-token", (ClaimsPrincipal user) => TypedResults.SignIn(
                new ClaimsPrincipal(new ClaimsIdentity(user.Claims, BenchHostingStartup.IdentityBearerScheme)),
                authenticationScheme: BenchHostingStartup.IdentityBearerScheme))
            .RequireAuthorization(ApiTokenDefaults.AuthorizationPolicy);

        // Writes the last uses noted so far, after any write under way: bench/api-auth.sh calls it after each run, so
        // that the background write one scenario's requests queued does not land in the next scenario's measured seconds.
        bench.MapPost("/write-uses", async (ApiTokenUses uses) =>
        {
            await uses.WriteAsync();
            return Results.NoContent();
        });

        // What the Developers page does when its owner deletes a token; answers once the delete has committed.
        bench.MapPost("/delete-token", async (string userId, Guid tokenId, ApiTokenService tokens) =>
            await tokens.DeleteAsync(userId, tokenId) ? Results.NoContent() : Results.NotFound());

        // What the Developers page does on "Create"; answers the plaintext once the token is committed
        // (bench/crash-safety.sh records it, then checks it still works after a SIGKILL).
        bench.MapPost("/create-token", async (string userId, ApiTokenService tokens) =>
            await tokens.CreateAsync(userId, $"Crash {Guid.NewGuid():N}") is { Succeeded: true } result
                ? Results.Text(result.Token.PlainText)
                : Results.Conflict());

        // Server time per request, each kind measured in turn in-process (PipelineTimer). The body is what /seed
        // answered; with only=…, just the kinds whose name contains it (and the first, the baseline), e.g. to profile one.
        bench.MapPost("/pipeline", async (HttpRequest request, int rounds, int requests, string? only, PipelineTimer timer) =>
        {
            var seed = (await new StreamReader(request.Body).ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(line => line.Split(' ')).ToArray();
            string[] Tokens(string kind) => seed.Where(fields => fields[0] == kind).Select(fields => $"Bearer {fields[^1]}").ToArray();
            PipelineTimer.Request[] kinds =
            [
                new("anonymous JSON", "/api/bench/anonymous-me", [], StatusCodes.Status200OK),
                new("valid token (checks account:read)", "/api/v1/me", Tokens("valid"), StatusCodes.Status200OK),
                new("gateway check of a valid token", "/auth/check", Tokens("valid"), StatusCodes.Status204NoContent,
                    $"{TokenCheckEndpoints.RequiredPermissionHeader}: {ApiPermissions.AccountRead}"),
                new("malformed token", "/api/v1/me", ["Bearer bpat_not-a-token"], StatusCodes.Status401Unauthorized),
                new("unknown token (right checksum)", "/api/v1/me", Tokens("unknown"), StatusCodes.Status401Unauthorized),
                new($"{Tokens("known").Length} valid tokens in turn (cache misses when the cache holds fewer)", "/api/v1/me", Tokens("known"), StatusCodes.Status200OK),
            ];
            // Those the seed has tokens for; the first is the baseline, always measured.
            var chosen = kinds.Where((kind, i) => i == 0 || (kind.Authorizations.Length > 0 && (only is null || kind.Name.Contains(only))));
            return Results.Text(await timer.TimeAsync(chosen.ToList(), rounds, requests));
        });

        // The harness restarts the server after seeding, so what seeding allocated is not in the figures.
        bench.MapPost("/seed", async (int tokens, int known, int? fresh, IOptions<DatabaseOptions> database, ApiTokenService service, ApiTokenIssuer issuer) =>
            Results.Text(await Seeder(database).SeedAsync(tokens, known, fresh ?? 0, service, issuer)));

        bench.MapGet("/last-used-writes", (Guid tokenId, IOptions<DatabaseOptions> database) =>
            Results.Text(Seeder(database).LastUsedWrites(tokenId)));

        // Live managed memory after a full, compacting collection: what a leak would grow. (The working set also holds
        // garbage not yet collected and memory the GC keeps for later, which rise and fall with load.)
        bench.MapGet("/heap", () =>
        {
            System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            return Results.Text(GC.GetTotalMemory(forceFullCollection: false).ToString(System.Globalization.CultureInfo.InvariantCulture));
        });

        bench.MapGet("/cache", (ApiTokenCache cache, IOptions<ApiTokenOptions> options) =>
            Results.Text($"entries {cache.Count} capacity {options.Value.CacheCapacity} refused {cache.RefusedCount}"));

        // Empties the token cache, so that the live heap before and after tells what its entries cost.
        bench.MapPost("/cache/clear", (ApiTokenCache cache) =>
        {
            cache.Clear();
            return Results.NoContent();
        });
    }

    private static BenchSeeder Seeder(IOptions<DatabaseOptions> database) => new(database.Value.ConnectionString, database.Value.Provider);
}

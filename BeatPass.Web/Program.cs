using BeatPass.Core;
using BeatPass.Web;
using BeatPass.Web.Api;
using BeatPass.Web.Components;
using BeatPass.Web.Commands;
using BeatPass.Web.Operations;
using BeatPass.Web.SecretScanning;
using BeatPass.Web.Security;

var builder = WebApplication.CreateBuilder(args);

builder.AddBeatPassCore();
builder.AddBeatPassWeb();

var app = builder.Build();

// `migrate` applies migrations once (before PostgreSQL nodes start) and exits.
if (args is [MigrateCommand])
{
    await app.Services.MigrateBeatPassDatabaseAsync();
    Console.WriteLine("The database is up to date.");
    return 0;
}

await app.Services.MigrateOnStartAsync();

// `seed-demo` adds the demo accounts (as Development does at start) to any database, such as deploy/'s, and exits.
if (args is [SeedDemoCommand])
{
    await DemoAccounts.SeedAsync(app.Services);
    Console.WriteLine("The demo accounts are there; the README lists them.");
    return 0;
}

// `make-staff EMAIL` runs before the demo accounts are seeded: `dotnet run` starts in Development, which seeds them,
// and a command pointed at a real database must not add demo accounts to it.
if (args is [MakeStaffCommand.Name, .. var commandArguments])
{
    return await MakeStaffCommand.RunAsync(app.Services, commandArguments, Console.Out, Console.Error);
}

// `add-service NAME` registers a service that may introspect tokens, and prints its credentials once.
if (args is [AddServiceCommand.Name, .. var serviceArguments])
{
    return await AddServiceCommand.RunAsync(app.Services, serviceArguments, Console.Out, Console.Error);
}

// First: the management address serves metrics and probes only, and the public one never serves them.
app.UseManagementAddress();
app.ListenOnManagementAddresses();

// Then: everything after it sees the client's address and scheme, not the proxy's.
app.UseForwardedHeaders();

if (app.Environment.IsDevelopment())
{
    await DemoAccounts.SeedAsync(app.Services);
}
else
{
    app.UseExceptionHandler("/Error", createScopeForErrors: true);
    app.UseHsts();
    // Only where the app serves HTTPS itself; behind a TLS proxy there is no HTTPS port to send anyone to.
    app.UseHttpsRedirection();
}

// A page a person asked for that isn't there gets BeatPass's own "Page not found", and other errors a page with a
// way back (re-executed, so it gets the headers and the sign-in state). Only for pages fetched with GET: API clients
// and the Blazor hub keep their plain status codes, and a re-executed POST would fail the page's antiforgery check.
app.UseWhen(context => HttpMethods.IsGet(context.Request.Method)
        && !context.Request.IsApiRequest() && !context.Request.Path.StartsWithSegments("/_blazor"),
    branch => branch.UseStatusCodePagesWithReExecute("/status/{0}", createScopeForStatusCodePages: true));
// After the status code pages, so a re-executed request is routed to its page.
app.UseRouting();
app.UseSecurityHeaders();
app.UseHubOriginCheck();
app.UseApiNoStore();
app.UseFailedAuthenticationLimit();
app.UseAuthentication();
app.UseAuthorization();
// The rate limiter's one limiter counts form posts (AccountFormLimit): any other request would take a lease from no
// limiter, and pay for the lookup, the lease and its metrics on every API call.
app.UseWhen(context => HttpMethods.IsPost(context.Request.Method), post => post.UseRateLimiter());
app.UseAntiforgery();

app.MapStaticAssets();
app.MapRazorPages();
// UseSecurityHeaders sends the whole policy, frame-ancestors 'none' included; Blazor would add a second one.
app.MapRazorComponents<App>().AddInteractiveServerRenderMode(options => options.ContentSecurityFrameAncestorsPolicy = null);
app.MapApiV1();
app.MapTokenChecks();
app.MapBeatPassApiDocumentation();
app.MapSecretScanning();
app.MapHealthAndMetrics();

await app.RunAsync();
return 0;

public partial class Program
{
    private const string MigrateCommand = "migrate";
    private const string SeedDemoCommand = "seed-demo";
}

[assembly: HostingStartup(typeof(BenchHostingStartup))]

/// <summary>
/// ASP.NET Core Identity's stateless bearer tokens as a second scheme, for comparison, and the bench endpoints
/// (<see cref="BenchEndpoints"/>). Nothing here changes how the product handles its own requests.
/// </summary>
public sealed class BenchHostingStartup : IHostingStartup
{
    public const string IdentityBearerScheme = "IdentityBearer";

    public void Configure(IWebHostBuilder builder) => builder.ConfigureServices(services =>
    {
        services.AddAuthentication().AddBearerToken(IdentityBearerScheme);
        // The same shape as the product's ApiToken policy: one scheme, an authenticated user.
        services.AddAuthorizationBuilder().AddPolicy(IdentityBearerScheme, policy => policy
            .AddAuthenticationSchemes(IdentityBearerScheme)
            .RequireAuthenticatedUser());
        services.AddTransient<IStartupFilter, BenchEndpointsStartupFilter>();
        services.AddSingleton<PipelineTimer>();
    });
}

/// <summary>
/// Adds the bench endpoints to the product's own route table, so they run behind exactly the product's middleware
/// (exception handler, no-store for /api, authentication, authorization, antiforgery) like /api/v1/me does.
/// </summary>
public sealed class BenchEndpointsStartupFilter : IStartupFilter
{
    // Where WebApplication leaves its endpoint route builder once it has added routing to the pipeline. Not a
    // public contract; if a later ASP.NET Core moves it, the host stops at start-up rather than measure wrongly.
    private const string EndpointRouteBuilderKey = "__EndpointRouteBuilder";

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        // Keeps the whole of the product's pipeline, for PipelineTimer to call.
        app.Use(pipeline => PipelineTimer.Pipeline = pipeline);
        next(app);
        // The routing middleware reads its endpoints when the pipeline is built, which is after this returns.
        var endpoints = app.Properties.TryGetValue(EndpointRouteBuilderKey, out var found) && found is IEndpointRouteBuilder builder
            ? builder
            : throw new InvalidOperationException("The product's endpoint route builder was not found; the bench endpoints cannot be added.");
        endpoints.MapBenchEndpoints();
    };
}

using BeatPass.Core;
using BeatPass.Web.Email;
using BeatPass.Web.Health;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Npgsql;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace BeatPass.Web.Operations;

/// <summary>
/// What an operator watches: metrics (ours, ASP.NET Core's, HttpClient's, Npgsql's and the runtime's) in Prometheus's
/// format on the management address, traces over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set, health probes,
/// and JSON log lines outside Development. All through OpenTelemetry .NET and ASP.NET Core's own pieces.
/// </summary>
public static class Observability
{
    public const string DefaultServiceName = "beatpass-settings";

    public const string MetricsPath = "/metrics";
    public const string LivePath = "/health/live";
    public const string ReadyPath = "/health/ready";

    // Checks that only readiness runs: /health, which load balancers poll, stays as it was.
    private const string ReadyOnly = "ready-only";

    public static WebApplicationBuilder AddObservability(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ManagementOptions>()
            .BindConfiguration(ManagementOptions.SectionName)
            .Validate(options => options.Problem() is null, "Management:Urls holds an address Kestrel cannot listen on.")
            .ValidateOnStart();

        if (!builder.Environment.IsDevelopment())
        {
            // One JSON object a line, with the trace and span ids of the request it belongs to.
            builder.Logging.AddJsonConsole(json =>
            {
                json.IncludeScopes = true;
                json.UseUtcTimestamp = true;
                json.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
            });
            builder.Logging.Configure(logging => logging.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);
        }

        var openTelemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(builder.Configuration["OTEL_SERVICE_NAME"] ?? DefaultServiceName))
            .WithMetrics(metrics => metrics
                .AddMeter(BeatPassMetrics.MeterName)
                .AddAspNetCoreInstrumentation()
                // Token checks are counted once per request, with their outcome, by beatpass.api_token.checks. ASP.NET
                // Core's own authentication histogram would time the same check twice per API request (the failure
                // limit's authentication and the policy's) and its authorization counter count it again: dropped, so
                // they are not measured at all.
                .AddView("aspnetcore.authentication.authenticate.duration", MetricStreamConfiguration.Drop)
                .AddView("aspnetcore.authorization.attempts", MetricStreamConfiguration.Drop)
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddNpgsqlInstrumentation()
                // Each scrape sees the counters as they are now, not as a cached answer of a moment ago.
                .AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0));

        // Traces only where there is a collector to send them to: otherwise nothing listens, and nothing is recorded.
        if (!string.IsNullOrEmpty(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            openTelemetry.WithTracing(tracing => SampleAsShipped(tracing, builder.Configuration)
                .AddAspNetCoreInstrumentation(aspNetCore =>
                {
                    // A query string can hold an emailed code (confirm email, reset password): the path is enough.
                    aspNetCore.EnrichWithHttpRequest = (activity, _) => activity.SetTag("url.query", null);
                    aspNetCore.Filter = context => !IsManagementPath(context.Request.Path);
                })
                .AddHttpClientInstrumentation(http => http.EnrichWithHttpRequestMessage = (activity, request) =>
                    activity.SetTag("url.full", request.RequestUri?.GetLeftPart(UriPartial.Path)))
                .AddEntityFrameworkCoreInstrumentation()
                .AddSource(EmailDeliveryService.Traces.Name)
                .AddOtlpExporter());
        }

        builder.Services.AddHealthChecks().AddCheck<MigrationsHealthCheck>("migrations", tags: [ReadyOnly]);
        return builder;
    }

    /// <summary>
    /// Unless <c>OTEL_TRACES_SAMPLER</c> says otherwise (the SDK reads it, with <c>OTEL_TRACES_SAMPLER_ARG</c>): one trace in
    /// <see cref="DefaultTraceSampleRatio"/>'s share, plus every request whose caller already samples its trace
    /// (<c>traceparent</c>), so a trace started upstream is never cut. Tracing every request costs about 8 µs of CPU per
    /// request on a token check that takes 36 (bench/RESULTS.md); one in ten about 1 to 3, most of it the
    /// <c>Activity</c> every request gets once tracing is on, sampled or not.
    /// </summary>
    private static TracerProviderBuilder SampleAsShipped(TracerProviderBuilder tracing, IConfiguration configuration) =>
        string.IsNullOrEmpty(configuration["OTEL_TRACES_SAMPLER"])
            ? tracing.SetSampler(new ParentBasedSampler(new TraceIdRatioBasedSampler(DefaultTraceSampleRatio)))
            : tracing;

    /// <summary>The share of traces kept when nothing else decides: one in ten.</summary>
    public const double DefaultTraceSampleRatio = 0.1;

    /// <summary>
    /// With <c>Management:Urls</c> set, listens there as well as on the public addresses (<c>urls</c>, or Kestrel's
    /// defaults), which naming any address would otherwise replace.
    /// </summary>
    public static void ListenOnManagementAddresses(this WebApplication app)
    {
        var management = app.Services.GetRequiredService<IOptions<ManagementOptions>>().Value.Addresses;
        if (management.Count == 0)
        {
            return;
        }

        var configured = app.Configuration["urls"]?.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var ports = app.Configuration["http_ports"]?.Split(';', StringSplitOptions.RemoveEmptyEntries).Select(port => $"http://*:{port}");
        foreach (var address in configured ?? ports?.ToArray() ?? ["http://localhost:5000"])
        {
            app.Urls.Add(address);
        }

        foreach (var address in management)
        {
            app.Urls.Add(address);
        }
    }

    /// <summary>
    /// First in the pipeline: the management address answers its three paths and nothing else; the public address
    /// answers 404 for them, whatever the Host header says (the port the connection came in on decides).
    /// </summary>
    public static void UseManagementAddress(this WebApplication app)
    {
        var ports = app.Services.GetRequiredService<IOptions<ManagementOptions>>().Value.Ports;
        app.Use((context, next) =>
        {
            if (ports.Contains(context.Connection.LocalPort) != IsManagementPath(context.Request.Path))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            }

            return next(context);
        });
    }

    /// <summary>The public <c>/health</c>, as it was; and the management address's metrics and probes.</summary>
    public static void MapHealthAndMetrics(this WebApplication app)
    {
        app.MapHealthChecks("/health", new HealthCheckOptions { Predicate = check => !check.Tags.Contains(ReadyOnly) });
        app.MapPrometheusScrapingEndpoint(MetricsPath);
        // Live: the process answers; no check, so a slow database never gets a healthy process restarted.
        app.MapHealthChecks(LivePath, new HealthCheckOptions { Predicate = _ => false });
        // Ready: the database answers, this node hears other nodes' changes (PostgreSQL), and it is migrated.
        app.MapHealthChecks(ReadyPath);
    }

    private static bool IsManagementPath(PathString path) =>
        path.Equals(MetricsPath, StringComparison.OrdinalIgnoreCase)
        || path.Equals(LivePath, StringComparison.OrdinalIgnoreCase)
        || path.Equals(ReadyPath, StringComparison.OrdinalIgnoreCase);
}

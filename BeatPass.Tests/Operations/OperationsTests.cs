using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using BeatPass.Core.ApiTokens;
using BeatPass.Core.Services;
using BeatPass.Tests.Infrastructure;
using BeatPass.Web.SecretScanning;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace BeatPass.Tests.Operations;

/// <summary>
/// The app with a management address of its own and its traces sent to a <see cref="TestOtlpReceiver"/>, as an
/// operator runs it: <c>Management:Urls</c> and <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> set.
/// </summary>
public sealed class ObservedApp : LiveAppFactory, IAsyncLifetime
{
    public int ManagementPort { get; } = LoopbackPorts.Free();

    public TestOtlpReceiver Traces { get; private set; } = null!;

    protected override IEnumerable<int> MorePorts => [ManagementPort];

    public HttpClient CreateManagementClient() => new() { BaseAddress = new Uri($"http://127.0.0.1:{ManagementPort}") };

    async Task IAsyncLifetime.InitializeAsync()
    {
        Traces = await TestOtlpReceiver.StartAsync();
        await InitializeAsync();
    }

    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Management:Urls", $"http://127.0.0.1:{ManagementPort}");
        builder.UseSetting("OTEL_EXPORTER_OTLP_ENDPOINT", Traces.Endpoint.ToString());
        builder.UseSetting("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf");
        builder.UseSetting("OTEL_BSP_SCHEDULE_DELAY", "100");
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Traces.DisposeAsync();
    }
}

/// <summary>
/// Runs alone, once every other test has finished: OpenTelemetry listens to meters by name across the process, so
/// another app running in this test process at the same time would add its counts (and its instruments) to these.
/// In production one process holds one app.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class OperationsCollection
{
    public const string Name = "Operations";
}

[Collection(OperationsCollection.Name)]
public sealed partial class OperationsTests(ObservedApp app, ITestOutputHelper output) : IClassFixture<ObservedApp>
{
    [Fact]
    public async Task The_management_address_serves_metrics_and_probes_and_the_public_address_none_of_them()
    {
        using var management = app.CreateManagementClient();
        using var publicClient = app.CreateHttpClient();

        foreach (var path in new[] { "/metrics", "/health/live", "/health/ready" })
        {
            (await management.GetAsync(path)).StatusCode.Should().Be(HttpStatusCode.OK, path);
            (await publicClient.GetAsync(path)).StatusCode.Should().Be(HttpStatusCode.NotFound, path);
            // The port decides, not what the request says about it.
            using var disguised = new HttpRequestMessage(HttpMethod.Get, path) { Headers = { Host = $"127.0.0.1:{app.ManagementPort}" } };
            (await publicClient.SendAsync(disguised)).StatusCode.Should().Be(HttpStatusCode.NotFound, path);
        }

        (await management.GetAsync("/health")).StatusCode.Should().Be(HttpStatusCode.NotFound, "the management address serves nothing else");
        (await management.GetAsync(ApiClient.MePath)).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await publicClient.GetAsync("/health")).StatusCode.Should().Be(HttpStatusCode.OK, "load balancers keep their /health");
        (await management.GetStringAsync("/health/ready")).Should().Be("Healthy");
        (await management.GetStringAsync("/metrics")).Should().Contain("http_server_request_duration_seconds").And.Contain("dotnet_gc_");

        // After an API request with a token: its check is counted by BeatPass, and not timed again by ASP.NET Core.
        var holder = await app.CreateUserAsync();
        (await publicClient.GetStatusWithTokenAsync(ApiClient.MePath, (await app.CreateTokenAsync(holder.Id)).PlainText)).Should().Be(HttpStatusCode.OK);
        (await management.GetStringAsync("/metrics")).Should().Contain("beatpass_api_token_checks_total")
            .And.NotContain("aspnetcore_authentication_authenticate_duration").And.NotContain("aspnetcore_authorization_attempts");

        // ASP.NET Core's other authentication counters stay: a 401 is a challenge, counted.
        (await publicClient.GetAsync(ApiClient.MePath)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await management.GetStringAsync("/metrics")).Should().Contain("aspnetcore_authentication_challenges_total");
    }

    [Fact]
    public async Task After_known_traffic_the_token_check_counters_show_exactly_it()
    {
        var holder = await app.CreateUserAsync();
        var reader = await app.CreateTokenAsync(holder.Id, "Reads the account");
        var deleted = await app.CreateTokenAsync(holder.Id, "Deleted");
        await app.WithTokenServiceAsync(tokens => tokens.DeleteAsync(holder.Id, deleted.Summary.Id));
        var leaked = await app.CreateTokenAsync(holder.Id, "Leaked");
        var expired = await AddExpiredTokenAsync(holder.Id);
        using var client = app.CreateHttpClient();
        using (var revoked = await client.PostAsJsonAsync(SecretScanningEndpoints.PublicRevocationPath, new { credentials = new[] { leaked.PlainText } }))
        {
            revoked.StatusCode.Should().Be(HttpStatusCode.Accepted);
        }

        // Else the holder's changes above, read back from the change log a moment later, could drop the reader's entry
        // between its first call and its second (seen once in a clean clone's run: two misses, no hit).
        await WaitForTheChangeLogToBeReadAsync();
        var before = await ChecksAsync();

        async Task Call(string path, string token, HttpStatusCode expected) =>
            (await client.GetStatusWithTokenAsync(path, token)).Should().Be(expected);
        await Call(ApiClient.MePath, reader.PlainText, HttpStatusCode.OK); // looked up
        await Call(ApiClient.MePath, reader.PlainText, HttpStatusCode.OK); // cached
        await Call("/api/v1/tokens", reader.PlainText, HttpStatusCode.Forbidden); // cached, lacks tokens:read
        await Call(ApiClient.MePath, "bpat_short", HttpStatusCode.Unauthorized); // malformed
        await Call(ApiClient.MePath, ApiTokenFormat.Generate(), HttpStatusCode.Unauthorized); // made up: no valid tag
        await Call(ApiClient.MePath, deleted.PlainText, HttpStatusCode.Unauthorized); // looked up, not there
        await Call(ApiClient.MePath, deleted.PlainText, HttpStatusCode.Unauthorized); // remembered as not there
        await Call(ApiClient.MePath, leaked.PlainText, HttpStatusCode.Unauthorized); // looked up, revoked
        await Call(ApiClient.MePath, leaked.PlainText, HttpStatusCode.Unauthorized); // cached as revoked
        await Call(ApiClient.MePath, expired, HttpStatusCode.Unauthorized); // looked up, expired

        var after = await ChecksAsync();
        var counted = after.Keys.Union(before.Keys)
            .Select(key => (key.Outcome, key.Cache, Count: after.GetValueOrDefault(key) - before.GetValueOrDefault(key)))
            .Where(x => x.Count != 0)
            .OrderBy(x => x.Outcome).ThenBy(x => x.Cache)
            .ToList();
        counted.Should().Equal(
            ("expired", "miss", 1),
            ("insufficient_permission", "hit", 1),
            ("invalid", "hit", 1),
            ("invalid", "miss", 1),
            ("invalid", "none", 2),
            ("revoked", "hit", 1),
            ("revoked", "miss", 1),
            ("valid", "hit", 1),
            ("valid", "miss", 1));
    }

    [Fact]
    public async Task A_real_Prometheus_scrapes_the_management_address_and_answers_a_query_for_the_token_checks()
    {
        using var client = app.CreateHttpClient();
        (await client.GetStatusWithTokenAsync(ApiClient.MePath, "bpat_short")).Should().Be(HttpStatusCode.Unauthorized);
        var directory = Directory.CreateTempSubdirectory("beatpass-prometheus-");
        var port = LoopbackPorts.Free();
        await File.WriteAllTextAsync(Path.Combine(directory.FullName, "prometheus.yml"), $"""
            global:
              scrape_interval: 1s
            scrape_configs:
              - job_name: beatpass-settings
                static_configs:
                  - targets: ["127.0.0.1:{app.ManagementPort}"]
            """);
        using var prometheus = Process.Start(new ProcessStartInfo("prometheus")
        {
            ArgumentList =
            {
                $"--config.file={Path.Combine(directory.FullName, "prometheus.yml")}",
                $"--storage.tsdb.path={Path.Combine(directory.FullName, "data")}",
                $"--web.listen-address=127.0.0.1:{port}",
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var log = new StringBuilder();
        prometheus.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        prometheus.BeginErrorReadLine();
        prometheus.BeginOutputReadLine();
        try
        {
            using var query = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            JsonElement result;
            while (true)
            {
                result = await QueryAsync(query, "beatpass_api_token_checks_total");
                if (result.GetArrayLength() > 0 || deadline.IsCancellationRequested)
                {
                    break;
                }

                await Task.Delay(200, CancellationToken.None);
            }

            lock (log)
            {
                result.GetArrayLength().Should().BeGreaterThan(0, $"Prometheus should have scraped the app; its log:\n{log}");
            }

            result.EnumerateArray().Should().Contain(series =>
                series.GetProperty("metric").GetProperty("job").GetString() == "beatpass-settings"
                && series.GetProperty("metric").GetProperty("outcome").GetString() == "invalid");
        }
        finally
        {
            prometheus.Kill(entireProcessTree: true);
            await prometheus.WaitForExitAsync();
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_token_request_is_traced_over_OTLP_with_no_Authorization_value_in_the_spans()
    {
        var holder = await app.CreateUserAsync();
        var token = await app.CreateTokenAsync(holder.Id, "Traced");
        const string Code = "emailed-code-3f9a";

        // Sampled by their caller, so the shipped sampler (parent-based) keeps them whatever its ratio.
        using var client = ClientThatSendsItsOwnTraceParent();
        client.DefaultRequestHeaders.Add("traceparent", SampledTraceParent());
        (await client.GetStatusWithTokenAsync(ApiClient.MePath, token.PlainText)).Should().Be(HttpStatusCode.OK);
        (await client.GetAsync($"/Identity/Account/ConfirmEmail?userId=someone&code={Code}")).Should().NotBeNull();

        string Received() => string.Join("\n", app.Traces.Exports.Select(Encoding.UTF8.GetString));
        await Wait.UntilAsync(() => Received().Contains("/api/v1/me") && Received().Contains("ConfirmEmail"), TimeSpan.FromSeconds(30),
            "both requests' spans should be exported");

        var traces = Received();
        output.WriteLine($"{app.Traces.Exports.Count} exports, {traces.Length} bytes");
        traces.Should().Contain("/api/v1/me", "the token request is traced").And.Contain("beatpass-settings")
            .And.Contain("http.route").And.Contain("http.response.status_code", "spans carry OpenTelemetry's HTTP tags");
        traces.Should().NotContain(token.PlainText).And.NotContain(token.PlainText[..12], "no span carries the token")
            .And.NotContain("Bearer").And.NotContain(Code, "query strings, which can hold emailed codes, are left out");
    }

    [Fact]
    public async Task As_shipped_one_trace_in_ten_is_kept_and_every_trace_a_caller_samples_but_scrapes_and_probes()
    {
        var holder = await app.CreateUserAsync();
        var token = await app.CreateTokenAsync(holder.Id, "Sampled");
        using var client = ClientThatSendsItsOwnTraceParent();
        // Each request names a path of its own (a token id nobody has: 404), which its span's url.path carries.
        var paths = Enumerable.Range(0, 40).Select(_ => $"/api/v1/tokens/{Guid.NewGuid()}").ToList();
        foreach (var path in paths)
        {
            await client.GetStatusWithTokenAsync(path, token.PlainText);
        }

        using (var management = ClientThatSendsItsOwnTraceParent(new Uri($"http://127.0.0.1:{app.ManagementPort}")))
        {
            foreach (var path in new[] { "/metrics", "/health/live", "/health/ready" })
            {
                using var probe = new HttpRequestMessage(HttpMethod.Get, path) { Headers = { { "traceparent", SampledTraceParent() } } };
                (await management.SendAsync(probe)).StatusCode.Should().Be(HttpStatusCode.OK);
            }
        }

        var marker = $"/api/v1/tokens/{Guid.NewGuid()}";
        using (var sampled = await client.SendWithTokenAsync(HttpMethod.Get, marker, token.PlainText,
            headers => headers.Add("traceparent", SampledTraceParent())))
        {
            sampled.StatusCode.Should().NotBe(HttpStatusCode.Unauthorized);
        }

        // Spans are exported in the order they end: once the last request's is in, any of the others kept is too.
        string Received() => string.Join("\n", app.Traces.Exports.Select(Encoding.UTF8.GetString));
        await Wait.UntilAsync(() => Received().Contains(marker), TimeSpan.FromSeconds(30), "a request whose caller samples its trace is traced");
        Received().Should().NotContain("/metrics").And.NotContain("/health/", "scrapes and probes are never traced");
        var traced = paths.Count(path => Received().Contains(path));
        output.WriteLine($"{traced} of {paths.Count} requests without a traceparent traced");
        traced.Should().BeLessThan(paths.Count, "one trace in ten is kept, not every one (40 in a row: about 1 in 10^40)");
    }

    // This test process runs the app, so the app's HttpClient tracing sees the tests' own requests too, and would put a
    // traceparent of its own on them: a client that leaves the header to the test decides what the app is told.
    private HttpClient ClientThatSendsItsOwnTraceParent(Uri? baseAddress = null) =>
        new(new SocketsHttpHandler { ActivityHeadersPropagator = null }) { BaseAddress = baseAddress ?? app.BaseAddress };

    /// <summary>A W3C <c>traceparent</c> whose caller sampled the trace (flags 01).</summary>
    private static string SampledTraceParent() =>
        $"00-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}-01";

    [Fact]
    public async Task In_Production_every_log_line_is_JSON_with_the_trace_and_span_ids()
    {
        var databasePath = Path.Combine(Path.GetTempPath(), $"beatpass-json-logs-{Guid.NewGuid():N}.db");
        var port = LoopbackPorts.Free();
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = RepositoryPaths.WebProject,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
                ["ConnectionStrings__BeatPass"] = $"Data Source={databasePath}",
                ["App__PublicUrl"] = $"http://127.0.0.1:{port}",
                ["Email__Delivery"] = "Pickup",
                ["Email__From"] = "BeatPass <no-reply@beatpass.test>",
                ["Email__PickupDirectory"] = Path.Combine(Path.GetTempPath(), $"beatpass-json-logs-mail-{Guid.NewGuid():N}"),
                ["Logging__LogLevel__Microsoft.AspNetCore"] = "Information",
            },
            ArgumentList = { RepositoryPaths.WebAssembly },
        };
        var lines = new List<string>();
        using var started = new SemaphoreSlim(0);
        using var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { Length: > 0 } line)
            {
                lock (lines)
                {
                    lines.Add(line);
                }

                if (line.Contains("Application started"))
                {
                    started.Release();
                }
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            (await started.WaitAsync(TimeSpan.FromSeconds(60))).Should().BeTrue("the app should start");
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            (await client.GetStatusWithTokenAsync(ApiClient.MePath, "bpat_short")).Should().Be(HttpStatusCode.Unauthorized);
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            while (!Snapshot(lines).Any(line => line.Contains("Request finished")) && !deadline.IsCancellationRequested)
            {
                await Task.Delay(50, CancellationToken.None);
            }
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            TestFiles.DeleteSqliteDatabase(databasePath);
        }

        var logged = Snapshot(lines);
        logged.Should().NotBeEmpty();
        var entries = logged.Select(line => JsonDocument.Parse(line).RootElement).ToList(); // throws on a line that is not JSON
        entries.Should().OnlyContain(entry => HasProperties(entry, "Message", "LogLevel"));
        entries.Where(entry => entry.GetProperty("Message").GetString()!.Contains("Request finished"))
            .Should().Contain(entry => entry.GetProperty("Scopes").EnumerateArray().Any(scope =>
                scope.ValueKind == JsonValueKind.Object && HasProperties(scope, "TraceId", "SpanId")));
    }

    private static bool HasProperties(JsonElement element, params string[] names) => names.All(name => element.TryGetProperty(name, out _));

    private static List<string> Snapshot(List<string> lines)
    {
        lock (lines)
        {
            return [.. lines];
        }
    }

    /// <summary>
    /// On SQLite the node also reads its own changes back from the change log (a second later at most) and drops the
    /// account's cached tokens again. Waits until it has read every change made so far: a marker row, written as another
    /// process would, for an account whose token only this waits on is cached; once that entry is dropped, every
    /// earlier row has been read too.
    /// </summary>
    private async Task WaitForTheChangeLogToBeReadAsync()
    {
        var marker = await app.CreateUserAsync();
        var token = await app.CreateTokenAsync(marker.Id, "Marker");
        var hash = ApiTokenHash.Parse(token.PlainText);
        var cache = app.Services.GetRequiredService<ApiTokenCache>();
        (await app.Services.GetRequiredService<ApiTokenAuthenticator>().AuthenticateAsync(token.PlainText)).Status
            .Should().Be(ApiTokenStatus.Valid); // cached, without counting a check: only requests are counted
        await app.WithDbAsync(db => db.Database.ExecuteSqlRawAsync("""INSERT INTO "AccountChanges" ("UserId") VALUES ({0})""", marker.Id));

        await Wait.UntilAsync(() => !cache.TryGet(hash, app.Time.GetUtcNow().UtcDateTime, out _), TimeSpan.FromSeconds(30),
            "the node reads the change log once a second");
    }

    /// <summary>A token that expired yesterday, made straight in the database (the API only makes future expiries).</summary>
    private async Task<string> AddExpiredTokenAsync(string userId)
    {
        var secret = await app.Services.GetRequiredService<ApiTokenIssuer>().GenerateAsync();
        var now = app.Time.GetUtcNow().UtcDateTime;
        await app.WithDbAsync(db =>
        {
            var token = TestTokens.Rows(userId, [secret], now.AddDays(-30)).Single();
            token.Name = "Expired";
            token.NormalizedName = "EXPIRED";
            token.ExpiresAt = now.AddDays(-1);
            db.ApiTokens.Add(token);
            return db.SaveChangesAsync();
        });
        return secret;
    }

    [Fact]
    public async Task Introspections_are_counted_by_outcome_and_gateway_checks_as_token_checks()
    {
        var (service, _) = await app.Services.GetRequiredService<ServiceClients>().AddFromCommandLineAsync($"svc-{Guid.NewGuid():N}"[..20]);
        var holder = await app.CreateUserAsync();
        var token = await app.CreateTokenAsync(holder.Id);
        using var client = app.CreateHttpClient();
        var right = ApiClient.Basic(service!.Service.ClientId, service.Secret);
        var wrong = ApiClient.Basic(service.Service.ClientId, ServiceClientFormat.NewSecret());
        async Task Introspect(string authorization, HttpContent body, HttpStatusCode expected)
        {
            using var response = await client.PostIntrospectionAsync(authorization, body);
            response.StatusCode.Should().Be(expected);
        }

        await WaitForTheChangeLogToBeReadAsync(); // the token's creation, read back, could drop it between two checks
        var introspectionsBefore = await IntrospectionsAsync();
        var checksBefore = await ChecksAsync();

        await Introspect(right, new FormUrlEncodedContent([new("token", token.PlainText)]), HttpStatusCode.OK); // active
        await Introspect(right, new FormUrlEncodedContent([new("token", ApiTokenFormat.Generate())]), HttpStatusCode.OK); // inactive
        await Introspect(wrong, new FormUrlEncodedContent([new("token", token.PlainText)]), HttpStatusCode.Unauthorized);
        await Introspect(right, new FormUrlEncodedContent([new("nothing", "")]), HttpStatusCode.BadRequest);
        (await client.GetStatusWithTokenAsync("/auth/check", token.PlainText)).Should().Be(HttpStatusCode.NoContent); // cached
        using (var forbidden = await client.SendWithTokenAsync(HttpMethod.Get, "/auth/check", token.PlainText,
            headers => headers.Add("X-Required-Permission", "library:read")))
        {
            forbidden.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        }

        var introspections = await IntrospectionsAsync();
        introspections.Select(pair => (pair.Key, pair.Value - introspectionsBefore.GetValueOrDefault(pair.Key)))
            .Where(x => x.Item2 != 0).OrderBy(x => x.Key)
            .Should().Equal(("active", 1L), ("bad_request", 1L), ("inactive", 1L), ("unauthorized", 1L));
        var checks = await ChecksAsync();
        checks.Select(pair => (pair.Key, Count: pair.Value - checksBefore.GetValueOrDefault(pair.Key))).Where(x => x.Count != 0)
            .Should().BeEquivalentTo([(("valid", "hit"), 1L), (("insufficient_permission", "hit"), 1L)],
                "an introspection is not an API check; the gateway's check is");
    }

    private async Task<Dictionary<string, long>> IntrospectionsAsync()
    {
        using var management = app.CreateManagementClient();
        var text = await management.GetStringAsync("/metrics");
        return IntrospectionLine().Matches(text).ToDictionary(m => m.Groups["outcome"].Value, m => long.Parse(m.Groups["count"].Value));
    }

    [GeneratedRegex("""^beatpass_introspections_total\{[^}]*outcome="(?<outcome>\w+)"\} (?<count>\d+)""", RegexOptions.Multiline)]
    private static partial Regex IntrospectionLine();

    /// <summary>The token check counters as the management address shows them now, by outcome and cache use.</summary>
    private async Task<Dictionary<(string Outcome, string Cache), long>> ChecksAsync()
    {
        using var management = app.CreateManagementClient();
        var text = await management.GetStringAsync("/metrics");
        return CheckLine().Matches(text).ToDictionary(
            m => (m.Groups["outcome"].Value, m.Groups["cache"].Value), m => long.Parse(m.Groups["count"].Value));
    }

    private static async Task<JsonElement> QueryAsync(HttpClient prometheus, string query)
    {
        try
        {
            var answer = await prometheus.GetFromJsonAsync<JsonElement>($"/api/v1/query?query={Uri.EscapeDataString(query)}");
            return answer.GetProperty("data").GetProperty("result");
        }
        catch (HttpRequestException)
        {
            return JsonDocument.Parse("[]").RootElement; // not listening yet
        }
    }

    [GeneratedRegex("""^beatpass_api_token_checks_total\{[^}]*cache="(?<cache>\w+)",outcome="(?<outcome>\w+)"\} (?<count>\d+)""", RegexOptions.Multiline)]
    private static partial Regex CheckLine();
}

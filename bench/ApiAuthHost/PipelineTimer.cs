using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http.Features;

/// <summary>
/// Sends made-up requests straight into the product's middleware pipeline (everything Program.cs sets up; no socket,
/// no HTTP parsing, no load generator on the same cores) and times them, each kind in turn, round after round: what a
/// kind of request costs the server by itself, side by side. Run on one thread, one request at a time.
/// </summary>
public sealed class PipelineTimer(IHttpContextFactory contexts)
{
    /// <summary>The pipeline after the hosting layer, kept by <see cref="BenchEndpointsStartupFilter"/> when it is built.</summary>
    public static RequestDelegate? Pipeline { get; set; }

    /// <param name="Authorizations">The Authorization headers to send, one after the other; none for no header.</param>
    /// <param name="Header">One more request header, "Name: value".</param>
    public sealed record Request(string Name, string Path, string[] Authorizations, int Status, string? Header = null);

    /// <summary>
    /// One line per request: its name, the median over the rounds of its time in µs, the quickest and slowest round,
    /// bytes allocated per request, and the first request's median over its own (its rate × the first's).
    /// </summary>
    public async Task<string> TimeAsync(IReadOnlyList<Request> requests, int rounds, int perRound)
    {
        var pipeline = Pipeline ?? throw new InvalidOperationException("The pipeline was not kept.");
        foreach (var request in requests)
        {
            var status = await SendAsync(pipeline, request, 0);
            if (status != request.Status)
            {
                throw new InvalidOperationException($"{request.Name} answers {status}, not {request.Status}.");
            }
        }

        var times = requests.Select(_ => new List<double>()).ToArray();
        var bytes = new long[requests.Count];
        // Round 0 warms up (the JIT's later tiers) and is not counted.
        for (var round = 0; round <= rounds; round++)
        {
            for (var i = 0; i < requests.Count; i++)
            {
                var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
                var clock = Stopwatch.StartNew();
                for (var n = 0; n < perRound; n++)
                {
                    await SendAsync(pipeline, requests[i], round * perRound + n);
                }

                clock.Stop();
                if (round > 0)
                {
                    times[i].Add(clock.Elapsed.TotalMicroseconds / perRound);
                    bytes[i] += GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
                }
            }
        }

        var medians = times.Select(Median).ToArray();
        var lines = new StringBuilder();
        for (var i = 0; i < requests.Count; i++)
        {
            lines.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"{requests[i].Name}|{medians[i]:F2}|{times[i].Min():F2}|{times[i].Max():F2}|{bytes[i] / ((long)rounds * perRound)}|{medians[0] / medians[i]:F2}"));
        }

        return lines.ToString();
    }

    private async Task<int> SendAsync(RequestDelegate pipeline, Request request, int n)
    {
        IHeaderDictionary headers = new HeaderDictionary();
        headers.Host = "127.0.0.1";
        if (request.Authorizations.Length > 0)
        {
            headers.Authorization = request.Authorizations[n % request.Authorizations.Length];
        }

        if (request.Header is not null)
        {
            var colon = request.Header.IndexOf(':');
            headers[request.Header[..colon]] = request.Header[(colon + 1)..].Trim();
        }

        var features = new FeatureCollection();
        features.Set<IHttpRequestFeature>(new HttpRequestFeature { Method = "GET", Scheme = "http", Protocol = "HTTP/1.1", Path = request.Path, Headers = headers });
        features.Set<IHttpResponseFeature>(new HttpResponseFeature());
        features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(Stream.Null));
        features.Set<IHttpConnectionFeature>(new HttpConnectionFeature
        {
            RemoteIpAddress = IPAddress.Loopback, RemotePort = 40000, LocalIpAddress = IPAddress.Loopback, LocalPort = 5000,
        });
        var context = contexts.Create(features);
        try
        {
            await pipeline(context);
            return context.Response.StatusCode;
        }
        finally
        {
            contexts.Dispose(context);
        }
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}

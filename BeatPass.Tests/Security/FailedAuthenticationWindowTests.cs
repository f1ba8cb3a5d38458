using System.Diagnostics;
using System.Net;
using BeatPass.Web.Security;
using Microsoft.Extensions.Options;

namespace BeatPass.Tests.Security;

/// <summary>The failure limit forgives: once Retry-After has run out, a new window lets the address fail again.</summary>
public sealed class FailedAuthenticationWindowTests
{
    private const int Limit = 3;
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(1);
    private static readonly IPAddress Office = IPAddress.Parse("203.0.113.50");

    [Fact]
    public async Task Once_Retry_After_has_run_out_the_address_gets_a_whole_new_window()
    {
        using var limit = new FailedAuthenticationLimit(Options.Create(new ApiRateLimitOptions
        {
            FailuresPerWindow = Limit,
            Window = Window,
        }));
        var refused = FillTheWindow(limit);
        var clock = Stopwatch.StartNew();
        refused.Should().BePositive().And.BeLessThanOrEqualTo(Window);

        // Wait for what a client that honours Retry-After sees: the first failure answered 401 again.
        while (limit.RecordFailure(Office) is not null)
        {
            clock.Elapsed.Should().BeLessThan(refused + TimeSpan.FromSeconds(5), "by the time Retry-After runs out the window has reset");
            await Task.Delay(20);
        }

        for (var i = 1; i < Limit; i++)
        {
            limit.RecordFailure(Office).Should().BeNull($"failure {i + 1} of the new window");
        }

        limit.RecordFailure(Office).Should().NotBeNull("the new window has the same limit");
    }

    /// <summary>Spends the address's failures; returns the Retry-After of the first refusal.</summary>
    private static TimeSpan FillTheWindow(FailedAuthenticationLimit limit)
    {
        while (true)
        {
            if (limit.RecordFailure(Office) is { } retryAfter)
            {
                return retryAfter;
            }
        }
    }
}

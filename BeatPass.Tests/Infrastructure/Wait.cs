using System.Diagnostics;

namespace BeatPass.Tests.Infrastructure;

/// <summary>Waits for a state the test expects, checking it again and again, never for a fixed time.</summary>
public static class Wait
{
    /// <summary>Returns once <paramref name="condition"/> holds; fails the test if it still does not after <paramref name="timeout"/>.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var waited = Stopwatch.StartNew();
        while (!await condition())
        {
            waited.Elapsed.Should().BeLessThan(timeout, "the awaited state should come about within {0}", timeout);
            await Task.Delay(20, CancellationToken.None);
        }
    }

    /// <inheritdoc cref="UntilAsync(Func{Task{bool}}, TimeSpan)"/>
    public static Task UntilAsync(Func<bool> condition, TimeSpan timeout) => UntilAsync(() => Task.FromResult(condition()), timeout);
}

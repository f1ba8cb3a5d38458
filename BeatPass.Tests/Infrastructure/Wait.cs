using System.Diagnostics;

namespace BeatPass.Tests.Infrastructure;

/// <summary>Waits for a state the test expects, checking it again and again, never for a fixed time.</summary>
public static class Wait
{
    /// <summary>
    /// Returns once <paramref name="condition"/> holds; fails the test, saying <paramref name="because"/>, if it still
    /// does not after <paramref name="timeout"/>.
    /// </summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string because = "the awaited state should come about")
    {
        var waited = Stopwatch.StartNew();
        while (!await condition())
        {
            waited.Elapsed.Should().BeLessThan(timeout, "{0} within {1}", because, timeout);
            await Task.Delay(20, CancellationToken.None);
        }
    }

    /// <inheritdoc cref="UntilAsync(Func{Task{bool}}, TimeSpan, string)"/>
    public static Task UntilAsync(Func<bool> condition, TimeSpan timeout, string because = "the awaited state should come about") =>
        UntilAsync(() => Task.FromResult(condition()), timeout, because);
}

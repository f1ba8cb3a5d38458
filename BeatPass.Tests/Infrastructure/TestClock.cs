using Microsoft.Extensions.Time.Testing;

namespace BeatPass.Tests.Infrastructure;

public static class TestClock
{
    /// <summary>
    /// A fake clock at the current time, cut to whole microseconds: PostgreSQL keeps times to the microsecond, so
    /// a time the test computes then equals the one read back, on either database.
    /// </summary>
    public static FakeTimeProvider Now()
    {
        var now = DateTimeOffset.UtcNow;
        return new FakeTimeProvider(now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMicrosecond)));
    }
}

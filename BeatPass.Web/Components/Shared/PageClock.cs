namespace BeatPass.Web.Components.Shared;

/// <summary>
/// One "now" for a circuit's pages, moved on every ten seconds. Relative times ("3 minutes ago") read it and re-render
/// on each tick, so they move on by themselves and every one on the page is measured from the same moment.
/// </summary>
public sealed class PageClock(TimeProvider time) : IDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    private readonly Lock _lock = new();
    private ITimer? _timer;
    private Action? _ticked;

    public DateTime Now { get; private set; } = time.GetUtcNow().UtcDateTime;

    /// <summary>Calls <paramref name="onTick"/> after each tick, until <see cref="Unsubscribe"/>.</summary>
    public void Subscribe(Action onTick)
    {
        lock (_lock)
        {
            _ticked += onTick;
            _timer ??= time.CreateTimer(_ => Tick(), null, Interval, Interval);
        }
    }

    public void Unsubscribe(Action onTick)
    {
        lock (_lock)
        {
            _ticked -= onTick;
        }
    }

    private void Tick()
    {
        Action? ticked;
        lock (_lock)
        {
            Now = time.GetUtcNow().UtcDateTime;
            ticked = _ticked;
        }

        ticked?.Invoke();
    }

    public void Dispose() => _timer?.Dispose();
}

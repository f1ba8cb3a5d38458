namespace BeatPass.Web.Components.Shared;

/// <summary>Lets a search box query once typing pauses, not on every keystroke.</summary>
public sealed class TypingPause(TimeSpan pause) : IDisposable
{
    private CancellationTokenSource? _pending;

    /// <summary>Waits for the pause; false when another keystroke (or disposal) came first.</summary>
    public async Task<bool> WaitAsync()
    {
        _pending?.Cancel();
        _pending?.Dispose();
        _pending = new CancellationTokenSource();
        try
        {
            await Task.Delay(pause, _pending.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        _pending?.Cancel();
        _pending?.Dispose();
        _pending = null;
    }
}

using System.Collections.Concurrent;

namespace BeatPass.Web.Identity;

/// <summary>
/// The sessions their own browser signed out of in the last two minutes, on this node (the proxy keeps a browser on the
/// node that holds its open tabs). An open tab of such a session goes to "Signed out" rather than to sign in: the tab
/// whose form signed out is already on its way there, and its re-check of the sign-in, finding the session ended, would
/// otherwise now and then send it to sign in instead.
/// </summary>
public sealed class RecentSignOuts(TimeProvider timeProvider)
{
    private static readonly TimeSpan Kept = TimeSpan.FromMinutes(2);

    private readonly ConcurrentDictionary<Guid, DateTimeOffset> _signedOutAt = new();

    public void Add(Guid sessionId)
    {
        var now = timeProvider.GetUtcNow();
        foreach (var (id, at) in _signedOutAt)
        {
            if (now - at > Kept)
            {
                _signedOutAt.TryRemove(id, out _);
            }
        }

        _signedOutAt[sessionId] = now;
    }

    public bool Contains(Guid sessionId) => _signedOutAt.TryGetValue(sessionId, out var at) && timeProvider.GetUtcNow() - at <= Kept;
}

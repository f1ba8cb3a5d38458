using System.Security.Claims;
using BeatPass.Core.Sessions;
using BeatPass.Web.Areas.Identity;
using Microsoft.AspNetCore.Components;

namespace BeatPass.Web.Identity;

/// <summary>
/// What an open page checks just before it changes something (deletes a token, grants or revokes access, ends a
/// session): that its sign-in session still exists. The periodic re-check (<see cref="IdentityRevalidatingAuthenticationStateProvider"/>)
/// closes a tab whose session ended within a minute; this closes the gap, so a tab left open after "Sign out of all
/// other sessions" or a password change can do nothing more.
/// </summary>
public sealed class LiveSession(UserSessionService sessions, NavigationManager navigation)
{
    /// <summary>True while the session exists; otherwise sends the page to sign in and returns false.</summary>
    public async Task<bool> EnsureAsync(ClaimsPrincipal principal)
    {
        if (principal.GetSessionId() is { } sessionId && await sessions.IsActiveAsync(sessionId))
        {
            return true;
        }

        navigation.NavigateTo(IdentityPages.Login, forceLoad: true);
        return false;
    }
}

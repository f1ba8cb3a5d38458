using System.Security.Claims;
using BeatPass.Core.Data;
using BeatPass.Core.Sessions;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace BeatPass.Web.Identity;

// Rechecks the signed-in user's session, security stamp and roles while a circuit is open, so an ended session, a
// signed-out-everywhere account, or a staff member who lost the role, does not keep working in an open tab for more
// than a minute.
internal sealed class IdentityRevalidatingAuthenticationStateProvider(
        ILoggerFactory loggerFactory,
        IServiceScopeFactory scopeFactory,
        IOptions<IdentityOptions> options,
        IOptions<SecurityOptions> security,
        RecentSignOuts signOuts)
    : RevalidatingServerAuthenticationStateProvider(loggerFactory)
{
    protected override TimeSpan RevalidationInterval { get; } = security.Value.CircuitRevalidationInterval;

    /// <summary>Whether the sign-in ended because its browser signed out (rather than a lapse, or another device).</summary>
    public bool SignedOutByItsBrowser { get; private set; }

    protected override async Task<bool> ValidateAuthenticationStateAsync(
        AuthenticationState authenticationState, CancellationToken cancellationToken)
    {
        // A new scope, so the user manager reads fresh data.
        await using var scope = scopeFactory.CreateAsyncScope();
        var userManager = scope.ServiceProvider.GetRequiredService<UserManager<BeatPassUser>>();
        var sessions = scope.ServiceProvider.GetRequiredService<UserSessionService>();
        if (authenticationState.User.GetSessionId() is not { } sessionId)
        {
            return false;
        }

        if (!await sessions.IsActiveAsync(sessionId, cancellationToken))
        {
            SignedOutByItsBrowser = signOuts.Contains(sessionId);
            return false;
        }

        return await IsCurrentAsync(userManager, options.Value, authenticationState.User);
    }

    /// <summary>Whether the principal still matches its account: same security stamp, same roles.</summary>
    internal static async Task<bool> IsCurrentAsync(UserManager<BeatPassUser> userManager, IdentityOptions options, ClaimsPrincipal principal)
    {
        var user = await userManager.GetUserAsync(principal);
        if (user is null)
        {
            return false;
        }

        var principalStamp = principal.FindFirstValue(options.ClaimsIdentity.SecurityStampClaimType);
        if (principalStamp != await userManager.GetSecurityStampAsync(user))
        {
            return false;
        }

        // Identity keeps the stamp when a role is removed, so compare the roles themselves.
        var principalRoles = principal.FindAll(options.ClaimsIdentity.RoleClaimType).Select(c => c.Value);
        return (await userManager.GetRolesAsync(user)).ToHashSet().SetEquals(principalRoles);
    }
}

using System.Security.Claims;

namespace BeatPass.Web.Identity;

public static class ClaimsPrincipalExtensions
{
    /// <summary>The signed-in account's id, from the sign-in cookie: never from anything the browser sends.</summary>
    public static string GetUserId(this ClaimsPrincipal user) =>
        user.FindFirstValue(ClaimTypes.NameIdentifier)
        ?? throw new InvalidOperationException("The signed-in user has no id claim.");

    /// <summary>The sign-in session this principal came from (see <see cref="DatabaseTicketStore"/>); null for other schemes.</summary>
    public static Guid? GetSessionId(this ClaimsPrincipal user) =>
        Guid.TryParse(user.FindFirstValue(DatabaseTicketStore.SessionIdClaimType), out var id) ? id : null;
}

using System.Security.Claims;

namespace BeatPass.Web.Components.Account;

public static class ClaimsPrincipalExtensions
{
    /// <summary>The signed-in account's id, from the sign-in cookie: never from anything the browser sends.</summary>
    public static string GetUserId(this ClaimsPrincipal user) =>
        user.FindFirstValue(ClaimTypes.NameIdentifier)
        ?? throw new InvalidOperationException("The signed-in user has no id claim.");
}

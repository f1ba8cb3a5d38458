using BeatPass.Web.Areas.Identity;
using Microsoft.AspNetCore.Components;

namespace BeatPass.Web.Components.Shared;

public static class AccessDenied
{
    /// <summary>
    /// Leaves a staff page whose service refused the account (its role was withdrawn while the page was open) the way
    /// a new request would: to the access-denied page, loaded afresh.
    /// </summary>
    public static void LeaveForAccessDenied(this NavigationManager navigation) =>
        navigation.NavigateTo(IdentityPages.AccessDenied, forceLoad: true);
}

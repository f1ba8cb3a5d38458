using BeatPass.Web.Areas.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;

namespace BeatPass.Web.Identity;

/// <summary>
/// Puts the Identity pages that change how the account is secured, or reveal a secret, behind "Confirm access"
/// (<see cref="SudoMode"/>): outside the window, the request goes to the confirmation page instead, which comes back
/// after. Checked on the server for every request to those pages, whatever page linked there. A form posted outside
/// the window does nothing; after confirming, the person is back on its page to send it again.
/// </summary>
public sealed class ConfirmAccessFilter(SudoMode sudo) : IAsyncPageFilter
{
    /// <summary>The guarded pages (paths in the Identity area), the methods guarded, and where to come back to.</summary>
    private static readonly Dictionary<string, (bool GetToo, string ReturnTo)> Guarded = new(StringComparer.OrdinalIgnoreCase)
    {
        ["/Account/Manage/EnableAuthenticator"] = (true, IdentityPages.EnableAuthenticator),
        ["/Account/Manage/ResetAuthenticator"] = (true, IdentityPages.ResetAuthenticator),
        ["/Account/Manage/GenerateRecoveryCodes"] = (true, IdentityPages.GenerateRecoveryCodes),
        ["/Account/Manage/DeletePersonalData"] = (true, IdentityPages.DeletePersonalData),
        ["/Account/Manage/DownloadPersonalData"] = (false, IdentityPages.PersonalData),
        // Changing the email is how a stolen cookie would take the account (the new address can reset the password).
        ["/Account/Manage/Email"] = (false, IdentityPages.Email),
    };

    public Task OnPageHandlerSelectionAsync(PageHandlerSelectedContext context) => Task.CompletedTask;

    public async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        var request = context.HttpContext.Request;
        if (context.ActionDescriptor.AreaName == "Identity"
            && Guarded.TryGetValue(context.ActionDescriptor.ViewEnginePath, out var guard)
            && (guard.GetToo || !HttpMethods.IsGet(request.Method))
            && !await sudo.IsActiveAsync(context.HttpContext.User))
        {
            // "~/" paths: local, and resolved under the app's path base.
            var returnTo = "~" + (HttpMethods.IsGet(request.Method) ? request.Path + request.QueryString : guard.ReturnTo);
            context.Result = new RedirectResult($"~{IdentityPages.ConfirmAccess}?returnUrl={Uri.EscapeDataString(returnTo)}");
            return;
        }

        await next();
    }
}

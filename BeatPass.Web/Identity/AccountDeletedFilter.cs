using BeatPass.Web.Areas.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;

namespace BeatPass.Web.Identity;

/// <summary>
/// Identity UI's "Delete data" signs the person out and sends them to the home page, which then says nothing of what
/// happened: send them to a page that says the account is deleted instead.
/// </summary>
public sealed class AccountDeletedFilter : IAsyncPageFilter
{
    public Task OnPageHandlerSelectionAsync(PageHandlerSelectedContext context) => Task.CompletedTask;

    public async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        var executed = await next();
        if (context.ActionDescriptor.AreaName == "Identity"
            && string.Equals(context.ActionDescriptor.ViewEnginePath, "/Account/Manage/DeletePersonalData", StringComparison.OrdinalIgnoreCase)
            && executed.Result is RedirectResult { Url: "~/" })
        {
            executed.Result = new RedirectResult("~" + IdentityPages.AccountDeleted);
        }
    }
}

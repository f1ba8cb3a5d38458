using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.Routing;

namespace BeatPass.Web.Security;

/// <summary>
/// Drops a <c>returnUrl</c> that points off this site before an Identity page sees it. The pages would refuse it
/// anyway (they redirect with <c>LocalRedirect</c>), but by throwing: a link with such an address answered 500. Without
/// it they go home, as after any sign-in.
/// </summary>
public sealed class LocalReturnUrlFilter : IAsyncPageFilter
{
    private const string ReturnUrl = "returnUrl";

    public Task OnPageHandlerSelectionAsync(PageHandlerSelectedContext context) => Task.CompletedTask;

    public Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        if (context.HandlerArguments.TryGetValue(ReturnUrl, out var value) && value is string returnUrl
            && !new UrlHelper(context).IsLocalUrl(returnUrl))
        {
            context.HandlerArguments[ReturnUrl] = null;
        }

        return next();
    }
}

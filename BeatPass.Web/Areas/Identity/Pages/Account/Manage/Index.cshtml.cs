using BeatPass.Web.Components;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace BeatPass.Web.Areas.Identity.Pages.Account.Manage;

/// <summary>Replaces the Identity UI's profile page with Account Settings' Profile section, so there is one of each.</summary>
public sealed class IndexModel : PageModel
{
    public IActionResult OnGet() => LocalRedirect(AppPages.AccountSettings);
}

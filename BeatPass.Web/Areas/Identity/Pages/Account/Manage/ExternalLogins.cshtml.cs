using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace BeatPass.Web.Areas.Identity.Pages.Account.Manage;

/// <summary>BeatPass offers no sign-in through other services, so the Identity UI's page for linking them is not there.</summary>
public sealed class ExternalLoginsModel : PageModel
{
    public IActionResult OnGet() => NotFound();

    public IActionResult OnPost() => NotFound();
}

namespace BeatPass.Web.Components;

/// <summary>
/// The addresses of BeatPass's own pages that other pages link to: their one home, beside <see cref="Areas.Identity.IdentityPages"/>.
/// Absolute, because the Identity UI pages have no <c>&lt;base href&gt;</c>. Each page's <c>@page</c> directive
/// names its route again, since Razor wants a literal there; a test checks that the two agree.
/// </summary>
public static class AppPages
{
    public const string AccountSettings = "/account/settings";
    public const string Developers = "/account/settings/developers";
    public const string ActiveSessions = "/account/settings/sessions";
    public const string Admin = "/admin/developer-access";

    /// <summary>The admin page's queue of access requests.</summary>
    public const string AdminRequests = Admin + "#requests";
    public const string ReportExposedToken = "/report-exposed-token";
}

namespace BeatPass.Web;

/// <summary>Section <c>App</c>.</summary>
public sealed class AppOptions
{
    public const string SectionName = "App";

    /// <summary>
    /// The address people reach BeatPass at, such as <c>https://settings.beatpass.ca</c>. Every link in an email is
    /// built from it, never from a request's Host header, which the sender of the request chooses.
    /// </summary>
    public Uri? PublicUrl { get; set; }

    public const string PublicUrlMissing = "Set App:PublicUrl to the address people reach BeatPass at, such as https://settings.beatpass.ca.";

    public bool IsValid => PublicUrl is { IsAbsoluteUri: true, Scheme: "http" or "https" };

    /// <summary>The absolute address of a path in this app, such as <c>/Identity/Account/ConfirmEmail?…</c>.</summary>
    public string Link(string pathAndQuery) => PublicUrl!.GetLeftPart(UriPartial.Authority) + PublicUrl.AbsolutePath.TrimEnd('/') + pathAndQuery;
}

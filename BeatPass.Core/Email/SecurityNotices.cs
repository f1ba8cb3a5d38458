using System.Globalization;

namespace BeatPass.Core.Email;

/// <summary>
/// The plain-text emails that tell an account holder about changes to their account and its API access. They carry no link or
/// button to act on (mail shaped like phishing trains people to click), except the notices of a leaked token, which ask
/// the holder to act and give the Developers page's plain address; never a token, and always the token's name, the time,
/// and what to do if it wasn't them.
/// </summary>
public static class SecurityNotices
{
    private const string WhereTokensLive = "Account Settings > Developers";

    public static OutgoingEmail TokenCreated(DateTime now, string to, string tokenName, IReadOnlyCollection<string> permissions) => Notice(now, to,
        "A new API token was created on your BeatPass account",
        $"The API token \"{tokenName}\" was created on your BeatPass account on {Time(now)}. It may: {string.Join(", ", permissions)}.",
        $"If this was you, there is nothing to do. If it wasn't, delete the token in {WhereTokensLive}, then change your password.");

    public static OutgoingEmail TokenRevokedForReuse(DateTime now, string to, string tokenName) => Notice(now, to,
        "An API token on your BeatPass account was revoked",
        $"On {Time(now)} an old copy of the API token \"{tokenName}\" was used: a secret the token had before it was rotated or regenerated. " +
        "Someone else may hold a copy of it, so BeatPass revoked the token. Neither its old nor its current secret works any more.",
        $"Find where the old copy was kept (a log, a repository, a shared file) and remove it. Then delete the token in {WhereTokensLive} " +
        "and create a new one for your app.");

    /// <param name="foundAt">Where GitHub found it, when it said.</param>
    /// <param name="developersPage">The Developers page's address: a leak asks the holder to act, so this notice links there.</param>
    public static OutgoingEmail TokenFoundInPublic(DateTime now, string to, string tokenName, string? foundAt, string developersPage) => Notice(now, to,
        "An API token on your BeatPass account was found in public and revoked",
        $"On {Time(now)} GitHub secret scanning found the API token \"{tokenName}\" of your BeatPass account in public{At(foundAt)}. " +
        "Anyone who saw it there could use it as you, so BeatPass revoked it: it no longer works.",
        "Remove the token from where it was found. Deleting it in a new commit leaves it in the repository's history, so treat anything " +
        "else that was committed with it (passwords, other keys) as known to others too. Then delete the revoked token and create a new " +
        "one for your app, kept out of code (in an environment variable or a secret store):",
        developersPage);

    public static OutgoingEmail TokenReportedAsExposed(DateTime now, string to, string tokenName, string developersPage) => Notice(now, to,
        "An API token on your BeatPass account was reported as exposed and revoked",
        $"On {Time(now)} someone reported the API token \"{tokenName}\" of your BeatPass account as exposed. " +
        "So that no one else can use it, BeatPass revoked it: it no longer works.",
        "Find where the token was kept (a repository, a log, a shared file) and remove it. Then delete the revoked token and create a " +
        "new one for your app. If you reported it yourself, that is all there is to do:",
        developersPage);

    /// <param name="retiredAt">When the old secret was replaced.</param>
    /// <param name="foundAt">Where GitHub found it; null for a report through the public revocation.</param>
    public static OutgoingEmail OldSecretReported(
        DateTime now, string to, string tokenName, DateTime retiredAt, bool byGitHub, string? foundAt, string developersPage) => Notice(now, to,
        "An old secret of an API token on your BeatPass account was found",
        (byGitHub
            ? $"On {Time(now)} GitHub secret scanning found an old secret of the API token \"{tokenName}\" of your BeatPass account in public{At(foundAt)}: "
            : $"On {Time(now)} someone reported an old secret of the API token \"{tokenName}\" of your BeatPass account as exposed: ") +
        $"the secret it had until it was rotated or regenerated on {Time(retiredAt)}. That secret no longer works, and the token's current " +
        "one was not reported, so the token still works.",
        "Remove the old secret from where it was kept. If the token's current secret was ever kept in the same place, regenerate the token:",
        developersPage);

    public static OutgoingEmail TokenRotated(DateTime now, string to, string tokenName) => Notice(now, to,
        "An API token on your BeatPass account was rotated",
        $"The API token \"{tokenName}\" on your BeatPass account gave itself a new secret through the API on {Time(now)}. Its old secret no longer works.",
        $"If your app rotates its token, there is nothing to do. If not, someone else may hold the token: delete it in {WhereTokensLive}, then change your password.");

    public static OutgoingEmail TokenRegenerated(DateTime now, string to, string tokenName) => Notice(now, to,
        "An API token on your BeatPass account was regenerated",
        $"The API token \"{tokenName}\" on your BeatPass account was given a new secret on {Time(now)}. The old secret no longer works.",
        $"If this was you, there is nothing to do. If it wasn't, delete the token in {WhereTokensLive}, then change your password.");

    public static OutgoingEmail TokenDeleted(DateTime now, string to, string tokenName) => Notice(now, to,
        "An API token was deleted from your BeatPass account",
        $"The API token \"{tokenName}\" was deleted from your BeatPass account on {Time(now)}. Apps that used it can no longer reach the BeatPass API.",
        $"If this was you, there is nothing to do. If it wasn't, change your password, and check the tokens left in {WhereTokensLive}.");

    public static OutgoingEmail DeveloperAccessGranted(DateTime now, string to) => Notice(now, to,
        "Your BeatPass account now has developer access",
        $"BeatPass staff gave your account developer access on {Time(now)}. You can now create API tokens in {WhereTokensLive}.",
        "No token exists until you create one. If you didn't ask for developer access, you can ignore this email.");

    public static OutgoingEmail DeveloperAccessRevoked(DateTime now, string to, IReadOnlyCollection<string> deletedTokenNames) => Notice(now, to,
        "Your BeatPass account no longer has developer access",
        $"BeatPass staff removed your account's developer access on {Time(now)}. " + (deletedTokenNames.Count == 0
            ? "Your account had no API tokens."
            : $"Its API tokens were deleted and no longer work: {string.Join(", ", deletedTokenNames.Select(n => $"\"{n}\""))}."),
        "If you think this is a mistake, contact BeatPass staff.");

    public static OutgoingEmail AccessRequestApproved(DateTime now, string to) => Notice(now, to,
        "Your request for developer access was approved",
        $"BeatPass staff approved your request for developer access on {Time(now)}. You can now create API tokens in {WhereTokensLive}.",
        "No token exists until you create one. If you didn't ask for developer access, you can ignore this email.");

    /// <param name="reason">What staff wrote, if anything.</param>
    /// <param name="askAgainFrom">When the account may ask again.</param>
    public static OutgoingEmail AccessRequestDeclined(DateTime now, string to, string? reason, DateTime askAgainFrom) => Notice(now, to,
        "Your request for developer access was declined",
        $"BeatPass staff declined your request for developer access on {Time(now)}." + (reason is null ? "" : $" The reason they gave: {reason}"),
        $"You can ask again from {Time(askAgainFrom)} in {WhereTokensLive}.");

    public static OutgoingEmail TokenRevokedByStaff(DateTime now, string to, string tokenName, string reason) => Notice(now, to,
        "An API token on your BeatPass account was revoked by BeatPass staff",
        $"BeatPass staff revoked the API token \"{tokenName}\" of your BeatPass account on {Time(now)}. It no longer works. The reason they gave: {reason}",
        $"If an app needs the BeatPass API, create a new token in {WhereTokensLive}. If you think this is a mistake, contact BeatPass staff.");

    /// <summary>
    /// To the staff address (<c>Developers:AccessRequestEmail</c>): a new request waits in the queue. Without the
    /// requester's text: words of theirs in BeatPass's own email, beside a link, could carry a link of their own.
    /// </summary>
    /// <param name="queue">The admin page's requests, where staff read and answer it.</param>
    public static OutgoingEmail AccessRequested(DateTime now, string to, string accountEmail, string queue) =>
        OutgoingEmail.Create(now, to, "A request for developer access is waiting", $"""
            Hello,

            {accountEmail} asked for developer access on {Time(now)}.

            Read what they will build, and approve or decline it, in the queue of requests:

            {queue}

            This is an automatic message from BeatPass.
            """);

    public static OutgoingEmail TokenExpiresSoon(DateTime now, string to, string tokenName, DateTime expiresAt, int days) => Notice(now, to,
        $"An API token on your BeatPass account expires in {(days == 1 ? "1 day" : $"{days} days")}",
        $"The API token \"{tokenName}\" on your BeatPass account expires on {Time(expiresAt)}. After that the BeatPass API refuses it.",
        $"To keep an app working, regenerate the token in {WhereTokensLive} (it keeps its name and gets a new secret) or create a new one. " +
        $"If you no longer use it, there is nothing to do. If you don't know this token, delete it in {WhereTokensLive}.");

    public static OutgoingEmail TokenExpired(DateTime now, string to, string tokenName, DateTime expiresAt) => Notice(now, to,
        "An API token on your BeatPass account has expired",
        $"The API token \"{tokenName}\" on your BeatPass account expired on {Time(expiresAt)}. The BeatPass API now refuses it.",
        $"To keep an app working, regenerate the token in {WhereTokensLive} or create a new one. If you don't know this token, delete it in {WhereTokensLive}.");

    private const string IfNotYouSignInDetails =
        "If this wasn't you, someone else can sign in to your account: change your password now, then use \"Sign out of all other sessions\" in Account Settings > Active Sessions.";

    public static OutgoingEmail PasswordChanged(DateTime now, string to) => Notice(now, to,
        "The password of your BeatPass account was changed",
        $"The password of your BeatPass account was changed on {Time(now)}.",
        "If this was you, there is nothing to do. If it wasn't, use \"Forgot your password?\" on the sign-in page to choose a new one, " +
        "then use \"Sign out of all other sessions\" in Account Settings > Active Sessions.");

    /// <param name="to">The address the account had until now: the one that must hear of the change.</param>
    /// <param name="contact">Where to write when it wasn't them (<c>Developers:AccessRequestEmail</c>).</param>
    public static OutgoingEmail EmailChanged(DateTime now, string to, string newEmail, string contact) => Notice(now, to,
        "The email of your BeatPass account was changed",
        $"The email of your BeatPass account was changed on {Time(now)}, from this address to {Mask(newEmail)}. " +
        "Emails about the account, and password resets, now go to the new address.",
        $"If this was you, there is nothing to do. If it wasn't, someone has taken over your account: write to {contact} from this " +
        "address, and BeatPass staff will give it back to you.");

    public static OutgoingEmail TwoFactorEnabled(DateTime now, string to) => Notice(now, to,
        "Two-factor authentication was turned on for your BeatPass account",
        $"Two-factor authentication was turned on for your BeatPass account on {Time(now)}: signing in now also asks for a code from an authenticator app.",
        IfNotYouSignInDetails);

    public static OutgoingEmail TwoFactorDisabled(DateTime now, string to) => Notice(now, to,
        "Two-factor authentication was turned off for your BeatPass account",
        $"Two-factor authentication was turned off for your BeatPass account on {Time(now)}: signing in now asks for the password only.",
        IfNotYouSignInDetails);

    public static OutgoingEmail RecoveryCodesRegenerated(DateTime now, string to) => Notice(now, to,
        "New recovery codes were made for your BeatPass account",
        $"New two-factor recovery codes were made for your BeatPass account on {Time(now)}. The old codes no longer work.",
        IfNotYouSignInDetails);

    public static OutgoingEmail AccountDeleted(DateTime now, string to) => Notice(now, to,
        "Your BeatPass account was deleted",
        $"Your BeatPass account, with its API tokens and personal data, was deleted on {Time(now)}. This cannot be undone.",
        "If this was you, there is nothing to do. If it wasn't, someone had your password and a signed-in browser: write to BeatPass staff.");

    public static OutgoingEmail NewBrowserSignIn(DateTime now, string to, string browser, string fromAddress) => Notice(now, to,
        "New sign-in to your BeatPass account",
        $"Your BeatPass account was signed in to from a browser it had not used before, on {Time(now)}: {browser}, from {fromAddress}.",
        IfNotYouSignInDetails);

    public static OutgoingEmail SignInPaused(DateTime now, string to, string fromAddress, TimeSpan pause) => Notice(now, to,
        "Wrong passwords were tried on your BeatPass account",
        $"On {Time(now)}, wrong passwords for your BeatPass account were tried from {fromAddress}, so signing in with your email " +
        $"from there is paused for {pause.TotalMinutes:0} minutes. Signing in from your own devices and networks goes on as usual.",
        "If this was you, wait, or choose a new password with \"Forgot your password?\" on the sign-in page. If it wasn't, your password " +
        "was not guessed; if it is one you use elsewhere too, change it.");

    /// <summary>An address as a notice shows it: enough to recognise, not enough to harvest ("a•••@example.com").</summary>
    public static string Mask(string email) => email.LastIndexOf('@') is var at and > 0
        ? $"{email[0]}•••{email[at..]}"
        : "•••";

    /// <summary>A time as every reader can place it, whatever their zone: "Sat, 28 Nov 2026 07:45 UTC".</summary>
    public static string Time(DateTime utc) => utc.ToString("ddd, d MMM yyyy HH:mm 'UTC'", CultureInfo.InvariantCulture);

    // ", at https://github.com/…" when the reporter said where.
    private static string At(string? foundAt) => foundAt is null ? "" : $", at {foundAt}";

    /// <summary>A notice that asks the holder to act on their Developers page, and so links to it.</summary>
    private static OutgoingEmail Notice(DateTime now, string to, string subject, string what, string whatToDo, string developersPage) =>
        OutgoingEmail.Create(now, to, subject, $"""
            Hello,

            {what}

            {whatToDo}

            {developersPage}

            This is an automatic security notice from BeatPass. The link goes to Account Settings > Developers; you can also sign in to BeatPass as you usually do and go there.
            """);

    private static OutgoingEmail Notice(DateTime now, string to, string subject, string what, string ifNotYou) =>
        OutgoingEmail.Create(now, to, subject, $"""
            Hello,

            {what}

            {ifNotYou}

            This is an automatic security notice from BeatPass. It contains no link: to act on it, sign in to BeatPass as you usually do.
            """);
}

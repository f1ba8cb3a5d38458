namespace BeatPass.Core.Audit;

/// <summary>
/// Who did something the audit log records: an account (its holder, or a staff member acting on it), or BeatPass
/// itself, such as a leak report or a background job, which no person did. An account acting through the API also
/// names the token it used.
/// </summary>
public readonly record struct Actor
{
    /// <summary>How the audit log's actor column starts for BeatPass itself.</summary>
    public const string SystemPrefix = "system:";

    private Actor(string id, string? tokenName = null)
    {
        Id = id;
        TokenName = tokenName;
    }

    /// <summary>What the audit log stores: the account's user id, or <c>system:</c> and the system actor's name.</summary>
    public string Id { get; }

    /// <summary>The API token the account acted through; null on a page.</summary>
    public string? TokenName { get; }

    public bool IsSystem => Id.StartsWith(SystemPrefix, StringComparison.Ordinal);

    public static Actor Account(string userId) => new(userId);

    /// <summary>An account acting through one of its API tokens.</summary>
    public static Actor Token(string userId, string tokenName) => new(userId, tokenName);

    /// <summary>An account on a page (<paramref name="viaTokenName"/> null) or through that API token.</summary>
    public static Actor Acting(string userId, string? viaTokenName) => new(userId, viaTokenName);

    /// <summary>BeatPass itself, named after what acted (<c>reused-secret</c>, <c>sign-in-limit</c>).</summary>
    public static Actor System(string name) => new(SystemPrefix + name);

    /// <summary>A secret a token had before a rotation, presented again.</summary>
    public static Actor ReusedSecret { get; } = System("reused-secret");

    /// <summary>The pause after wrong passwords.</summary>
    public static Actor SignInLimit { get; } = System("sign-in-limit");

    /// <summary>A GitHub secret-scanning alert: GitHub found a token in public and told BeatPass.</summary>
    public static Actor GitHubSecretScanning { get; } = System("github-secret-scanning");

    /// <summary>Someone, signed in or not, who reported tokens as exposed through the public revocation.</summary>
    public static Actor PublicReport { get; } = System("public-report");

    /// <summary>Whoever runs the app's commands (<c>add-service</c>): they run the installation.</summary>
    public static Actor CommandLine { get; } = System("command-line");

    private static readonly Dictionary<string, string> SystemNames = new()
    {
        [ReusedSecret.Id] = "BeatPass (an old secret was used again)",
        [SignInLimit.Id] = "BeatPass (sign-in limit)",
        [GitHubSecretScanning.Id] = "GitHub secret scanning",
        [PublicReport.Id] = "Public revocation (someone who had the token)",
        [CommandLine.Id] = "BeatPass command line",
    };

    /// <summary>An actor as staff read it: an account's email (or id) as given, BeatPass itself in words.</summary>
    public static string Describe(string actor) =>
        !actor.StartsWith(SystemPrefix, StringComparison.Ordinal) ? actor : SystemNames.GetValueOrDefault(actor, "BeatPass");
}

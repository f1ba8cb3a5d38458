using System.Text.RegularExpressions;

namespace BeatPass.Core.ApiTokens;

/// <summary>
/// Something a token may do, named <c>area:action</c>. A token holds the permissions its holder chose at creation,
/// for its whole life; a staff-only one works only while the holder is staff.
/// </summary>
/// <param name="Area">Where the dialog groups it, e.g. "Tokens".</param>
/// <param name="Description">One line: what it lets a token do.</param>
/// <param name="StaffOnly">Only members of the Staff role may hold it.</param>
public sealed record ApiPermission(string Name, string Area, string Description, bool StaffOnly = false)
{
    /// <summary>Anything but a read changes something; the dialog marks these.</summary>
    public bool IsWrite => !Name.EndsWith(":read", StringComparison.Ordinal);
}

/// <summary>The built-in permissions, by name. None lets a token create tokens or touch the account's sign-in.</summary>
public static class ApiPermissions
{
    public const string AccountRead = "account:read";
    public const string TokensRead = "tokens:read";
    public const string TokensRotateSelf = "tokens:rotate-self";
    public const string SecurityLogRead = "security-log:read";
    public const string DeveloperAccessRead = "developer-access:read";
    public const string DeveloperAccessWrite = "developer-access:write";

    /// <summary>Checked by default in the dialog; what every token made before permissions existed holds.</summary>
    public const string Default = AccountRead;

    public static IReadOnlyList<ApiPermission> BuiltIn { get; } =
    [
        new(AccountRead, "Account", "Read your account's id, user name and email."),
        new(TokensRead, "Tokens", "List your API tokens and read their details (never their secrets)."),
        new(TokensRotateSelf, "Tokens", "Replace this token's own secret with a new one."),
        new(SecurityLogRead, "Security log", "Read your account's security log."),
        new(DeveloperAccessRead, "Developer access", "List accounts and read the audit log.", StaffOnly: true),
        new(DeveloperAccessWrite, "Developer access", "Grant and revoke accounts' developer access.", StaffOnly: true),
    ];
}

/// <summary>
/// Every permission a token can hold, in the order the dialog offers them, and the one place that checks a choice
/// of them. Tokens store their permissions as names separated by spaces, in this order (also the
/// <c>X-Token-Permissions</c> header's form).
/// </summary>
public sealed partial class ApiPermissionCatalog
{
    public const string NoneChosenMessage = "Choose at least one permission.";

    private readonly Dictionary<string, int> _order;

    public ApiPermissionCatalog(IEnumerable<ApiPermission> permissions)
    {
        All = permissions.ToList();
        _order = All.Select((permission, index) => (permission.Name, index)).ToDictionary(p => p.Name, p => p.index, StringComparer.Ordinal);
    }

    public static ApiPermissionCatalog BuiltIn { get; } = new(ApiPermissions.BuiltIn);

    /// <summary>The built-in permissions, then those other services declared (<c>ApiTokens:ExtraPermissions</c>), checked first.</summary>
    public static ApiPermissionCatalog WithExtra(IReadOnlyList<ExtraApiPermission> extra) => Problems(extra) is [var first, ..]
        ? throw new InvalidOperationException(first)
        : new([.. ApiPermissions.BuiltIn, .. extra.Select(p => new ApiPermission(p.Name!, p.Area!.Trim(), p.Description!.Trim(), p.StaffOnly))]);

    /// <summary>What is wrong with the declared permissions, one message per entry at fault, each naming it.</summary>
    public static IReadOnlyList<string> Problems(IReadOnlyList<ExtraApiPermission> extra)
    {
        var problems = new List<string>();
        var seen = new HashSet<string>(ApiPermissions.BuiltIn.Select(p => p.Name), StringComparer.Ordinal);
        for (var index = 0; index < extra.Count; index++)
        {
            var permission = extra[index];
            var entry = $"{ApiTokenOptions.SectionName}:{nameof(ApiTokenOptions.ExtraPermissions)}:{index}";
            var problem = permission.Name switch
            {
                null or "" => "has no Name.",
                var name when !NamePattern().IsMatch(name) =>
                    $"Name \"{Printable(name)}\" is not area:action (lower-case letters, digits and dashes, each part starting with a letter).",
                var name when ApiPermissions.BuiltIn.Any(p => p.Name == name) => $"Name \"{name}\" is a built-in permission.",
                var name when !seen.Add(name) => $"Name \"{name}\" is declared twice.",
                _ when string.IsNullOrWhiteSpace(permission.Area) => $"\"{permission.Name}\" has no Area (where \"Create new token\" groups it).",
                _ when string.IsNullOrWhiteSpace(permission.Description) => $"\"{permission.Name}\" has no Description.",
                _ when permission.Area!.Any(char.IsControl) || permission.Description!.Any(char.IsControl) =>
                    $"\"{permission.Name}\" has control characters in its Area or Description.",
                _ => null,
            };
            if (problem is not null)
            {
                problems.Add($"{entry} {problem}");
            }
        }

        return problems;
    }

    public IReadOnlyList<ApiPermission> All { get; }

    /// <summary><c>area:action</c>: lower-case letters, digits and dashes, each part starting with a letter.</summary>
    [GeneratedRegex("^[a-z][a-z0-9-]*:[a-z][a-z0-9-]*$")]
    public static partial Regex NamePattern();

    public ApiPermission? Find(string name) => _order.TryGetValue(name, out var index) ? All[index] : null;

    /// <summary>What an account may give its tokens: everything, or everything but the staff-only permissions.</summary>
    public IEnumerable<ApiPermission> OfferedTo(bool isStaff) => All.Where(p => isStaff || !p.StaffOnly);

    /// <summary>
    /// Checks a holder's choice: at least one, every name known, staff-only ones only for staff. Gives the choice in
    /// stored form (catalog order, no repeats, separated by spaces), or the message that says what is wrong.
    /// </summary>
    public bool TryNormalize(IEnumerable<string>? names, bool isStaff, out string permissions, out string error)
    {
        permissions = "";
        error = "";
        var chosen = new SortedSet<int>();
        foreach (var name in names ?? [])
        {
            var trimmed = name.Trim();
            if (trimmed.Length == 0)
            {
                continue;
            }

            if (!_order.TryGetValue(trimmed, out var index))
            {
                error = $"There is no permission called \"{Printable(trimmed)}\".";
                return false;
            }

            if (All[index].StaffOnly && !isStaff)
            {
                error = $"Only BeatPass staff can give a token {trimmed}.";
                return false;
            }

            chosen.Add(index);
        }

        if (chosen.Count == 0)
        {
            error = NoneChosenMessage;
            return false;
        }

        permissions = string.Join(' ', chosen.Select(index => All[index].Name));
        return true;
    }

    /// <summary>
    /// Of a token's stored permissions, those that work now: staff-only ones only while the holder is staff, and
    /// none that this installation no longer knows. In stored form.
    /// </summary>
    public string Effective(string permissions, bool isStaff)
    {
        var names = Split(permissions);
        var working = names.Where(name => Find(name) is { } permission && (isStaff || !permission.StaffOnly)).ToArray();
        return working.Length == names.Length ? permissions : string.Join(' ', working);
    }

    /// <summary>The names in a stored (or header) value.</summary>
    public static string[] Split(string permissions) => permissions.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>True when the stored (or header) value <paramref name="permissions"/> holds <paramref name="name"/>.</summary>
    public static bool Holds(string permissions, string name)
    {
        // Names never contain spaces, so a match bounded by spaces (or the ends) is a whole name.
        var at = 0;
        while ((at = permissions.IndexOf(name, at, StringComparison.Ordinal)) >= 0)
        {
            var end = at + name.Length;
            if ((at == 0 || permissions[at - 1] == ' ') && (end == permissions.Length || permissions[end] == ' '))
            {
                return true;
            }

            at = end;
        }

        return false;
    }

    // A name the holder did not type (a crafted link) is echoed without control characters, and not at length.
    private static string Printable(string name)
    {
        var clean = new string(name.Where(c => !char.IsControl(c)).Take(60).ToArray());
        return clean.Length < name.Length ? clean + "…" : clean;
    }
}

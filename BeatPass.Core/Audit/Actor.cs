namespace BeatPass.Core.Audit;

/// <summary>
/// Who did something the audit log records: an account (its holder, or a staff member acting on it), or BeatPass
/// itself, such as a leak report or a background job, which no person did.
/// </summary>
public readonly record struct Actor
{
    private const string SystemPrefix = "system:";

    private Actor(string id) => Id = id;

    /// <summary>What the audit log stores: the account's user id, or <c>system:</c> and the system actor's name.</summary>
    public string Id { get; }

    public bool IsSystem => Id.StartsWith(SystemPrefix, StringComparison.Ordinal);

    public static Actor Account(string userId) => new(userId);

    /// <summary>BeatPass itself, named after what acted (<c>leak-report</c>, <c>token-expiry</c>).</summary>
    public static Actor System(string name) => new(SystemPrefix + name);
}

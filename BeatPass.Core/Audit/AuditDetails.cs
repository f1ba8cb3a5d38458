namespace BeatPass.Core.Audit;

/// <summary>An audit event's particulars in one line of words, for the API and the staff page.</summary>
public static class AuditDetails
{
    /// <summary>E.g. <c>Token "CI". Permissions: account:read. Through the API with token "Admin script".</c>; empty when there is nothing to say.</summary>
    public static string Describe(string? tokenName, string? detail, string? viaTokenName)
    {
        var parts = new List<string>(3);
        if (tokenName is not null)
        {
            parts.Add($"Token \"{tokenName}\".");
        }

        if (detail is not null)
        {
            parts.Add(detail.EndsWith('.') ? detail : detail + ".");
        }

        if (viaTokenName is not null)
        {
            parts.Add($"Through the API with token \"{viaTokenName}\".");
        }

        return string.Join(' ', parts);
    }
}

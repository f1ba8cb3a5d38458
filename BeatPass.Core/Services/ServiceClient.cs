namespace BeatPass.Core.Services;

/// <summary>
/// Another BeatPass service, registered by staff, that may ask this app about tokens (<c>POST /oauth/introspect</c>).
/// It signs in with its client id and secret; only the SHA-256 of the secret is stored, as for tokens.
/// </summary>
public sealed class ServiceClient
{
    public Guid Id { get; set; }

    /// <summary>Lower-case letters, digits and dashes (<see cref="ServiceClientFormat.NamePattern"/>), unique.</summary>
    public required string Name { get; set; }

    /// <summary><c>bpsc_…</c>: names the service, not secret.</summary>
    public required string ClientId { get; set; }

    /// <summary>The SHA-256 of the secret (<c>bpss_…</c>).</summary>
    public required byte[] SecretHash { get; set; }

    public DateTime CreatedAt { get; set; }

    /// <summary>When it last introspected a token, written at most once a minute.</summary>
    public DateTime? LastUsedAt { get; set; }
}

namespace BeatPass.Web.Security;

/// <summary>
/// Section <c>DataProtection</c>: the certificate that encrypts the shared Data Protection key ring at rest. Every
/// node needs the same one. Without it the keys are stored as they are.
/// </summary>
public sealed class DataProtectionCertificateOptions
{
    public const string SectionName = "DataProtection";

    /// <summary>A PFX file.</summary>
    public string? CertificatePath { get; set; }

    public string? CertificatePassword { get; set; }
}

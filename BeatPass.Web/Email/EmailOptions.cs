using MailKit.Security;

namespace BeatPass.Web.Email;

/// <summary>How email leaves BeatPass (section <c>Email</c>).</summary>
public sealed class EmailOptions
{
    public const string SectionName = "Email";

    /// <summary><c>Smtp</c> sends through <see cref="Smtp"/>; <c>Pickup</c> writes <c>.eml</c> files to <see cref="PickupDirectory"/>.</summary>
    public EmailDelivery? Delivery { get; set; }

    /// <summary>The sender, such as <c>BeatPass &lt;no-reply@beatpass.ca&gt;</c>.</summary>
    public string? From { get; set; }

    public SmtpSettings Smtp { get; set; } = new();

    /// <summary>Where <c>Pickup</c> writes; relative to the content root unless absolute.</summary>
    public string? PickupDirectory { get; set; }

    /// <summary>Deliveries tried before a message is given up on (with a logged error).</summary>
    public int MaxAttempts { get; set; } = 8;

    /// <summary>The wait after the first failed delivery; it doubles after each further one.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    public sealed class SmtpSettings
    {
        public string? Host { get; set; }

        public int Port { get; set; } = 587;

        public string? UserName { get; set; }

        public string? Password { get; set; }

        /// <summary>
        /// <c>StartTls</c> (the default: refuse a server that can't), <c>SslOnConnect</c> (port 465),
        /// <c>StartTlsWhenAvailable</c>, <c>Auto</c>, or <c>None</c> (a relay on this machine).
        /// </summary>
        public SecureSocketOptions TlsMode { get; set; } = SecureSocketOptions.StartTls;
    }
}

public enum EmailDelivery
{
    Smtp,
    Pickup,
}

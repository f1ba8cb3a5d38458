using Microsoft.Extensions.Options;
using MimeKit;

namespace BeatPass.Web.Email;

/// <summary>Checked at start: the app refuses to run with email it could not send.</summary>
internal sealed class EmailOptionsValidator : IValidateOptions<EmailOptions>
{
    public const string NotConfigured = "Email is not configured, so BeatPass could not send confirmation or password reset links. " +
        "Set Email:Delivery (Smtp or Pickup), Email:From, and Email:Smtp:Host (with Email:Smtp:Port, Email:Smtp:UserName " +
        "and Email:Smtp:Password as your server needs) or Email:PickupDirectory.";

    public ValidateOptionsResult Validate(string? name, EmailOptions options)
    {
        if (options.Delivery is null)
        {
            return ValidateOptionsResult.Fail(NotConfigured);
        }

        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.From) || !MailboxAddress.TryParse(options.From, out _))
        {
            failures.Add("Set Email:From to the sender's address, such as \"BeatPass <no-reply@example.com>\".");
        }

        if (options.Delivery == EmailDelivery.Smtp)
        {
            if (string.IsNullOrWhiteSpace(options.Smtp.Host))
            {
                failures.Add("Set Email:Smtp:Host to the SMTP server's name.");
            }

            if (options.Smtp.Port is < 1 or > 65535)
            {
                failures.Add("Set Email:Smtp:Port to a port from 1 to 65535.");
            }

            if (string.IsNullOrEmpty(options.Smtp.UserName) != string.IsNullOrEmpty(options.Smtp.Password))
            {
                failures.Add("Set both Email:Smtp:UserName and Email:Smtp:Password, or neither.");
            }
        }
        else if (string.IsNullOrWhiteSpace(options.PickupDirectory))
        {
            failures.Add("Set Email:PickupDirectory to the folder Pickup writes .eml files to.");
        }

        if (options.MaxAttempts < 1 || options.RetryDelay <= TimeSpan.Zero)
        {
            failures.Add("Email:MaxAttempts must be at least 1 and Email:RetryDelay more than zero.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

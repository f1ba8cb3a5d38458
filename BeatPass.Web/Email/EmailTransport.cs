using BeatPass.Core.Email;
using MailKit.Net.Smtp;
using Microsoft.Extensions.Options;
using MimeKit;
using MimeKit.Text;

namespace BeatPass.Web.Email;

/// <summary>Hands one message to the SMTP server, or writes it to the pickup folder, as <c>Email:Delivery</c> says.</summary>
public sealed class EmailTransport(IOptions<EmailOptions> options, IHostEnvironment environment, ILogger<EmailTransport> logger)
{
    public async Task SendAsync(OutgoingEmail email, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        using var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(settings.From!)); // validated at start
        message.To.Add(MailboxAddress.Parse(email.To));
        message.Subject = email.Subject;
        message.Date = new DateTimeOffset(email.CreatedAt);
        message.Body = new TextPart(email.IsHtml ? TextFormat.Html : TextFormat.Plain) { Text = email.Body };

        if (settings.Delivery == EmailDelivery.Pickup)
        {
            var directory = Path.Combine(environment.ContentRootPath, settings.PickupDirectory!);
            Directory.CreateDirectory(directory);
            var path = Path.Combine(directory, $"{email.CreatedAt:yyyyMMdd-HHmmss}-{email.Id}.eml");
            await message.WriteToAsync(path, cancellationToken);
            logger.LogInformation("Wrote email {EmailId} \"{Subject}\" to {Path}", email.Id, email.Subject, path);
            return;
        }

        using var client = new SmtpClient { Timeout = (int)TimeSpan.FromSeconds(30).TotalMilliseconds };
        await client.ConnectAsync(settings.Smtp.Host!, settings.Smtp.Port, settings.Smtp.TlsMode, cancellationToken);
        if (!string.IsNullOrEmpty(settings.Smtp.UserName))
        {
            await client.AuthenticateAsync(settings.Smtp.UserName, settings.Smtp.Password!, cancellationToken);
        }

        await client.SendAsync(message, cancellationToken);
        await client.DisconnectAsync(quit: true, cancellationToken);
        logger.LogInformation("Sent email {EmailId} \"{Subject}\"", email.Id, email.Subject);
    }
}

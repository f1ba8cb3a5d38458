using BeatPass.Core.Email;
using Microsoft.AspNetCore.Identity.UI.Services;

namespace BeatPass.Web.Email;

/// <summary>The Identity UI's sender: queues the message in the outbox, and <see cref="EmailDeliveryService"/> sends it.</summary>
public sealed class OutboxEmailSender(EmailOutbox outbox) : IEmailSender
{
    public Task SendEmailAsync(string email, string subject, string htmlMessage) =>
        outbox.EnqueueAsync(email, subject, htmlMessage, isHtml: true);
}

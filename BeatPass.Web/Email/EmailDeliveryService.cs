using System.Diagnostics;
using BeatPass.Core;
using BeatPass.Core.Email;
using Microsoft.Extensions.Options;

namespace BeatPass.Web.Email;

/// <summary>
/// Sends what waits in the <see cref="EmailOutbox"/>, in the background, so no request waits for a mail server or
/// fails with it. A failed delivery is tried again after <see cref="EmailOptions.RetryDelay"/>, doubling each time,
/// up to <see cref="EmailOptions.MaxAttempts"/>; then an error is logged and the message dropped.
/// </summary>
public sealed class EmailDeliveryService(
    EmailOutbox outbox,
    OutgoingEmailSignal newMail,
    EmailTransport transport,
    IOptions<EmailOptions> options,
    TimeProvider timeProvider,
    BeatPassMetrics metrics,
    ILogger<EmailDeliveryService> logger) : BackgroundService
{
    /// <summary>The traces of deliveries (one span per attempt), beside ASP.NET Core's and EF Core's.</summary>
    public static readonly ActivitySource Traces = new("BeatPass.Email");

    // What the outbox held after the last delivery round: read by the pending gauge, which cannot query.
    private int _pending;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        metrics.ObserveGauge("beatpass.email.outbox.pending", "{email}", "Emails waiting in the outbox, as of the last delivery round.",
            () => Volatile.Read(ref _pending));
        return base.StartAsync(cancellationToken);
    }

    /// <summary>How long a taken message stays hidden from other senders; longer than any one delivery can take.</summary>
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);

    /// <summary>The longest nap between looks at the outbox, for mail queued by another node.</summary>
    private static readonly TimeSpan MaxNap = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                newMail.Clear();
                while (await outbox.TakeDueAsync(Lease, max: 20, stoppingToken) is { Count: > 0 } batch)
                {
                    foreach (var email in batch)
                    {
                        await DeliverAsync(email, stoppingToken);
                    }
                }

                Volatile.Write(ref _pending, await outbox.CountAsync(stoppingToken));
                await NapAsync(await outbox.NextDueAtAsync(stoppingToken), stoppingToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                logger.LogError(exception, "The email outbox could not be read; trying again in a minute");
                await NapAsync(null, stoppingToken);
            }
        }
    }

    private async Task DeliverAsync(OutgoingEmail email, CancellationToken stoppingToken)
    {
        // The span names the message by its id only: never its address, subject or body.
        using var activity = Traces.StartActivity("email send");
        activity?.SetTag("beatpass.email.id", email.Id);
        activity?.SetTag("beatpass.email.attempt", email.Attempts);
        try
        {
            await transport.SendAsync(email, stoppingToken);
            await outbox.RemoveAsync(email.Id, stoppingToken);
            metrics.EmailSent();
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            metrics.EmailAttemptFailed();
            activity?.SetStatus(ActivityStatusCode.Error, exception.GetType().Name);
            var settings = options.Value;
            if (email.Attempts >= settings.MaxAttempts)
            {
                logger.LogError(exception, "Gave up on email {EmailId} \"{Subject}\" to {Recipient} after {Attempts} failed deliveries",
                    email.Id, email.Subject, email.To, email.Attempts);
                await outbox.RemoveAsync(email.Id, stoppingToken);
                return;
            }

            var delay = settings.RetryDelay * Math.Pow(2, email.Attempts - 1);
            logger.LogWarning("Delivery {Attempt} of email {EmailId} failed ({Reason}); trying again in {Delay}",
                email.Attempts, email.Id, exception.Message, delay);
            await outbox.RetryLaterAsync(email.Id, delay, stoppingToken);
        }
    }

    /// <summary>Waits until new mail is queued here, the next retry is due, or <see cref="MaxNap"/> has passed.</summary>
    private async Task NapAsync(DateTime? nextDueAt, CancellationToken stoppingToken)
    {
        var untilDue = nextDueAt is { } due ? due - timeProvider.GetUtcNow().UtcDateTime : MaxNap;
        var nap = untilDue < TimeSpan.Zero ? TimeSpan.Zero : untilDue > MaxNap ? MaxNap : untilDue;
        using var napOver = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var mail = newMail.WaitAsync(napOver.Token).AsTask();
        await Task.WhenAny(mail, Task.Delay(nap, timeProvider, napOver.Token));
        await napOver.CancelAsync();
        stoppingToken.ThrowIfCancellationRequested();
    }
}

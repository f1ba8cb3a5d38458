using System.Net;
using BeatPass.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using BeatPass.Web.Areas.Identity;

namespace BeatPass.Tests.Email;

/// <summary>A mail server that is down: the user's action still succeeds, delivery is retried, and giving up is logged.</summary>
public sealed class EmailDeliveryTests
{
    [Fact]
    public async Task With_the_mail_server_down_registering_still_succeeds_and_the_email_arrives_once_the_server_is_back()
    {
        await using var app = new MailServerDownAppFactory(maxAttempts: 8);
        await app.InitializeAsync();
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var email = $"patient-{Guid.NewGuid():N}@example.com";

        var response = await IdentityForms.PostAsync(client, IdentityPages.Register, new()
        {
            ["Input.Email"] = email,
            ["Input.Password"] = BeatPassAppFactory.Password,
            ["Input.ConfirmPassword"] = BeatPassAppFactory.Password,
        });

        response.StatusCode.Should().Be(HttpStatusCode.Redirect);
        response.Headers.Location!.ToString().Should().Contain("RegisterConfirmation");
        (await client.GetAsync(response.Headers.Location)).StatusCode.Should().Be(HttpStatusCode.OK);
        await app.WaitForLogAsync(LogLevel.Warning, "Delivery 1 of email");
        (await app.WithDbAsync(db => db.OutgoingEmails.SingleAsync())).Attempts.Should().Be(1);

        await using var server = await TestSmtpServer.StartAsync(app.DeadPort);
        await app.LetRetryTimePassUntilAsync(() => server.MessagesTo(email).Count > 0);

        (await server.WaitForMessageAsync(email)).Subject.Should().Be("Confirm your BeatPass account");
        await app.WaitForOutboxEmptyAsync();
    }

    [Fact]
    public async Task A_message_that_can_never_be_delivered_is_given_up_with_an_error_naming_it()
    {
        await using var app = new MailServerDownAppFactory(maxAttempts: 2);
        await app.InitializeAsync();
        var user = await app.CreateUserAsync();

        var created = await app.WithTokenServiceAsync(tokens => tokens.CreateAsync(user.Id, "Unlucky"));

        created.Succeeded.Should().BeTrue("a mail server that is down never loses the user's action");
        await app.WaitForLogAsync(LogLevel.Warning, "Delivery 1 of email");
        await app.LetRetryTimePassUntilAsync(() => app.Logs.Entries.Any(e => e.Level == LogLevel.Error && e.Message.Contains("Gave up on email")));
        var error = await app.WaitForLogAsync(LogLevel.Error, "Gave up on email");
        error.Message.Should().Contain("A new API token was created on your BeatPass account").And.Contain(user.Email!).And.Contain("2 failed deliveries");
        await app.WaitForOutboxEmptyAsync();
    }

    /// <summary>The app with its SMTP settings pointing at a port nothing listens on, until a test starts a server there.</summary>
    private sealed class MailServerDownAppFactory(int maxAttempts) : BeatPassAppFactory
    {
        public int DeadPort { get; } = LoopbackPorts.Free();

        protected override int SmtpPort => DeadPort;

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Email:MaxAttempts", maxAttempts.ToString());
            builder.UseSetting("Email:RetryDelay", "00:00:30");
        }

        public async Task<CapturedLog> WaitForLogAsync(LogLevel level, string text)
        {
            CapturedLog? entry = null;
            await Wait.UntilAsync(() => (entry = Logs.Entries.FirstOrDefault(e => e.Level == level && e.Message.Contains(text))) is not null,
                TimeSpan.FromSeconds(15), $"a {level} line saying \"{text}\" should be logged");
            return entry!;
        }

        /// <summary>
        /// Moves the fake clock on by one retry delay at a time until <paramref name="done"/>. One step is not enough to
        /// count on: the warning is logged before the retry is scheduled, so a step taken in between is one the retry
        /// never sees, and it waits for the next.
        /// </summary>
        public Task LetRetryTimePassUntilAsync(Func<bool> done) => Wait.UntilAsync(() =>
        {
            if (done())
            {
                return true;
            }

            Time.Advance(TimeSpan.FromSeconds(30));
            return false;
        }, TimeSpan.FromSeconds(15), "the retry should run");

        public Task WaitForOutboxEmptyAsync() =>
            Wait.UntilAsync(async () => !await WithDbAsync(db => db.OutgoingEmails.AnyAsync()), TimeSpan.FromSeconds(15), "the outbox should empty");
    }
}

using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using MimeKit;
using SmtpServer;
using SmtpServer.Net;
using SmtpServer.Protocol;
using SmtpServer.Storage;
using SmtpServerHost = SmtpServer.SmtpServer;
using SmtpServices = SmtpServer.ComponentModel.ServiceProvider;

namespace BeatPass.Tests.Infrastructure;

/// <summary>A real SMTP server (the SmtpServer package) on 127.0.0.1 that keeps every message it receives.</summary>
public sealed class TestSmtpServer : IAsyncDisposable
{
    private readonly SmtpServerHost _server;
    private readonly Task _running;
    private readonly ConcurrentQueue<MimeMessage> _received;

    private TestSmtpServer(SmtpServerHost server, Task running, ConcurrentQueue<MimeMessage> received, int port)
    {
        _server = server;
        _running = running;
        _received = received;
        Port = port;
    }

    public int Port { get; }

    public IReadOnlyList<MimeMessage> Messages => [.. _received];

    /// <summary>Starts listening, on <paramref name="port"/> or a free one, and returns once it accepts connections.</summary>
    public static async Task<TestSmtpServer> StartAsync(int port = 0)
    {
        var received = new ConcurrentQueue<MimeMessage>();
        var listeners = new EndpointListenerFactory();
        var bound = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        listeners.EndpointStarted += (_, e) => bound.TrySetResult(((IPEndPoint)e.LocalEndPoint).Port);

        var options = new SmtpServerOptionsBuilder()
            .ServerName("localhost")
            .Endpoint(endpoint => endpoint.Endpoint(new IPEndPoint(IPAddress.Loopback, port)))
            .Build();
        var services = new SmtpServices();
        services.Add(listeners);
        services.Add(new CollectingStore(received));

        var server = new SmtpServerHost(options, services);
        var running = server.StartAsync(CancellationToken.None); // completes only at shutdown
        if (await Task.WhenAny(bound.Task, running).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false) != bound.Task)
        {
            await running.ConfigureAwait(false); // rethrows why it could not listen
            throw new InvalidOperationException("The test SMTP server stopped before it listened.");
        }

        return new TestSmtpServer(server, running, received, await bound.Task.ConfigureAwait(false));
    }

    /// <summary>Waits (up to 15 s) for a message to <paramref name="to"/> that matches, and returns it.</summary>
    public async Task<MimeMessage> WaitForMessageAsync(string to, Func<MimeMessage, bool>? matches = null)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        while (true)
        {
            var message = _received.FirstOrDefault(m => m.To.Mailboxes.Any(a => a.Address == to) && (matches?.Invoke(m) ?? true));
            if (message is not null)
            {
                return message;
            }

            if (timeout.IsCancellationRequested)
            {
                throw new TimeoutException($"No email to {to} arrived in 15 s. Received: " +
                    string.Join("; ", _received.Select(m => $"{m.To} \"{m.Subject}\"")));
            }

            await Task.Delay(20).ConfigureAwait(false);
        }
    }

    /// <summary>Every message to <paramref name="to"/> so far.</summary>
    public IReadOnlyList<MimeMessage> MessagesTo(string to) =>
        [.. _received.Where(m => m.To.Mailboxes.Any(a => a.Address == to))];

    public async ValueTask DisposeAsync()
    {
        _server.Shutdown();
        try
        {
            await _running.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is OperationCanceledException or TimeoutException)
        {
            // Stopped, or stopping; either way this test is done with it.
        }
    }

    private sealed class CollectingStore(ConcurrentQueue<MimeMessage> received) : MessageStore
    {
        public override async Task<SmtpResponse> SaveAsync(
            ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            // The buffer lives only during this call: copy it out.
            using var stream = new MemoryStream(buffer.ToArray(), writable: false);
            received.Enqueue(await MimeMessage.LoadAsync(stream, cancellationToken).ConfigureAwait(false));
            return SmtpResponse.Ok;
        }
    }
}

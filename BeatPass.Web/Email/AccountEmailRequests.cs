using System.Threading.Channels;
using BeatPass.Core.Data;
using Microsoft.AspNetCore.Identity;

namespace BeatPass.Web.Email;

/// <summary>
/// Account emails a visitor asks for by address ("Forgot your password?", "Resend email confirmation"). The request
/// only queues the ask, so it answers alike, and in the same time, whether an account has that address or not; the
/// lookup, the token and the outbox row are done here, off the request. A full queue drops the ask (and says so in
/// the log): a flood of asks costs memory no more than it costs mail.
/// </summary>
public sealed class AccountEmailRequests(IServiceScopeFactory scopes, ILogger<AccountEmailRequests> logger) : BackgroundService
{
    private const int MaxQueued = 10_000;

    private readonly Channel<(string Email, Func<AccountEmails, BeatPassUser, Task> Send)> _asks =
        Channel.CreateBounded<(string, Func<AccountEmails, BeatPassUser, Task>)>(
            new BoundedChannelOptions(MaxQueued) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    /// <summary>Queues <paramref name="send"/> for the account whose email is <paramref name="email"/>, if there is one.</summary>
    public void Enqueue(string email, Func<AccountEmails, BeatPassUser, Task> send)
    {
        if (!_asks.Writer.TryWrite((email, send)))
        {
            logger.LogWarning("Dropped an account email request: {MaxQueued} are waiting already", MaxQueued);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var (email, send) in _asks.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                if (await scope.ServiceProvider.GetRequiredService<UserManager<BeatPassUser>>().FindByEmailAsync(email) is { } user)
                {
                    await send(scope.ServiceProvider.GetRequiredService<AccountEmails>(), user);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Could not queue a requested account email");
            }
        }
    }
}

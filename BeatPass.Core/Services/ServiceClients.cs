using System.Collections.Concurrent;
using System.Security.Cryptography;
using BeatPass.Core.Audit;
using BeatPass.Core.Data;
using BeatPass.Core.DeveloperAccess;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace BeatPass.Core.Services;

/// <summary>A registered service as staff see it; never its secret.</summary>
public sealed record ServiceClientSummary(Guid Id, string Name, string ClientId, DateTime CreatedAt, DateTime? LastUsedAt);

/// <summary>A service just registered, with the secret shown this once.</summary>
public sealed record AddedServiceClient(ServiceClientSummary Service, string Secret);

/// <summary>A service that signed in: what an introspection records as the token's user.</summary>
public sealed record ServiceClientIdentity(Guid Id, string Name);

/// <summary>
/// The services that may introspect tokens: registered and revoked by staff (or <c>add-service</c> on the command
/// line), each change audited, and checked on every introspection. A revoked service is deleted: its credentials stop
/// working at once on this node, and on the others as soon as they hear of it, through the same change notifications
/// as tokens (<see cref="ApiTokens.ApiTokenChangeListener"/>, ids <see cref="ChangePrefix"/> and the service's id).
/// Credentials that worked are kept in memory, so an introspection costs no query; wrong ones are never kept.
/// </summary>
public sealed class ServiceClients(IDbContextFactory<BeatPassDbContext> dbFactory, TimeProvider timeProvider, ILogger<ServiceClients> logger)
{
    /// <summary>How the change log names a service's change; what follows is its id.</summary>
    public const string ChangePrefix = "service:";

    /// <summary>How the audit log's subject column names a service; what follows is its name.</summary>
    public const string AuditSubjectPrefix = "service:";

    /// <summary>A service's use is written at most this often.</summary>
    public static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    private const int MaxKnown = 10_000;

    private readonly ConcurrentDictionary<string, Known> _known = new(StringComparer.Ordinal);
    private long _generation;

    public async Task<IReadOnlyList<ServiceClientSummary>> ListAsync(string staffUserId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await StaffOnly.EnsureAsync(db, staffUserId, logger, cancellationToken);
        return await db.ServiceClients.AsNoTracking()
            .OrderBy(s => s.Name)
            .Select(s => new ServiceClientSummary(s.Id, s.Name, s.ClientId, s.CreatedAt, s.LastUsedAt))
            .ToListAsync(cancellationToken);
    }

    /// <summary>Registers a service for a staff member; the message says what is wrong with a name that cannot be used.</summary>
    public async Task<(AddedServiceClient? Added, string? Error)> AddAsync(string staffUserId, string? name, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await StaffOnly.EnsureAsync(db, staffUserId, logger, cancellationToken);
        return await AddAsync(db, Actor.Account(staffUserId), name, cancellationToken);
    }

    /// <summary><c>add-service</c>: whoever runs commands against the database runs the installation.</summary>
    public async Task<(AddedServiceClient? Added, string? Error)> AddFromCommandLineAsync(string? name, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await AddAsync(db, Actor.CommandLine, name, cancellationToken);
    }

    private async Task<(AddedServiceClient? Added, string? Error)> AddAsync(
        BeatPassDbContext db, Actor actor, string? name, CancellationToken cancellationToken)
    {
        name = name?.Trim() ?? "";
        if (!ServiceClientFormat.NamePattern().IsMatch(name))
        {
            return (null, ServiceClientFormat.NameRule);
        }

        var duplicate = $"A service called {name} is already registered. Choose another name, or revoke that one first.";
        if (await db.ServiceClients.AnyAsync(s => s.Name == name, cancellationToken))
        {
            return (null, duplicate);
        }

        var now = timeProvider.GetUtcNow().UtcDateTime;
        var secret = ServiceClientFormat.NewSecret();
        var service = new ServiceClient
        {
            Name = name,
            ClientId = ServiceClientFormat.NewClientId(),
            SecretHash = ServiceClientFormat.HashOf(secret)!,
            CreatedAt = now,
        };
        db.ServiceClients.Add(service);
        db.RecordSecurityEvent(now, actor, AuditSubjectPrefix + name, AuditAction.ServiceAdded, detail: $"Client id {service.ClientId}");
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Registered at the same moment elsewhere: the unique index said no.
            await using var check = await dbFactory.CreateDbContextAsync(cancellationToken);
            if (await check.ServiceClients.AnyAsync(s => s.Name == name, cancellationToken))
            {
                return (null, duplicate);
            }

            throw;
        }

        logger.LogInformation("Service {ServiceName} registered with client id {ClientId} by {Actor}", name, service.ClientId, actor.Id);
        return (new AddedServiceClient(new ServiceClientSummary(service.Id, name, service.ClientId, now, null), secret), null);
    }

    /// <summary>Deletes the service: its credentials stop working at once. Throws <see cref="KeyNotFoundException"/> when it is gone already.</summary>
    public async Task RevokeAsync(string staffUserId, Guid serviceId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await StaffOnly.EnsureAsync(db, staffUserId, logger, cancellationToken);
        var service = await db.ServiceClients.SingleOrDefaultAsync(s => s.Id == serviceId, cancellationToken)
            ?? throw new KeyNotFoundException("That service is no longer registered.");
        db.ServiceClients.Remove(service);
        db.RecordSecurityEvent(timeProvider.GetUtcNow().UtcDateTime, Actor.Account(staffUserId), AuditSubjectPrefix + service.Name,
            AuditAction.ServiceRevoked, detail: $"Client id {service.ClientId}");
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new KeyNotFoundException("That service is no longer registered.");
        }
        finally
        {
            Forget();
        }

        logger.LogInformation("Service {ServiceName} ({ClientId}) revoked by {UserId}", service.Name, service.ClientId, staffUserId);
    }

    /// <summary>
    /// The service whose client id and secret these are, or null. A secret of the wrong form is refused without a
    /// query or a hash, and the comparison of hashes takes the same time however much of it matches.
    /// </summary>
    public async ValueTask<ServiceClientIdentity?> AuthenticateAsync(string clientId, string secret, CancellationToken cancellationToken = default)
    {
        if (!ServiceClientFormat.IsClientId(clientId) || ServiceClientFormat.HashOf(secret) is not { } hash)
        {
            return null;
        }

        if (!_known.TryGetValue(clientId, out var known))
        {
            var generation = Interlocked.Read(ref _generation);
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var stored = await db.ServiceClients.AsNoTracking().Where(s => s.ClientId == clientId)
                .Select(s => new { s.Id, s.Name, s.SecretHash })
                .SingleOrDefaultAsync(cancellationToken);
            if (stored is null)
            {
                return null;
            }

            known = new Known(new ServiceClientIdentity(stored.Id, stored.Name), stored.SecretHash);
            if (_known.Count < MaxKnown)
            {
                _known[clientId] = known;
                // Not kept when a change came in meanwhile, even one that cleared the rest just before this was added:
                // what was read may be what was just revoked.
                if (Interlocked.Read(ref _generation) != generation)
                {
                    _known.TryRemove(KeyValuePair.Create(clientId, known));
                }
            }
        }

        if (!CryptographicOperations.FixedTimeEquals(hash, known.SecretHash))
        {
            return null;
        }

        if (known.TryClaimUse(timeProvider.GetUtcNow().UtcDateTime))
        {
            _ = RecordUseAsync(known.Identity.Id);
        }

        return known.Identity;
    }

    /// <summary>Drops every service kept in memory: one was revoked, here or elsewhere, or changes may have been missed.</summary>
    public void Forget()
    {
        Interlocked.Increment(ref _generation);
        _known.Clear();
    }

    // Off the request: the introspection never waits for it. Services are few and write once a minute at most.
    private async Task RecordUseAsync(Guid serviceId)
    {
        try
        {
            await Task.Yield();
            await using var db = await dbFactory.CreateDbContextAsync();
            var now = timeProvider.GetUtcNow().UtcDateTime;
            await db.ServiceClients.Where(s => s.Id == serviceId && (s.LastUsedAt == null || s.LastUsedAt < now))
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.LastUsedAt, now));
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Could not record the last use of service {ServiceId}", serviceId);
        }
    }

    private sealed class Known(ServiceClientIdentity identity, byte[] secretHash)
    {
        private long _useRecordedTicks;

        public ServiceClientIdentity Identity { get; } = identity;

        public byte[] SecretHash { get; } = secretHash;

        public bool TryClaimUse(DateTime now)
        {
            var last = Interlocked.Read(ref _useRecordedTicks);
            return now.Ticks - last >= LastUsedResolution.Ticks && Interlocked.CompareExchange(ref _useRecordedTicks, now.Ticks, last) == last;
        }
    }
}

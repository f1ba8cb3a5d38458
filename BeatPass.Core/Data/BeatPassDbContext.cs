using Microsoft.AspNetCore.Identity;
using BeatPass.Core.ApiTokens;
using BeatPass.Core.Audit;
using BeatPass.Core.Email;
using BeatPass.Core.Services;
using BeatPass.Core.Sessions;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace BeatPass.Core.Data;

/// <summary>
/// The model, the same on every database but for how the tokens' table is stored and indexed for its last-used writes.
/// Each provider has a thin subclass of its own (<see cref="SqliteBeatPassDbContext"/>,
/// <see cref="PostgreSqlBeatPassDbContext"/>) that its migrations belong to and that holds those differences,
/// as EF Core's "Migrations with Multiple Providers" describes; the rest of the code sees only this class.
/// </summary>
public abstract class BeatPassDbContext(DbContextOptions options)
    : IdentityDbContext<BeatPassUser>(options), IDataProtectionKeyContext
{
    private const int IdentityKeyLength = 128;

    // Identity's own user id columns are this long; the audit log's references to users match them.
    private const int UserIdLength = 450;

    // A token's hint ("bpat_…x9Qa") is 10 characters; the column leaves room for a longer prefix.
    private const int HintLength = 16;

    // Room for every built-in permission and a good many of other services'.
    private const int PermissionsLength = 2000;

    /// <summary>What this context's database does its own way.</summary>
    public abstract DatabaseDialect Dialect { get; }

    public DbSet<ApiToken> ApiTokens => Set<ApiToken>();

    public DbSet<AuditEvent> AuditEvents => Set<AuditEvent>();

    public DbSet<OutgoingEmail> OutgoingEmails => Set<OutgoingEmail>();

    public DbSet<UserSession> UserSessions => Set<UserSession>();

    public DbSet<ApiTokenTagKey> ApiTokenTagKeys => Set<ApiTokenTagKey>();

    public DbSet<RetiredApiTokenSecret> RetiredApiTokenSecrets => Set<RetiredApiTokenSecret>();

    /// <summary>Requests for developer access, pending and decided.</summary>
    public DbSet<DeveloperAccess.AccessRequest> AccessRequests => Set<DeveloperAccess.AccessRequest>();

    /// <summary>The services that may introspect tokens.</summary>
    public DbSet<ServiceClient> ServiceClients => Set<ServiceClient>();

    /// <summary>The Data Protection key ring, shared by every node: cookies and links one node issues work on all.</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    /// <summary>Whether the account is in the Staff role now, read from the database.</summary>
    public Task<bool> IsStaffAsync(string userId, CancellationToken cancellationToken)
    {
        var staffRole = BeatPassRoles.StaffNormalized;
        return UserRoles.AnyAsync(ur => ur.UserId == userId && Roles.Any(r => r.Id == ur.RoleId && r.NormalizedName == staffRole), cancellationToken);
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Every DateTime is UTC; SQLite keeps no kind, so give it back on read.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
    }

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);

        // The web app's Identity (AddDefaultIdentity) caps these keys at 128 characters, and Identity reads that from
        // the app's options while building the model. Say it here too, so the model, and each provider's
        // migrations, are the same whoever builds the context: the app, the migration tools or a test.
        builder.Entity<IdentityUserLogin<string>>(login =>
        {
            login.Property(l => l.LoginProvider).HasMaxLength(IdentityKeyLength);
            login.Property(l => l.ProviderKey).HasMaxLength(IdentityKeyLength);
        });
        builder.Entity<IdentityUserToken<string>>(token =>
        {
            token.Property(t => t.LoginProvider).HasMaxLength(IdentityKeyLength);
            token.Property(t => t.Name).HasMaxLength(IdentityKeyLength);
        });

        builder.Entity<ApiToken>(token =>
        {
            token.Property(t => t.Name).HasMaxLength(ApiTokenNameRules.MaxLength);
            token.Property(t => t.NormalizedName).HasMaxLength(ApiTokenNameRules.MaxLength);
            token.Property(t => t.Description).HasMaxLength(ApiTokenNameRules.DescriptionMaxLength);
            token.Property(t => t.TokenHash).HasMaxLength(ApiTokenFormat.HashLength);
            token.Property(t => t.Hint).HasMaxLength(HintLength);
            token.Property(t => t.Permissions).HasMaxLength(PermissionsLength);
            token.Property(t => t.RevokedReason).HasMaxLength(AuditEvent.MaxDetailLength);
            token.Property(t => t.RevokedFoundAt).HasMaxLength(ApiToken.MaxFoundAtLength);
            token.Property(t => t.LastUsedFrom).HasMaxLength(ApiTokenUses.MaxLastUsedFromLength);
            token.Property(t => t.LastUsedUserAgent).HasMaxLength(ApiTokenUses.MaxUserAgentLength);
            token.Property(t => t.LastUsedByService).HasMaxLength(ServiceClientFormat.NameMaxLength);
            token.HasIndex(t => t.TokenHash).IsUnique();
            token.HasIndex(t => t.ExpiresAt);
            // The staff's token inventory sorts by these (TokenInventoryQuery). SQLite has two more, on last use
            // (below); PostgreSQL has none, for its last-used writes' sake.
            token.HasIndex(t => t.CreatedAt);
            token.HasIndex(t => new { t.UserId, t.NormalizedName }).IsUnique();
            token.HasOne(t => t.User).WithMany().HasForeignKey(t => t.UserId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<ServiceClient>(service =>
        {
            service.Property(s => s.Name).HasMaxLength(ServiceClientFormat.NameMaxLength);
            service.Property(s => s.ClientId).HasMaxLength(ServiceClientFormat.ClientIdLength);
            service.Property(s => s.SecretHash).HasMaxLength(ApiTokenFormat.HashLength);
            service.HasIndex(s => s.Name).IsUnique();
            service.HasIndex(s => s.ClientId).IsUnique();
        });

        builder.Entity<DeveloperAccess.AccessRequest>(request =>
        {
            request.Property(r => r.UserId).HasMaxLength(UserIdLength);
            request.Property(r => r.Text).HasMaxLength(DeveloperAccess.AccessRequests.TextMaxLength);
            request.Property(r => r.Status).HasConversion<string>().HasMaxLength(20);
            request.Property(r => r.DecidedByUserId).HasMaxLength(UserIdLength);
            request.Property(r => r.DeclineReason).HasMaxLength(DeveloperAccess.AccessRequests.ReasonMaxLength);
            // One pending request per account, whatever two requests at once do.
            request.HasIndex(r => r.UserId).IsUnique().HasFilter("\"Status\" = 'Pending'").HasDatabaseName("IX_AccessRequests_OnePendingPerAccount");
            request.HasIndex(r => new { r.UserId, r.RequestedAt });
            request.HasIndex(r => new { r.Status, r.RequestedAt });
            request.HasOne(r => r.User).WithMany().HasForeignKey(r => r.UserId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<RetiredApiTokenSecret>(secret =>
        {
            secret.HasKey(s => s.TokenHash);
            secret.Property(s => s.TokenHash).HasMaxLength(ApiTokenFormat.HashLength);
            secret.HasIndex(s => s.TokenId);
            secret.HasOne<ApiToken>().WithMany().HasForeignKey(s => s.TokenId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<ApiTokenTagKey>(key =>
        {
            key.Property(k => k.Id).ValueGeneratedNever();
            key.Property(k => k.Key).HasMaxLength(ApiTokenFormat.TagKeyLength);
        });

        builder.Entity<AuditEvent>(audit =>
        {
            audit.Property(a => a.Action).HasConversion<string>().HasMaxLength(40);
            audit.Property(a => a.ActorUserId).HasMaxLength(UserIdLength);
            audit.Property(a => a.SubjectUserId).HasMaxLength(UserIdLength);
            audit.Property(a => a.TokenName).HasMaxLength(ApiTokenNameRules.MaxLength);
            audit.Property(a => a.ActorTokenName).HasMaxLength(ApiTokenNameRules.MaxLength);
            audit.Property(a => a.Detail).HasMaxLength(AuditEvent.MaxDetailLength);
            audit.HasIndex(a => new { a.SubjectUserId, a.OccurredAt });
            audit.HasIndex(a => a.OccurredAt);
        });

        builder.Entity<OutgoingEmail>(email =>
        {
            email.Property(e => e.To).HasMaxLength(OutgoingEmail.MaxAddressLength);
            email.Property(e => e.Subject).HasMaxLength(OutgoingEmail.MaxSubjectLength);
            email.HasIndex(e => e.NextAttemptAt);
        });

        builder.Entity<UserSession>(session =>
        {
            session.Property(s => s.KeyHash).HasMaxLength(32);
            session.Property(s => s.IpAddress).HasMaxLength(UserSession.MaxAddressLength);
            session.Property(s => s.UserAgent).HasMaxLength(UserSession.MaxUserAgentLength);
            session.HasIndex(s => s.KeyHash).IsUnique();
            session.HasIndex(s => new { s.UserId, s.LastActiveAt });
            session.HasOne(s => s.User).WithMany().HasForeignKey(s => s.UserId).OnDelete(DeleteBehavior.Cascade);
        });
    }

    private sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
        value => EnsureUtc(value), value => DateTime.SpecifyKind(value, DateTimeKind.Utc))
    {
        private static DateTime EnsureUtc(DateTime value) => value.Kind == DateTimeKind.Utc
            ? value
            : throw new ArgumentException($"Store UTC times only; got a {value.Kind} one.", nameof(value));
    }
}

/// <summary>The embedded single-node database. Migrations: <c>Data/Migrations/Sqlite</c>.</summary>
public sealed class SqliteBeatPassDbContext(DbContextOptions<SqliteBeatPassDbContext> options) : BeatPassDbContext(options)
{
    public override DatabaseDialect Dialect => SqliteDialect.Instance;

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);

        // The token inventory sorts by last use through the first; the accounts grid reads its token counts and last
        // API uses from the second alone. Without them the accounts grid's sort by last API use took 446 ms instead of
        // 257 (bench/admin-grid.sh), and first uses were no faster (on SQLite the write's cost is not its indexes;
        // bench/RESULTS.md).
        builder.Entity<ApiToken>(token =>
        {
            token.HasIndex(t => t.LastUsedAt);
            token.HasIndex(t => new { t.UserId, t.LastUsedAt });
        });
    }
}

/// <summary>The database several nodes share. Migrations: <c>Data/Migrations/PostgreSql</c>.</summary>
public sealed class PostgreSqlBeatPassDbContext(DbContextOptions<PostgreSqlBeatPassDbContext> options) : BeatPassDbContext(options)
{
    public override DatabaseDialect Dialect => PostgreSqlDialect.Instance;

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);

        // No index holds a last-use column, so the last-used write (ApiTokenUses) changes no indexed column and
        // PostgreSQL can update a row in place: its new version on the same page, no new entry in each of the table's
        // indexes (a HOT update), but only if the page has room for it. The room a row's old version leaves is
        // reused only once the write that replaced it has committed, so every row of a page written in one batch
        // needs room of its own: tokens made together are often first used together (a fleet of scripts, each given
        // its token), and with a fifth of each page free fewer than half of such a page's rows were written in place.
        // Half of each page is left free: room for every row's next version, for a larger table (bench/RESULTS.md).
        builder.Entity<ApiToken>().HasStorageParameter("fillfactor", ApiTokensFillFactor);
    }

    private const int ApiTokensFillFactor = 50;
}

using BeatPass.Core.ApiTokens;
using BeatPass.Core.Audit;
using BeatPass.Core.Email;
using BeatPass.Core.Sessions;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace BeatPass.Core.Data;

public sealed class BeatPassDbContext(DbContextOptions<BeatPassDbContext> options)
    : IdentityDbContext<BeatPassUser>(options)
{
    public DbSet<ApiToken> ApiTokens => Set<ApiToken>();

    public DbSet<AuditEvent> AuditEvents => Set<AuditEvent>();

    public DbSet<OutgoingEmail> OutgoingEmails => Set<OutgoingEmail>();

    public DbSet<UserSession> UserSessions => Set<UserSession>();

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Every DateTime is UTC; SQLite keeps no kind, so give it back on read.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
    }

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);

        builder.Entity<ApiToken>(token =>
        {
            token.Property(t => t.Name).HasMaxLength(ApiTokenNames.MaxLength);
            token.Property(t => t.NormalizedName).HasMaxLength(ApiTokenNames.MaxLength);
            token.Property(t => t.TokenHash).HasMaxLength(ApiTokenFormat.HashLength);
            token.Property(t => t.Hint).HasMaxLength(16);
            token.HasIndex(t => t.TokenHash).IsUnique();
            token.HasIndex(t => t.ExpiresAt);
            token.HasIndex(t => new { t.UserId, t.NormalizedName }).IsUnique();
            token.HasOne(t => t.User).WithMany().HasForeignKey(t => t.UserId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<AuditEvent>(audit =>
        {
            audit.Property(a => a.Action).HasConversion<string>().HasMaxLength(40);
            audit.Property(a => a.ActorUserId).HasMaxLength(450);
            audit.Property(a => a.SubjectUserId).HasMaxLength(450);
            audit.Property(a => a.TokenName).HasMaxLength(ApiTokenNames.MaxLength);
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

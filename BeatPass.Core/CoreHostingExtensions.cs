using BeatPass.Core.ApiTokens;
using BeatPass.Core.Audit;
using BeatPass.Core.Data;
using BeatPass.Core.DeveloperAccess;
using BeatPass.Core.Email;
using BeatPass.Core.Sessions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace BeatPass.Core;

/// <summary>Core's one setup extension (<c>builder.AddBeatPassCore()</c>) and what a host does with its database.</summary>
public static class CoreHostingExtensions
{
    public const string ConnectionStringName = "BeatPass";

    /// <summary>The database, the token and developer access services and their options, the email outbox and the token expiry notices.</summary>
    public static IHostApplicationBuilder AddBeatPassCore(this IHostApplicationBuilder builder)
    {
        // The provider and connection string are read when the first context is made, so test hosts can override them.
        builder.Services.AddDbContextFactory<SqliteBeatPassDbContext>((services, options) =>
            options.UseSqlite(ConnectionString(services)).AddInterceptors(Interceptors(services)));
        builder.Services.AddDbContextFactory<PostgreSqlBeatPassDbContext>((services, options) =>
            options.UseNpgsql(ConnectionString(services)).AddInterceptors(Interceptors(services)));
        builder.Services.AddSingleton<IDbContextFactory<BeatPassDbContext>>(services =>
            DatabaseSettings.Provider(services.GetRequiredService<IConfiguration>()) switch
            {
                DatabaseProvider.PostgreSql => new BeatPassDbContextFactory<PostgreSqlBeatPassDbContext>(
                    services.GetRequiredService<IDbContextFactory<PostgreSqlBeatPassDbContext>>()),
                _ => new BeatPassDbContextFactory<SqliteBeatPassDbContext>(services.GetRequiredService<IDbContextFactory<SqliteBeatPassDbContext>>()),
            });
        // For Identity's stores and the health check, which take a context per request.
        builder.Services.AddScoped(services => services.GetRequiredService<IDbContextFactory<BeatPassDbContext>>().CreateDbContext());

        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddOptions<ApiTokenOptions>()
            .BindConfiguration(ApiTokenOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<ApiTokenCache>();
        builder.Services.AddSingleton<ApiTokenCacheInvalidator>();
        builder.Services.AddSingleton<ApiTokenIssuer>();
        builder.Services.AddSingleton<ApiTokenAuthenticator>();
        builder.Services.AddSingleton<ApiTokenChangeListener>();
        builder.Services.AddHostedService(services => services.GetRequiredService<ApiTokenChangeListener>());
        builder.Services.AddScoped<ApiTokenService>();
        builder.Services.AddScoped<DeveloperAccessService>();
        builder.Services.AddScoped<SecurityLogService>();
        builder.Services.AddSingleton<UserSessionService>();
        builder.Services.AddSingleton<EmailOutbox>();
        builder.Services.AddSingleton<OutgoingEmailSignal>();
        builder.Services.AddSingleton<TokenExpiryNotices>();
        builder.Services.AddHostedService<TokenExpiryNoticeJob>();
        return builder;
    }

    /// <summary>
    /// At start: SQLite always migrates (one node owns its file); PostgreSQL only with <c>Database:MigrateOnStart</c>,
    /// since several nodes share it and the <c>migrate</c> command applies migrations once, before they start.
    /// </summary>
    public static async Task MigrateOnStartAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        var configuration = services.GetRequiredService<IConfiguration>();
        if (DatabaseSettings.Provider(configuration) == DatabaseProvider.Sqlite || configuration.GetValue<bool>(DatabaseSettings.MigrateOnStartKey))
        {
            await services.MigrateBeatPassDatabaseAsync(cancellationToken);
        }
    }

    /// <summary>Applies pending migrations; on SQLite also turns on write-ahead logging for concurrent readers.</summary>
    public static async Task MigrateBeatPassDatabaseAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        var factory = services.GetRequiredService<IDbContextFactory<BeatPassDbContext>>();
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        await db.Database.MigrateAsync(cancellationToken);
        if (db.Database.IsSqlite())
        {
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }
    }

    private static string ConnectionString(IServiceProvider services) =>
        services.GetRequiredService<IConfiguration>().GetConnectionString(ConnectionStringName)
        ?? throw new InvalidOperationException($"Set the connection string 'ConnectionStrings:{ConnectionStringName}'.");

    private static IInterceptor[] Interceptors(IServiceProvider services) =>
        [services.GetRequiredService<ApiTokenCacheInvalidator>(), services.GetRequiredService<OutgoingEmailSignal>()];
}

using BeatPass.Core.ApiTokens;
using BeatPass.Core.Audit;
using BeatPass.Core.Data;
using BeatPass.Core.DeveloperAccess;
using BeatPass.Core.Email;
using BeatPass.Core.Services;
using BeatPass.Core.Sessions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace BeatPass.Core;

/// <summary>Core's one setup extension (<c>builder.AddBeatPassCore()</c>) and what a host does with its database.</summary>
public static class CoreHostingExtensions
{
    /// <summary>The database, the token and developer access services and their options, the email outbox and the token expiry notices.</summary>
    public static IHostApplicationBuilder AddBeatPassCore(this IHostApplicationBuilder builder)
    {
        // Read when the first context is made, not now, so test hosts can override the settings.
        builder.Services.AddOptions<DatabaseOptions>().Configure<IConfiguration>((options, configuration) => options.Read(configuration));
        builder.Services.AddSingleton(services => DatabaseDialect.For(services.GetRequiredService<IOptions<DatabaseOptions>>().Value.Provider));
        foreach (var dialect in DatabaseDialect.All)
        {
            dialect.AddContextFactory(builder.Services,
                services => services.GetRequiredService<IOptions<DatabaseOptions>>().Value.ConnectionString,
                // Any command interceptors registered too (none in the app; tests count queries with one).
                (services, options) => options.AddInterceptors([
                    services.GetRequiredService<ApiTokenCacheInvalidator>(), services.GetRequiredService<OutgoingEmailSignal>(),
                    .. services.GetServices<IDbCommandInterceptor>()]));
        }

        builder.Services.AddSingleton(services => services.GetRequiredService<DatabaseDialect>().ContextFactory(services));
        // For Identity's stores and the health check, which take a context per request.
        builder.Services.AddScoped(services => services.GetRequiredService<IDbContextFactory<BeatPassDbContext>>().CreateDbContext());

        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddOptions<ApiTokenOptions>()
            .BindConfiguration(ApiTokenOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ApiTokenOptions>, ApiTokenOptionsValidator>();
        builder.Services.AddSingleton(services =>
            ApiPermissionCatalog.WithExtra(services.GetRequiredService<IOptions<ApiTokenOptions>>().Value.ExtraPermissions));
        builder.Services.AddMetrics();
        builder.Services.AddSingleton<BeatPassMetrics>();
        builder.Services.AddSingleton<ApiTokenCache>();
        builder.Services.AddSingleton<ApiTokenCacheInvalidator>();
        builder.Services.AddSingleton<ApiTokenIssuer>();
        builder.Services.AddSingleton<ApiTokenAuthenticator>();
        builder.Services.AddSingleton<ApiTokenUses>();
        builder.Services.AddHostedService<ApiTokenUsesWriter>();
        builder.Services.AddSingleton<ApiTokenChangeListener>();
        builder.Services.AddHostedService(services => services.GetRequiredService<ApiTokenChangeListener>());
        builder.Services.AddScoped<ApiTokenService>();
        builder.Services.AddScoped<ApiTokenLeakReports>();
        builder.Services.AddSingleton<ServiceClients>();
        builder.Services.AddOptions<DevelopersOptions>()
            .BindConfiguration(DevelopersOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddScoped<DeveloperAccessService>();
        builder.Services.AddScoped<AccessRequests>();
        builder.Services.AddScoped<TokenInventoryQuery>();
        builder.Services.AddScoped<AccountsQuery>();
        builder.Services.AddScoped<AuditFeedQuery>();
        builder.Services.AddScoped<SecurityLogService>();
        builder.Services.AddScoped<PersonalDataExport>();
        builder.Services.AddSingleton<UserSessionKeyStore>();
        builder.Services.AddSingleton<UserSessionService>();
        builder.Services.AddSingleton<KnownBrowsers>();
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
        var dialect = services.GetRequiredService<DatabaseDialect>();
        if (dialect.MigratesOnStart(services.GetRequiredService<IOptions<DatabaseOptions>>().Value))
        {
            await services.MigrateBeatPassDatabaseAsync(cancellationToken);
        }
    }

    /// <summary>Applies pending migrations, then what the database needs after them (see <see cref="DatabaseDialect.AfterMigrationAsync"/>).</summary>
    public static async Task MigrateBeatPassDatabaseAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        var factory = services.GetRequiredService<IDbContextFactory<BeatPassDbContext>>();
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        await db.Database.MigrateAsync(cancellationToken);
        await db.Dialect.AfterMigrationAsync(db, cancellationToken);
    }
}

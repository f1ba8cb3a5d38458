using BeatPass.Core.ApiTokens;
using BeatPass.Core.Audit;
using BeatPass.Core.Data;
using BeatPass.Core.DeveloperAccess;
using BeatPass.Core.Email;
using BeatPass.Core.Sessions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace BeatPass.Core;

public static class CoreServiceCollectionExtensions
{
    public const string ConnectionStringName = "BeatPass";

    /// <summary>The database, the token and developer access services and their options, the email outbox and the token expiry notices.</summary>
    public static IHostApplicationBuilder AddBeatPassCore(this IHostApplicationBuilder builder)
    {
        // Read the connection string when the first context is made, so test hosts can override it.
        builder.Services.AddDbContextFactory<BeatPassDbContext>((services, options) => options
            .UseSqlite(services.GetRequiredService<IConfiguration>().GetConnectionString(ConnectionStringName)
                ?? throw new InvalidOperationException($"Set the connection string 'ConnectionStrings:{ConnectionStringName}'."))
            .AddInterceptors(services.GetRequiredService<ApiTokenCacheInvalidator>(), services.GetRequiredService<OutgoingEmailSignal>()));

        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddOptions<ApiTokenOptions>()
            .BindConfiguration(ApiTokenOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<ApiTokenCache>();
        builder.Services.AddSingleton<ApiTokenCacheInvalidator>();
        builder.Services.AddSingleton<ApiTokenAuthenticator>();
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
}

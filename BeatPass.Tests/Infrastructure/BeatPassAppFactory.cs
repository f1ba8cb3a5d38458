using BeatPass.Core.ApiTokens;
using BeatPass.Core.Data;
using BeatPass.Web.Hosting;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace BeatPass.Tests.Infrastructure;

/// <summary>The real app in Development (so demo accounts are seeded) over a temporary SQLite file and a fake clock.</summary>
public class BeatPassAppFactory : WebApplicationFactory<Program>
{
    public const string Password = "Test-password-1";

    public string DatabasePath { get; } = Path.Combine(Path.GetTempPath(), $"beatpass-app-{Guid.NewGuid():N}.db");

    public FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);

    /// <summary>What the app logged, at <see cref="MinimumLogLevel"/> and above; nothing goes to the console.</summary>
    public CapturedLogs Logs { get; } = new();

    protected virtual LogLevel MinimumLogLevel => LogLevel.Information;

    /// <summary>Failed API authentications allowed per address and minute; high, so tests of bad tokens aren't limited.</summary>
    protected virtual int FailedAuthenticationsPerWindow => 100_000;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("ConnectionStrings:BeatPass", $"Data Source={DatabasePath}");
        builder.UseSetting("ApiRateLimit:FailuresPerWindow", FailedAuthenticationsPerWindow.ToString());
        foreach (var category in new[] { "Default", "Microsoft.AspNetCore", "Microsoft.EntityFrameworkCore.Database.Command" })
        {
            builder.UseSetting($"Logging:LogLevel:{category}", MinimumLogLevel.ToString());
        }

        builder.ConfigureLogging(logging => logging.ClearProviders().AddProvider(Logs));
        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Time));
    }

    public async Task<BeatPassUser> CreateUserAsync(bool hasDeveloperAccess = true)
    {
        var email = $"user-{Guid.NewGuid():N}@example.com";
        var user = new BeatPassUser { UserName = email, Email = email, EmailConfirmed = true, HasDeveloperAccess = hasDeveloperAccess };
        await using var scope = Services.CreateAsyncScope();
        var result = await scope.ServiceProvider.GetRequiredService<UserManager<BeatPassUser>>().CreateAsync(user, Password);
        result.Succeeded.Should().BeTrue(string.Join(" ", result.Errors.Select(e => e.Description)));
        return user;
    }

    public async Task<CreatedApiToken> CreateTokenAsync(string userId, string name = "Test token")
    {
        var result = await WithTokenServiceAsync(tokens => tokens.CreateAsync(userId, name));
        result.Succeeded.Should().BeTrue(result.ErrorMessage);
        return result.Token!;
    }

    public Task<T> WithTokenServiceAsync<T>(Func<ApiTokenService, Task<T>> action) => WithServiceAsync(action);

    public async Task<T> WithServiceAsync<TService, T>(Func<TService, Task<T>> action)
        where TService : notnull
    {
        await using var scope = Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<TService>());
    }

    public async Task<BeatPassUser> CreateStaffAsync()
    {
        var created = await CreateUserAsync(hasDeveloperAccess: false);
        await using var scope = Services.CreateAsyncScope();
        var user = (await scope.ServiceProvider.GetRequiredService<UserManager<BeatPassUser>>().FindByIdAsync(created.Id))!;
        await StaffAccounts.AddToStaffAsync(scope.ServiceProvider, user);
        return user;
    }

    public async Task<T> WithDbAsync<T>(Func<BeatPassDbContext, Task<T>> action)
    {
        await using var db = await Services.GetRequiredService<IDbContextFactory<BeatPassDbContext>>().CreateDbContextAsync();
        return await action(db);
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        TestFiles.DeleteSqliteDatabase(DatabasePath);

        GC.SuppressFinalize(this);
    }
}

using BeatPass.Core.ApiTokens;
using BeatPass.Core.Data;
using BeatPass.Web.Commands;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace BeatPass.Tests.Infrastructure;

/// <summary>
/// The real app in Development (so demo accounts are seeded) over a temporary SQLite file and a fake clock, sending
/// its email through a real SMTP server of its own on 127.0.0.1. <see cref="InitializeAsync"/> (which xunit calls for
/// a class fixture) starts the mail server, makes the database and starts the app.
/// </summary>
public class BeatPassAppFactory : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const string Password = TestUsers.Password;

    public const string MailFrom = "BeatPass <no-reply@beatpass.test>";

    private TestSmtpServer? _mail;

    /// <summary>The SMTP server the app sends to; every message it received is kept.</summary>
    public TestSmtpServer Mail => _mail ?? throw new InvalidOperationException($"Call {nameof(InitializeAsync)} first.");

    /// <summary>The port the app sends mail to: <see cref="Mail"/>'s, unless a test plays a mail server that is down.</summary>
    protected virtual int SmtpPort => Mail.Port;

    /// <summary><c>App:PublicUrl</c>: what every link in an email starts with.</summary>
    public virtual Uri PublicUrl => new("http://localhost");

    public string DatabasePath { get; } = Path.Combine(Path.GetTempPath(), $"beatpass-app-{Guid.NewGuid():N}.db");

    /// <summary>SQLite unless a subclass runs the app on the test PostgreSQL server.</summary>
    protected virtual DatabaseProvider Provider => DatabaseProvider.Sqlite;

    private string? _postgreSqlDatabase;

    /// <summary>
    /// The connection string of this app's PostgreSQL database: another node's when <see cref="SharedPostgreSqlDatabase"/>
    /// names one, else one made for it (the test copy comes migrated; the app migrates PostgreSQL only when told to).
    /// </summary>
    public string PostgreSqlDatabase => SharedPostgreSqlDatabase
        ?? _postgreSqlDatabase ?? throw new InvalidOperationException($"Call {nameof(InitializeAsync)} first.");

    /// <summary>Set by a second node, so that it runs on the first node's database (which the first node drops).</summary>
    protected virtual string? SharedPostgreSqlDatabase => null;

    public FakeTimeProvider Time { get; } = TestClock.Now();

    /// <summary>What the app logged, at <see cref="MinimumLogLevel"/> and above; nothing goes to the console.</summary>
    public CapturedLogs Logs { get; } = new();

    protected virtual LogLevel MinimumLogLevel => LogLevel.Information;

    /// <summary>Development, so demo accounts are seeded; a test of Production's rules says so.</summary>
    protected virtual string EnvironmentName => "Development";

    /// <summary>Failed API authentications allowed per address and minute; high, so tests of bad tokens aren't limited.</summary>
    protected virtual int FailedAuthenticationsPerWindow => 100_000;

    /// <summary>Posts of the sign-in and account forms allowed per address and minute; high, so tests that sign in often aren't limited.</summary>
    protected virtual int AccountFormPostsPerWindow => 100_000;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(EnvironmentName);
        builder.UseSetting(DatabaseOptions.ProviderKey, Provider.ToString());
        builder.UseSetting(DatabaseOptions.ConnectionStringKey, Provider == DatabaseProvider.PostgreSQL ? PostgreSqlDatabase : $"Data Source={DatabasePath}");

        builder.UseSetting("ApiRateLimit:FailuresPerWindow", FailedAuthenticationsPerWindow.ToString());
        builder.UseSetting("AccountRateLimit:PostsPerWindow", AccountFormPostsPerWindow.ToString());
        builder.UseSetting("App:PublicUrl", PublicUrl.ToString());
        // Open tabs re-check their sign-in every 2 s instead of every minute, so tests see it within seconds.
        builder.UseSetting("Security:CircuitRevalidationInterval", "00:00:02");
        builder.UseSetting("Email:Delivery", "Smtp");
        builder.UseSetting("Email:From", MailFrom);
        builder.UseSetting("Email:Smtp:Host", "127.0.0.1");
        builder.UseSetting("Email:Smtp:Port", SmtpPort.ToString());
        builder.UseSetting("Email:Smtp:TlsMode", "None");
        foreach (var category in new[] { "Default", "Microsoft.AspNetCore", "Microsoft.EntityFrameworkCore.Database.Command" })
        {
            builder.UseSetting($"Logging:LogLevel:{category}", MinimumLogLevel.ToString());
        }

        builder.ConfigureLogging(logging => logging.ClearProviders().AddProvider(Logs));
        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Time));
    }

    /// <summary>
    /// Starts the mail server, makes the PostgreSQL database when the app runs on one, then the app, and returns once
    /// it is ready: a PostgreSQL node reports unhealthy until it hears other nodes' token changes, so wait for that,
    /// as a load balancer would, before a test uses it. On SQLite it is ready at once.
    /// </summary>
    public async Task InitializeAsync()
    {
        _mail = await TestSmtpServer.StartAsync();
        if (Provider == DatabaseProvider.PostgreSQL && SharedPostgreSqlDatabase is null)
        {
            _postgreSqlDatabase = await PostgreSqlTestServer.CreateDatabaseAsync(); // migrated already
        }

        StartApp();
        var listener = Services.GetRequiredService<ApiTokenChangeListener>();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!listener.IsListening)
        {
            deadline.IsCancellationRequested.Should().BeFalse("the node should start listening for token changes");
            await Task.Delay(10, CancellationToken.None);
        }
    }

    /// <summary>Makes the app's host; a subclass may serve it over real HTTP instead.</summary>
    protected virtual void StartApp() => _ = Services;

    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();

    /// <summary>A new account (confirmed unless told otherwise) with the password <see cref="Password"/>, made through Identity as registering would.</summary>
    public async Task<BeatPassUser> CreateUserAsync(bool hasDeveloperAccess = true, bool emailConfirmed = true)
    {
        var user = TestUsers.New(Time.GetUtcNow().UtcDateTime, hasDeveloperAccess, emailConfirmed: emailConfirmed);
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

    /// <summary>Writes the token uses that wait, as the app's writer does every few seconds.</summary>
    public Task WriteTokenUsesAsync() => Services.GetRequiredService<ApiTokenUses>().WriteAsync();

    public async Task<T> WithDbAsync<T>(Func<BeatPassDbContext, Task<T>> action)
    {
        await using var db = await Services.GetRequiredService<IDbContextFactory<BeatPassDbContext>>().CreateDbContextAsync();
        return await action(db);
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_mail is not null)
        {
            await _mail.DisposeAsync();
        }

        if (_postgreSqlDatabase is not null)
        {
            await PostgreSqlTestServer.DropDatabaseAsync(_postgreSqlDatabase);
        }

        TestFiles.DeleteSqliteDatabase(DatabasePath);

        GC.SuppressFinalize(this);
    }
}

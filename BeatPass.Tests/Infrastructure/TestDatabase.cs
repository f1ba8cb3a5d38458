using System.Diagnostics.Metrics;
using BeatPass.Core;
using BeatPass.Core.ApiTokens;
using BeatPass.Core.Audit;
using BeatPass.Core.Data;
using BeatPass.Core.DeveloperAccess;
using BeatPass.Core.Sessions;
using Microsoft.AspNetCore.Identity;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace BeatPass.Tests.Infrastructure;

/// <summary>A migrated SQLite file of its own, wired the way the app wires BeatPass.Core.</summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    // What AddBeatPassCore registered, so other containers get Core's services from the one list that declares them.
    private readonly IReadOnlyList<ServiceDescriptor> _coreServices;

    private readonly bool _ownsFile;

    private readonly string? _postgreSqlDatabase;

    private bool _broken;

    private TestDatabase(string path, ServiceProvider services, IReadOnlyList<ServiceDescriptor> coreServices, bool ownsFile, string? postgreSqlDatabase)
    {
        _coreServices = coreServices;
        FilePath = path;
        _services = services;
        _ownsFile = ownsFile;
        _postgreSqlDatabase = postgreSqlDatabase;
    }

    public string FilePath { get; }

    /// <summary>What this database's contexts send, for a test that counts queries.</summary>
    public DatabaseCommands Commands { get; private init; } = null!;

    /// <summary>The connection string of the PostgreSQL database made for this instance; null on SQLite.</summary>
    public string? PostgreSqlConnectionString => _postgreSqlDatabase;

    public FakeTimeProvider Time => (FakeTimeProvider)_services.GetRequiredService<TimeProvider>();

    /// <param name="filePath">A file the caller owns and deletes; by default a temporary file deleted on dispose.</param>
    /// <param name="provider">SQLite (a file), or PostgreSQL (a database of its own on the test server, dropped on dispose).</param>
    public static async Task<TestDatabase> CreateAsync(
        int maxTokensPerAccount = 100, string? connectionString = null, string? filePath = null, DatabaseProvider provider = DatabaseProvider.Sqlite)
    {
        var path = filePath ?? Path.Combine(Path.GetTempPath(), $"beatpass-test-{Guid.NewGuid():N}.db");
        string? postgreSqlDatabase = null;
        if (provider == DatabaseProvider.PostgreSQL && connectionString is null)
        {
            postgreSqlDatabase = await PostgreSqlTestServer.CreateDatabaseAsync(); // migrated already
        }

        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [DatabaseOptions.ProviderKey] = provider.ToString(),
            [DatabaseOptions.ConnectionStringKey] = connectionString ?? postgreSqlDatabase ?? $"Data Source={path}",
            ["ApiTokens:MaxTokensPerAccount"] = maxTokensPerAccount.ToString(),
        });
        builder.Services.AddSingleton<TimeProvider>(TestClock.Now());
        builder.Services.AddLogging();
        var commands = new DatabaseCommands();
        builder.Services.AddSingleton<IDbCommandInterceptor>(commands);
        var registeredBefore = builder.Services.Count;
        builder.AddBeatPassCore();
        var coreServices = builder.Services.Skip(registeredBefore).ToList();

        var services = builder.Services.BuildServiceProvider();
        if (connectionString is null && provider == DatabaseProvider.Sqlite)
        {
            await services.MigrateBeatPassDatabaseAsync();
        }

        return new TestDatabase(path, services, coreServices, ownsFile: filePath is null && provider == DatabaseProvider.Sqlite, postgreSqlDatabase)
        {
            Commands = commands,
        };
    }

    /// <summary>A connection string of this provider that no query can get through.</summary>
    public static string UnreachableConnectionString(DatabaseProvider provider) => provider == DatabaseProvider.PostgreSQL
        ? "Host=127.0.0.1;Port=1;Username=nobody;Database=nothing;Timeout=2"
        : "Data Source=/nonexistent/dir/x.db;Mode=ReadOnly";

    /// <summary>
    /// Registers this database's Core services in another container, such as a bUnit context's: Core's singletons
    /// (the token cache, the session store) are this database's own instances, its scoped services are made afresh
    /// per scope, and its background jobs stay out.
    /// </summary>
    public void AddCoreServicesTo(IServiceCollection services)
    {
        services.AddSingleton(_services.GetRequiredService<TimeProvider>());
        services.AddSingleton(_services.GetRequiredService<IConfiguration>());
        services.AddLogging();
        foreach (var descriptor in _coreServices.Where(d => d.ServiceType != typeof(IHostedService)))
        {
            if (descriptor.Lifetime == ServiceLifetime.Singleton && !descriptor.ServiceType.IsGenericTypeDefinition && !descriptor.IsKeyedService)
            {
                services.AddSingleton(descriptor.ServiceType, _ => _services.GetRequiredService(descriptor.ServiceType));
            }
            else
            {
                services.Add(descriptor);
            }
        }
    }

    public UserSessionService Sessions => _services.GetRequiredService<UserSessionService>();

    public UserSessionKeyStore SessionKeys => _services.GetRequiredService<UserSessionKeyStore>();

    /// <summary>The same authenticator, and so the same cache, the API would use with this database.</summary>
    public ApiTokenIssuer Issuer => _services.GetRequiredService<ApiTokenIssuer>();

    public ApiTokenAuthenticator Authenticator => _services.GetRequiredService<ApiTokenAuthenticator>();

    /// <summary>The meter factory of this database's services: a listener tells its instruments by it.</summary>
    public IMeterFactory Meters => _services.GetRequiredService<IMeterFactory>();

    /// <summary>The authenticator's cache.</summary>
    public ApiTokenCache TokenCache => _services.GetRequiredService<ApiTokenCache>();

    /// <summary>The uses the authenticator records; nothing writes them but <see cref="WriteTokenUsesAsync"/> (no background jobs run here).</summary>
    public ApiTokenUses TokenUses => _services.GetRequiredService<ApiTokenUses>();

    /// <summary>The registered services, this database's singleton (what the app's introspection uses).</summary>
    public BeatPass.Core.Services.ServiceClients ServiceClients => _services.GetRequiredService<BeatPass.Core.Services.ServiceClients>();

    public Task WriteTokenUsesAsync() => TokenUses.WriteAsync();

    /// <summary>A recorder of token uses of its own, as another node has.</summary>
    public ApiTokenUses CreateTokenUses() => ActivatorUtilities.CreateInstance<ApiTokenUses>(_services);

    public ApiTokenUsesWriter CreateTokenUsesWriter(ApiTokenUses uses) => ActivatorUtilities.CreateInstance<ApiTokenUsesWriter>(_services, uses);

    /// <summary>The identity the API would see for this token, or null when it would be refused.</summary>
    public async Task<ApiTokenIdentity?> AuthenticateAsync(string token) => (await Authenticator.AuthenticateAsync(token)).Identity;

    // The service keeps no state of its own (a context per call), so it can outlive its scope here.
    public ApiTokenService CreateTokenService() => ActivatorUtilities.CreateInstance<ApiTokenService>(_services);

    public ApiTokenLeakReports CreateLeakReports() => ActivatorUtilities.CreateInstance<ApiTokenLeakReports>(_services);

    public AuditFeedQuery CreateAuditFeed() => ActivatorUtilities.CreateInstance<AuditFeedQuery>(_services);

    public DeveloperAccessService CreateDeveloperAccessService() => ActivatorUtilities.CreateInstance<DeveloperAccessService>(_services);

    /// <summary>A new instance each call, as after a restart or on another node.</summary>
    public TokenExpiryNotices CreateExpiryNotices() => ActivatorUtilities.CreateInstance<TokenExpiryNotices>(_services);

    public SecurityLogService CreateSecurityLog() => ActivatorUtilities.CreateInstance<SecurityLogService>(_services);

    public BeatPassDbContext CreateDbContext() =>
        _services.GetRequiredService<IDbContextFactory<BeatPassDbContext>>().CreateDbContext();

    /// <summary>A new account's id. It has no password: nothing signs in to a database without the app.</summary>
    public async Task<string> CreateUserAsync(bool hasDeveloperAccess = true, string? email = null, bool emailConfirmed = true)
    {
        var user = TestUsers.New(Time.GetUtcNow().UtcDateTime, hasDeveloperAccess, email, emailConfirmed);
        await using var db = CreateDbContext();
        db.Users.Add(user);
        await db.SaveChangesAsync();
        return user.Id;
    }


    public async Task<string> CreateStaffAsync()
    {
        var id = await CreateUserAsync(hasDeveloperAccess: false, email: TestUsers.NewEmail("staff"));
        await using var db = CreateDbContext();
        var role = await db.Roles.SingleOrDefaultAsync(r => r.NormalizedName == BeatPassRoles.StaffNormalized);
        if (role is null)
        {
            role = new IdentityRole(BeatPassRoles.Staff) { NormalizedName = BeatPassRoles.StaffNormalized };
            db.Roles.Add(role);
        }

        db.UserRoles.Add(new IdentityUserRole<string> { UserId = id, RoleId = role.Id });
        await db.SaveChangesAsync();
        return id;
    }

    /// <summary>Locks the account out the way Identity's user store does: through a tracked update.</summary>
    public async Task LockOutAsync(string userId, DateTimeOffset until)
    {
        await using var db = CreateDbContext();
        var user = await db.Users.SingleAsync(u => u.Id == userId);
        user.LockoutEnd = until;
        await db.SaveChangesAsync();
    }

    public async Task SetDeveloperAccessAsync(string userId, bool hasDeveloperAccess)
    {
        await using var db = CreateDbContext();
        await db.Users.Where(u => u.Id == userId)
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.HasDeveloperAccess, hasDeveloperAccess));
    }

    /// <summary>Takes the database away under the running services: from now on every query throws.</summary>
    public async Task BreakAsync()
    {
        if (_postgreSqlDatabase is not null)
        {
            await PostgreSqlTestServer.DropDatabaseAsync(_postgreSqlDatabase);
            return;
        }

        SqliteConnection.ClearAllPools();
        Authenticator.CloseConnections();
        TestFiles.DeleteSqliteDatabase(FilePath);
        Directory.CreateDirectory(FilePath); // a folder where the file was: SQLite cannot open it
        _broken = true;
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        if (_postgreSqlDatabase is not null)
        {
            await PostgreSqlTestServer.DropDatabaseAsync(_postgreSqlDatabase);
        }
        else if (_broken)
        {
            Directory.Delete(FilePath);
        }
        else if (_ownsFile)
        {
            TestFiles.DeleteSqliteDatabase(FilePath);
        }
        else
        {
            SqliteConnection.ClearAllPools();
        }
    }
}

using System.Security.Claims;
using BeatPass.Bench;
using BeatPass.Core;
using BeatPass.Core.ApiTokens;
using BeatPass.Core.Data;
using BeatPass.Web.Authentication;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Http;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

/// <summary>
/// Each step of checking a BeatPass token, then the whole ApiToken handler, on a cache hit and on a miss, next to
/// Identity's bearer token handler (whose cost is the same on every request). Over a real SQLite file with one account and one token. The clock stands still, so cache entries
/// never go stale and last used is written once, in set-up; the cache-miss row is one query and nothing else.
/// </summary>
[MemoryDiagnoser]
[ShortRunJob]
public class TokenAuthenticationBenchmarks
{
    private const string IdentityBearerScheme = "IdentityBearer";

    private readonly string _path = Path.Combine(Path.GetTempPath(), $"beatpass-micro-{Guid.NewGuid():N}.db");
    private ServiceProvider _services = null!;
    private ApiTokenAuthenticator _authenticator = null!;
    private ApiTokenCache _cache = null!;
    private IDbContextFactory<BeatPassDbContext> _dbFactory = null!;
    private string _token = null!;
    private string _malformedHeader = null!;
    private string _tokenHeader = null!;
    private string _identityBearerHeader = null!;
    private ApiTokenHash[] _hashes = null!;

    [GlobalSetup]
    public async Task SetUpAsync()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { [DatabaseOptions.ConnectionStringKey] = $"Data Source={_path}" });
        builder.Services.AddLogging();
        builder.Services.AddSingleton<TimeProvider>(new FixedTimeProvider(DateTimeOffset.UtcNow));
        builder.AddBeatPassCore();
        builder.Services.AddProblemDetails();
        builder.Services.AddAuthentication().AddApiToken().AddBearerToken(IdentityBearerScheme);
        _services = builder.Services.BuildServiceProvider();
        await _services.MigrateBeatPassDatabaseAsync();

        var userId = AddDeveloper(_path);
        await using (var scope = _services.CreateAsyncScope())
        {
            var created = await scope.ServiceProvider.GetRequiredService<ApiTokenService>().CreateAsync(userId, "Micro");
            _token = created.Token!.PlainText;
        }

        _authenticator = _services.GetRequiredService<ApiTokenAuthenticator>();
        _cache = _services.GetRequiredService<ApiTokenCache>();
        _dbFactory = _services.GetRequiredService<IDbContextFactory<BeatPassDbContext>>();
        _tokenHeader = $"Bearer {_token}";
        _hashes = Enumerable.Range(0, EntriesPerInvoke).Select(_ => ApiTokenHash.Parse(ApiTokenFormat.Generate())).ToArray();
        _malformedHeader = "Bearer bpat_not-a-token";

        // What the ApiToken handler puts in its ticket, issued as Identity's bearer token issues it on sign-in.
        var check = await _authenticator.AuthenticateAsync(_token); // also writes last used, once
        var principal = ApiTokenPrincipal.Create(check.Identity!, IdentityBearerScheme);
        var bearer = _services.GetRequiredService<IOptionsMonitor<BearerTokenOptions>>().Get(IdentityBearerScheme);
        var properties = new AuthenticationProperties { ExpiresUtc = _services.GetRequiredService<TimeProvider>().GetUtcNow().AddHours(1) };
        _identityBearerHeader = $"Bearer {bearer.BearerTokenProtector.Protect(new AuthenticationTicket(principal, properties, IdentityBearerScheme))}";

        if (!(await AuthenticateAsync(_tokenHeader, ApiTokenDefaults.AuthenticationScheme)).Succeeded
            || !(await AuthenticateAsync(_identityBearerHeader, IdentityBearerScheme)).Succeeded)
        {
            throw new InvalidOperationException("The set-up tokens do not authenticate.");
        }
    }

    [GlobalCleanup]
    public async Task CleanUpAsync()
    {
        await _services.DisposeAsync();
        SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm" })
        {
            File.Delete(_path + suffix);
        }
    }

    [Benchmark(Description = "IsWellFormed: shape + CRC32")]
    public bool IsWellFormed() => ApiTokenFormat.IsWellFormed(_token);

    [Benchmark(Description = "ApiTokenHash.TryParse: shape + CRC32 + SHA-256")]
    public ApiTokenHash TryParse() => ApiTokenHash.TryParse(_token, out var hash) ? hash : default;

    [Benchmark(Description = "AuthenticateAsync, cache hit")]
    public ValueTask<ApiTokenCheck> CacheHit() => _authenticator.AuthenticateAsync(_token);

    [Benchmark(Description = "AuthenticateAsync, cache miss (query)")]
    public ValueTask<ApiTokenCheck> CacheMiss()
    {
        _cache.Clear();
        return _authenticator.AuthenticateAsync(_token);
    }

    // What GET /health does (AddDbContextCheck): a context, then CanConnect.
    [Benchmark(Description = "DbContext + CanConnectAsync (/health)")]
    public async Task<bool> HealthCheck()
    {
        await using var db = await _dbFactory.CreateDbContextAsync();
        return await db.Database.CanConnectAsync();
    }

    // The fixed part of every miss and every last-used write: a context and one connection opened through EF.
    [Benchmark(Description = "DbContext + open and close its connection")]
    public async Task OpenThroughEf()
    {
        await using var db = await _dbFactory.CreateDbContextAsync();
        await db.Database.OpenConnectionAsync();
        await db.Database.CloseConnectionAsync();
    }

    // The same pooled SQLite connection without EF, for comparison.
    [Benchmark(Description = "SqliteConnection open + SELECT 1")]
    public async Task<object?> OpenWithoutEf()
    {
        await using var connection = new SqliteConnection($"Data Source={_path}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT 1";
        return await command.ExecuteScalarAsync();
    }

    private const int EntriesPerInvoke = 1_000;

    // What one cached token costs: the allocated bytes per operation are one entry's (its identity and strings as read
    // from the database, the entry, the dictionary's node and its share of the buckets).
    [Benchmark(Description = "Cache: add one entry (Allocated = bytes per entry)", OperationsPerInvoke = EntriesPerInvoke)]
    public ApiTokenCache CacheAdd()
    {
        var cache = new ApiTokenCache(Options.Create(new ApiTokenOptions { CacheCapacity = EntriesPerInvoke }));
        var now = DateTime.UtcNow;
        for (var i = 0; i < EntriesPerInvoke; i++)
        {
            var identity = new ApiTokenIdentity(Guid.NewGuid(), $"Release uploader {i}", $"{Guid.NewGuid()}", $"developer{i}@example.com",
                $"developer{i}@example.com", ApiPermissions.AccountRead);
            cache.Add(_hashes[i], new CachedApiToken(identity, null, now, now.AddMinutes(30)), now, cache.Generation);
        }

        return cache;
    }

    [Benchmark(Description = "ApiToken handler, valid, cache hit")]
    public Task<AuthenticateResult> ApiTokenHandler() => AuthenticateAsync(_tokenHeader, ApiTokenDefaults.AuthenticationScheme);

    [Benchmark(Description = "ApiToken handler, valid, cache miss (query)")]
    public Task<AuthenticateResult> ApiTokenHandlerMiss()
    {
        _cache.Clear();
        return AuthenticateAsync(_tokenHeader, ApiTokenDefaults.AuthenticationScheme);
    }

    [Benchmark(Description = "ApiToken handler, malformed: 401 + body")]
    public Task ApiTokenHandlerMalformed() => ChallengeAsync(_malformedHeader, ApiTokenDefaults.AuthenticationScheme);

    // Identity's bearer token holds its claims, encrypted: each request pays one decryption, with no cache to hit.
    [Benchmark(Description = "Identity bearer handler, valid (decrypts every time)")]
    public Task<AuthenticateResult> IdentityBearerHandler() => AuthenticateAsync(_identityBearerHeader, IdentityBearerScheme);

    // As a request does: a request scope, then the scheme through IAuthenticationService.
    private async Task<AuthenticateResult> AuthenticateAsync(string authorization, string scheme)
    {
        await using var scope = _services.CreateAsyncScope();
        var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        context.Request.Headers.Authorization = authorization;
        return await context.AuthenticateAsync(scheme);
    }

    private async Task ChallengeAsync(string authorization, string scheme)
    {
        await using var scope = _services.CreateAsyncScope();
        var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        context.Request.Headers.Authorization = authorization;
        await context.ChallengeAsync(scheme);
    }

    private static string AddDeveloper(string path)
    {
        var userId = Guid.NewGuid().ToString();
        using var connection = new SqliteConnection($"Data Source={path}");
        connection.Open();
        BenchAccounts.InsertDeveloper(connection, userId, "micro@bench.test", postgreSql: false);
        return userId;
    }

    private sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}

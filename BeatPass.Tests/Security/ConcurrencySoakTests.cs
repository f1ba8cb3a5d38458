using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using BeatPass.Core.ApiTokens;
using BeatPass.Core.DeveloperAccess;
using BeatPass.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace BeatPass.Tests.Security;

/// <summary>
/// A bounded soak over real HTTP: API readers with valid tokens while other tasks create, regenerate and delete
/// tokens and staff toggle an account's access. No 5xx, no SQLite busy error, and afterwards every surviving
/// token works and every deleted or replaced one gets 401. BEATPASS_SOAK_SECONDS sets the length (default 20).
/// </summary>
public sealed class ConcurrencySoakTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly LiveAppFactory _app = new(LogLevel.Warning);
    private readonly ConcurrentDictionary<Guid, (string UserId, string PlainText)> _live = new();
    private readonly ConcurrentBag<string> _dead = [];
    private readonly ConcurrentDictionary<int, int> _statuses = new();
    private readonly ConcurrentDictionary<int, TimeSpan> _lastAnswerByReader = new();
    private readonly Stopwatch _run = new();
    private HttpClient _checkClient = null!;

    public Task InitializeAsync()
    {
        _app.Start();
        _checkClient = _app.CreateHttpClient();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _checkClient.Dispose();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task Readers_and_writers_together_see_no_server_errors_and_end_consistent()
    {
        var seconds = int.TryParse(Environment.GetEnvironmentVariable("BEATPASS_SOAK_SECONDS"), out var s) ? s : 20;
        var staff = await _app.CreateStaffAsync();
        var writers = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            var user = await _app.CreateUserAsync();
            writers.Add(user.Id);
            for (var t = 0; t < 5; t++)
            {
                await CreateAsync(user.Id);
            }
        }

        var toggled = (await _app.CreateUserAsync()).Id;
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        _run.Start();

        var tasks = new List<Task>();
        tasks.AddRange(Enumerable.Range(0, 4).Select(reader => Task.Run(() => ReadAsync(reader, stop.Token))));
        tasks.AddRange(writers.Select((userId, i) => Task.Run(() => WriteAsync(userId, new Random(i), stop.Token))));
        tasks.Add(Task.Run(() => ToggleAccessAsync(staff.Id, toggled, stop.Token)));
        await Task.WhenAll(tasks);
        _run.Stop();

        var served = _statuses.Values.Sum();
        output.WriteLine($"{seconds} s: {served} API requests ({string.Join(", ", _statuses.OrderBy(p => p.Key).Select(p => $"{p.Value} × {p.Key}"))}), " +
                         $"{_live.Count} tokens alive and {_dead.Count} deleted or replaced at the end");
        _statuses.Keys.Should().NotContain(status => status >= 500);
        _app.Logs.Entries.Where(e => e.Level >= LogLevel.Error).Should().BeEmpty();
        _app.Logs.Entries.Should().NotContain(e => e.ToString().Contains("database is locked") || e.ToString().Contains("SQLITE_BUSY"));
        // Not a throughput figure (the machine may be busy with the browser tests): no reader was starved or blocked
        // by the writers, so each one still got answers in the second half of the run.
        _lastAnswerByReader.Should().HaveCount(4);
        _lastAnswerByReader.Values.Should().OnlyContain(at => at > TimeSpan.FromSeconds(seconds / 2.0),
            "the readers kept reading throughout");

        foreach (var (_, plainText) in _live.Values)
        {
            (await GetMeAsync(plainText)).Should().Be(HttpStatusCode.OK);
        }

        foreach (var plainText in _dead)
        {
            (await GetMeAsync(plainText)).Should().Be(HttpStatusCode.Unauthorized);
        }
    }

    private async Task ReadAsync(int reader, CancellationToken stop)
    {
        var random = new Random();
        using var client = _app.CreateHttpClient();
        while (!stop.IsCancellationRequested)
        {
            var tokens = _live.Values.ToArray();
            if (tokens.Length == 0)
            {
                await Task.Delay(1, CancellationToken.None);
                continue;
            }

            var status = (int)await GetMeAsync(tokens[random.Next(tokens.Length)].PlainText, client);
            _statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
            _lastAnswerByReader[reader] = _run.Elapsed;
        }
    }

    private async Task WriteAsync(string userId, Random random, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var mine = _live.Where(t => t.Value.UserId == userId).Select(t => t.Key).ToArray();
            switch (random.Next(3))
            {
                case 0 when mine.Length < 20:
                    await CreateAsync(userId);
                    break;
                case 1 when mine.Length > 0:
                    var deleted = mine[random.Next(mine.Length)];
                    (await _app.WithTokenServiceAsync(t => t.DeleteAsync(userId, deleted))).Should().BeTrue();
                    Retire(deleted);
                    break;
                case 2 when mine.Length > 0:
                    var regenerated = mine[random.Next(mine.Length)];
                    var result = await _app.WithTokenServiceAsync(t => t.RegenerateAsync(userId, regenerated));
                    result.Succeeded.Should().BeTrue(result.ErrorMessage);
                    Retire(regenerated);
                    _live[regenerated] = (userId, result.Token!.PlainText);
                    break;
            }
        }
    }

    // Staff revoke and grant one account's access again and again; it makes a token whenever it has access.
    private async Task ToggleAccessAsync(string staffId, string userId, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            await _app.WithServiceAsync<DeveloperAccessService, bool>(async access =>
            {
                await access.GrantAsync(staffId, userId);
                return true;
            });
            await CreateAsync(userId);
            await Task.Delay(100, CancellationToken.None);

            var ids = _live.Where(t => t.Value.UserId == userId).Select(t => t.Key).ToArray();
            await _app.WithServiceAsync<DeveloperAccessService, int>(access => access.RevokeAsync(staffId, userId));
            foreach (var id in ids)
            {
                Retire(id);
            }
        }
    }

    private async Task CreateAsync(string userId)
    {
        var created = await _app.CreateTokenAsync(userId, $"Soak {Guid.NewGuid():N}");
        _live[created.Summary.Id] = (userId, created.PlainText);
    }

    private void Retire(Guid tokenId)
    {
        if (_live.TryRemove(tokenId, out var token))
        {
            _dead.Add(token.PlainText);
        }
    }

    private async Task<HttpStatusCode> GetMeAsync(string token, HttpClient? client = null)
    {
        client ??= _checkClient;
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/me");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return (await client.SendAsync(request)).StatusCode;
    }
}

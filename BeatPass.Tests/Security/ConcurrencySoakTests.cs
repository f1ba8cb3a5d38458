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
/// tokens, staff toggle an account's access, and one account's writes race each other (delete against delete,
/// regenerate against delete, create against revoke). No 5xx, no SQLite busy error; every answer agrees with its
/// token's fate (a 401 only once the token's end had begun, a 200 never once its end had returned); and afterwards
/// every surviving token works and every deleted or replaced one gets 401. BEATPASS_SOAK_SECONDS sets the length
/// (default 20).
/// </summary>
public sealed class ConcurrencySoakTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly LiveAppFactory _app = new(LogLevel.Warning);
    private readonly ConcurrentDictionary<Guid, (string UserId, string PlainText)> _live = new();
    private readonly ConcurrentQueue<string> _recentlyDead = new(); // the last 100, which readers also try
    private readonly ConcurrentDictionary<string, Fate> _fates = new();
    private readonly ConcurrentBag<Answer> _answers = [];
    private readonly ConcurrentDictionary<string, int> _races = new();
    private readonly ConcurrentDictionary<int, int> _statuses = new();
    private readonly ConcurrentDictionary<int, TimeSpan> _lastAnswerByReader = new();
    private readonly Stopwatch _run = new();
    private HttpClient _checkClient = null!;

    public async Task InitializeAsync()
    {
        await _app.InitializeAsync();
        _checkClient = _app.CreateHttpClient();
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
        var raced = (await _app.CreateUserAsync()).Id;
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        _run.Start();

        var tasks = new List<Task>();
        tasks.AddRange(Enumerable.Range(0, 4).Select(reader => Task.Run(() => ReadAsync(reader, stop.Token))));
        tasks.AddRange(writers.Select((userId, i) => Task.Run(() => WriteAsync(userId, new Random(i), stop.Token))));
        tasks.Add(Task.Run(() => ToggleAccessAsync(staff.Id, toggled, stop.Token)));
        tasks.Add(Task.Run(() => RaceAsync(staff.Id, raced, new Random(), stop.Token)));
        await Task.WhenAll(tasks);
        _run.Stop();

        var served = _statuses.Values.Sum();
        var dead = _fates.Where(fate => fate.Value.Ended is not null).Select(fate => fate.Key).ToList();
        output.WriteLine($"{seconds} s: {served} API requests ({string.Join(", ", _statuses.OrderBy(p => p.Key).Select(p => $"{p.Value} × {p.Key}"))}), " +
                         $"{_live.Count} tokens alive and {dead.Count} deleted or replaced at the end; " +
                         $"races: {string.Join(", ", _races.OrderBy(p => p.Key).Select(p => $"{p.Value} × {p.Key}"))}");
        _statuses.Keys.Should().NotContain(status => status >= 500);
        _app.Logs.Entries.Where(e => e.Level >= LogLevel.Error).Should().BeEmpty();
        _app.Logs.Entries.Should().NotContain(e => e.ToString().Contains("database is locked") || e.ToString().Contains("SQLITE_BUSY"));
        // Not a throughput figure (the machine may be busy with the browser tests): no reader was starved or blocked
        // by the writers, so each one still got answers in the second half of the run.
        _lastAnswerByReader.Should().HaveCount(4);
        _lastAnswerByReader.Values.Should().OnlyContain(at => at > TimeSpan.FromSeconds(seconds / 2.0),
            "the readers kept reading throughout");
        _races.Keys.Should().Contain(["delete × delete", "regenerate × delete", "create × revoke"]);

        // Each answer against its token's fate. A 401 is right only once the token's deletion, replacement or revoke
        // had begun; a 200 is wrong for a request sent after that call had returned ("stops working at once").
        var answers = _answers.ToArray();
        answers.Where(a => a.Status == HttpStatusCode.Unauthorized)
            .Where(a => !_fates.TryGetValue(a.PlainText, out var fate) || fate.EndBegan is not { } began || a.AnsweredAt < began)
            .Should().BeEmpty("a token is refused only after something began to end it");
        answers.Where(a => a.Status == HttpStatusCode.OK)
            .Where(a => _fates.TryGetValue(a.PlainText, out var fate) && fate.Ended is { } ended && a.SentAt > ended)
            .Should().BeEmpty("a token ended before the request was sent is refused");
        answers.Should().OnlyContain(a => a.Status == HttpStatusCode.OK || a.Status == HttpStatusCode.Unauthorized);

        foreach (var (_, plainText) in _live.Values)
        {
            (await GetMeAsync(plainText)).Should().Be(HttpStatusCode.OK);
        }

        foreach (var plainText in dead)
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
            // One request in four replays a token that was just deleted or replaced.
            var tokens = random.Next(4) == 0 ? _recentlyDead.ToArray() : _live.Values.Select(t => t.PlainText).ToArray();
            if (tokens.Length == 0)
            {
                await Task.Delay(1, CancellationToken.None);
                continue;
            }

            var plainText = tokens[random.Next(tokens.Length)];
            var sentAt = _run.Elapsed;
            var status = await GetMeAsync(plainText, client);
            _answers.Add(new Answer(plainText, sentAt, _run.Elapsed, status));
            _statuses.AddOrUpdate((int)status, 1, (_, n) => n + 1);
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
                    BeginEnd(deleted);
                    (await _app.WithTokenServiceAsync(t => t.DeleteAsync(userId, deleted))).Should().BeTrue();
                    Retire(deleted);
                    break;
                case 2 when mine.Length > 0:
                    var regenerated = mine[random.Next(mine.Length)];
                    BeginEnd(regenerated);
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
            foreach (var id in ids)
            {
                BeginEnd(id);
            }

            await _app.WithServiceAsync<DeveloperAccessService, int>(access => access.RevokeAsync(staffId, userId));
            foreach (var id in ids)
            {
                Retire(id);
            }
        }
    }

    // Two writes at once on one account, each on a thread of its own, again and again. Each pair must end as one of
    // its serial orders would. The three races take turns, and each runs at least once however slow the machine is
    // (under the whole suite a race can take seconds): the run waits for them.
    private async Task RaceAsync(string staffId, string userId, Random random, CancellationToken stop)
    {
        var races = 0;
        while (races < 3 || !stop.IsCancellationRequested)
        {
            var mine = _live.Where(t => t.Value.UserId == userId).Select(t => t.Key).ToArray();
            if (mine.Length < 3)
            {
                await CreateAsync(userId);
                continue;
            }

            var id = mine[random.Next(mine.Length)];
            var began = _run.Elapsed;
            switch (races++ % 3)
            {
                case 0:
                    BeginEnd(id);
                    var deletes = await Task.WhenAll(DeleteAsync(userId, id), DeleteAsync(userId, id));
                    deletes.Count(deleted => deleted).Should().Be(1, "of two deletes of one token, exactly one deletes it");
                    Retire(id);
                    Count("delete × delete");
                    break;
                case 1:
                    BeginEnd(id);
                    var regenerate = Task.Run(() => _app.WithTokenServiceAsync(t => t.RegenerateAsync(userId, id)));
                    var delete = DeleteAsync(userId, id);
                    await Task.WhenAll(regenerate, delete);
                    (await delete).Should().BeTrue("the token is there to delete whichever runs first");
                    var regenerated = await regenerate;
                    if (regenerated.Succeeded)
                    {
                        // Regenerated first, then deleted: the new secret is dead too.
                        AddEnded(regenerated.Token!.PlainText, began);
                    }
                    else
                    {
                        regenerated.Error.Should().Be(ApiTokenError.NotFound);
                    }

                    Retire(id);
                    Count("regenerate × delete");
                    break;
                case 2:
                    foreach (var token in mine)
                    {
                        BeginEnd(token);
                    }

                    var create = Task.Run(() => _app.WithTokenServiceAsync(t => t.CreateAsync(userId, $"Race {Guid.NewGuid():N}")));
                    var revoke = Task.Run(() => _app.WithServiceAsync<DeveloperAccessService, int>(access => access.RevokeAsync(staffId, userId)));
                    await Task.WhenAll(create, revoke);
                    var created = await create;
                    if (created.Succeeded)
                    {
                        // Created first, then revoked with the rest.
                        AddEnded(created.Token!.PlainText, began);
                    }
                    else
                    {
                        created.Error.Should().Be(ApiTokenError.NoDeveloperAccess);
                    }

                    (await revoke).Should().Be(mine.Length + (created.Succeeded ? 1 : 0));
                    (await _app.WithTokenServiceAsync(t => t.ListAsync(userId))).Should().BeEmpty("a revoke leaves no token behind");
                    foreach (var token in mine)
                    {
                        Retire(token);
                    }

                    await _app.WithServiceAsync<DeveloperAccessService, bool>(async access =>
                    {
                        await access.GrantAsync(staffId, userId);
                        return true;
                    });
                    Count("create × revoke");
                    break;
            }
        }
    }

    // On a thread of its own: SQLite's async calls complete synchronously, so two calls made one after the other on
    // this thread would run one after the other, never racing.
    private Task<bool> DeleteAsync(string userId, Guid tokenId) => Task.Run(() => _app.WithTokenServiceAsync(t => t.DeleteAsync(userId, tokenId)));

    private void Count(string race) => _races.AddOrUpdate(race, 1, (_, n) => n + 1);

    private async Task CreateAsync(string userId)
    {
        var created = await _app.CreateTokenAsync(userId, $"Soak {Guid.NewGuid():N}");
        _live[created.Summary.Id] = (userId, created.PlainText);
    }

    /// <summary>Call before the write that ends a live token's secret: from now on a 401 for it may be right.</summary>
    private void BeginEnd(Guid tokenId) => _fates[_live[tokenId].PlainText] = new Fate { EndBegan = _run.Elapsed };

    /// <summary>Call once that write returned: from now on the secret must be refused.</summary>
    private void Retire(Guid tokenId)
    {
        if (_live.TryRemove(tokenId, out var token))
        {
            _fates[token.PlainText].Ended = _run.Elapsed;
            AddDead(token.PlainText);
        }
    }

    /// <summary>A secret that never went live: made and ended within one race that began at <paramref name="began"/>.</summary>
    private void AddEnded(string plainText, TimeSpan began)
    {
        _fates[plainText] = new Fate { EndBegan = began, Ended = _run.Elapsed };
        AddDead(plainText);
    }

    private void AddDead(string plainText)
    {
        _recentlyDead.Enqueue(plainText);
        while (_recentlyDead.Count > 100)
        {
            _recentlyDead.TryDequeue(out _);
        }
    }

    private sealed class Fate
    {
        public TimeSpan? EndBegan { get; init; }

        public TimeSpan? Ended { get; set; }
    }

    private sealed record Answer(string PlainText, TimeSpan SentAt, TimeSpan AnsweredAt, HttpStatusCode Status);

    private async Task<HttpStatusCode> GetMeAsync(string token, HttpClient? client = null)
    {
        using var response = await (client ?? _checkClient).GetMeAsync(token);
        return response.StatusCode;
    }
}

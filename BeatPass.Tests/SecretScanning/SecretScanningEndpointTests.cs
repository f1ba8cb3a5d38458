using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using BeatPass.Core.ApiTokens;
using BeatPass.Core.Audit;
using BeatPass.Tests.Infrastructure;
using BeatPass.Web.SecretScanning;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace BeatPass.Tests.SecretScanning;

/// <summary>
/// The app with GitHub's key endpoint played by a <see cref="TestKeyServer"/> serving a key made here and the key of
/// GitHub's published sample, a low public revocation limit, 127.0.0.1 as its known proxy (so each test counts as a
/// client address of its own, through X-Forwarded-For), and its database commands counted.
/// </summary>
public sealed class SecretScanningApp : LiveAppFactory, IAsyncLifetime
{
    public const int RevocationsPerHour = 5;

    public TestKeyServer Keys { get; private set; } = null!;

    public TestSigningKey Key { get; } = new();

    public DatabaseCommands Commands { get; } = new();

    /// <summary>Whether 127.0.0.1 is a known proxy, whose X-Forwarded-For is the client's address.</summary>
    public bool TrustsLoopbackProxy { get; init; } = true;

    /// <summary>Starts the key server, whose address the app's settings name, then the app.</summary>
    async Task IAsyncLifetime.InitializeAsync()
    {
        Keys = await TestKeyServer.StartAsync();
        ServeUsualKeys();
        await InitializeAsync();
    }

    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();

    /// <summary>The key made here and the published sample's.</summary>
    public void ServeUsualKeys() => Keys.Serve(Key.Published, (GitHubSample.KeyIdentifier, GitHubSample.Key));

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("SecretScanning:GitHub:KeysUrl", Keys.KeysUrl.ToString());
        builder.UseSetting("SecretScanning:PublicRevocationsPerHour", RevocationsPerHour.ToString());
        if (TrustsLoopbackProxy)
        {
            builder.UseSetting("ForwardedHeaders:KnownProxies:0", "127.0.0.1");
        }

        builder.ConfigureTestServices(services => services.AddSingleton<IDbCommandInterceptor>(Commands));
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Keys.DisposeAsync();
        Key.Dispose();
    }
}

/// <summary>The sample alert GitHub's documentation publishes: its key, the body's exact bytes and their signature.</summary>
public static class GitHubSample
{
    public const string KeyIdentifier = "bcb53661c06b4728e59d897fb6165d5c9cda0fd9cdf9d09ead458168deb7518c";

    public const string Key = """
        -----BEGIN PUBLIC KEY-----
        MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEYAGMWO8XgCamYKMJS6jc/qgvSlAd
        AjPuDPRcXU22YxgBrz+zoN19MzuRyW87qEt9/AmtoNP5GrobzUvQSyJFVw==
        -----END PUBLIC KEY-----
        """;

    public const string Body = """[{"source":"commit","token":"some_token","type":"some_type","url":"https://example.com/base-repo-url/"}]""";

    public const string Signature = "MEQCIQDaMKqrGnE27S0kgMrEK0eYBmyG0LeZismAEz/BgZyt7AIfXt9fErtRS4XaeSt/AO1RtBY66YcAdjxji410VQV4xg==";
}

public sealed class SecretScanningEndpointTests(SecretScanningApp app, ITestOutputHelper output) : IClassFixture<SecretScanningApp>
{
    private const string FoundAt = "https://github.com/someone/app/blob/0123abc/deploy.sh";

    // Each test's own client address, through the known proxy, so that the public revocation's limit counts each test
    // apart (xunit makes an instance per test; a random one could repeat and share an allowance).
    private static int _lastClient;

    private readonly string _clientAddress = $"198.51.100.{Interlocked.Increment(ref _lastClient)}";

    [Fact]
    public async Task GitHubs_published_sample_alert_verifies_and_one_changed_byte_does_not()
    {
        using var verified = await PostAlertAsync(Encoding.UTF8.GetBytes(GitHubSample.Body), GitHubSample.KeyIdentifier, GitHubSample.Signature);

        verified.StatusCode.Should().Be(HttpStatusCode.OK, await verified.Content.ReadAsStringAsync());
        var feedback = await verified.Content.ReadFromJsonAsync<JsonElement>();
        feedback.GetRawText().Should().Be(JsonSerializer.Serialize(new[]
        {
            new { token_hash = Sha256Hex("some_token"), token_type = "some_type", label = "false_positive" },
        }));

        var changed = Encoding.UTF8.GetBytes(GitHubSample.Body.Replace("some_token", "some_tokeN"));
        using var refused = await PostAlertAsync(changed, GitHubSample.KeyIdentifier, GitHubSample.Signature);
        refused.StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_signed_alert_revokes_a_working_token_tells_of_an_old_secret_and_labels_each_record()
    {
        var holder = await app.CreateUserAsync();
        var leaked = await app.CreateTokenAsync(holder.Id, "Leaked in a commit");
        var rotated = await app.CreateTokenAsync(holder.Id, "Rotated long ago");
        var current = (await app.WithTokenServiceAsync(t => t.RegenerateAsync(holder.Id, rotated.Summary.Id))).Token!;
        var madeUp = ApiTokenFormat.Generate();
        using var client = app.CreateHttpClient();
        (await client.GetMeAsync(leaked.PlainText)).StatusCode.Should().Be(HttpStatusCode.OK);

        using var response = await PostAlertAsync(Alert(
            (leaked.PlainText, "bpat_token", FoundAt), (madeUp, "bpat_token", FoundAt), (rotated.PlainText, "bpat_token", FoundAt), ("ghp_notours", "other", FoundAt)));

        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        (await Labels(response)).Should().Equal(
            (Sha256Hex(leaked.PlainText), "bpat_token", "true_positive"),
            (Sha256Hex(madeUp), "bpat_token", "false_positive"),
            (Sha256Hex(rotated.PlainText), "bpat_token", "true_positive"),
            (Sha256Hex("ghp_notours"), "other", "false_positive"));
        (await client.GetMeAsync(leaked.PlainText)).StatusCode.Should().Be(HttpStatusCode.Unauthorized, "a revoked token stops working at once");
        (await client.GetMeAsync(current.PlainText)).StatusCode.Should().Be(HttpStatusCode.OK, "only an old secret of this token was found");

        var revoked = await app.Mail.WaitForMessageAsync(holder.Email!, m => m.Subject!.Contains("found in public"));
        revoked.TextBody.Should().Contain("\"Leaked in a commit\"").And.Contain(FoundAt).And.Contain(app.PublicUrl + "account/settings/developers")
            .And.NotContain(leaked.PlainText);
        var old = await app.Mail.WaitForMessageAsync(holder.Email!, m => m.Subject!.Contains("old secret"));
        old.TextBody.Should().Contain("\"Rotated long ago\"").And.Contain(FoundAt);
    }

    [Fact]
    public async Task The_same_alert_again_changes_nothing_and_sends_nothing()
    {
        var holder = await app.CreateUserAsync();
        var leaked = await app.CreateTokenAsync(holder.Id, "Reported twice");
        var body = Alert((leaked.PlainText, "bpat_token", FoundAt));
        using (var first = await PostAlertAsync(body))
        {
            first.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        await app.Mail.WaitForMessageAsync(holder.Email!, m => m.Subject!.Contains("found in public"));
        var events = await CountEventsAsync(holder.Id);

        using var again = await PostAlertAsync(body);

        again.StatusCode.Should().Be(HttpStatusCode.OK);
        (await Labels(again)).Should().Equal((Sha256Hex(leaked.PlainText), "bpat_token", "true_positive"));
        (await CountEventsAsync(holder.Id)).Should().Be(events);
        // Anything the second alert queued would be in the outbox now or already delivered: wait for the outbox to empty.
        await Wait.UntilAsync(async () => !await app.WithDbAsync(db => db.OutgoingEmails.AnyAsync(m => m.To == holder.Email)),
            TimeSpan.FromSeconds(15), "the outbox should empty");

        app.Mail.MessagesTo(holder.Email!).Should().ContainSingle(m => m.Subject!.Contains("found in public"));
    }

    public static TheoryData<string> UnverifiedAlerts() =>
    [
        "no headers", "no signature", "no key id", "signature not base64", "signed by another key", "unknown key id",
        "body changed", "signed, not JSON", "signed, an object", "signed, a record without a token",
    ];

    [Theory]
    [MemberData(nameof(UnverifiedAlerts))]
    public async Task An_unverified_alert_gets_400_and_changes_nothing(string what)
    {
        var holder = await app.CreateUserAsync();
        var token = await app.CreateTokenAsync(holder.Id, "Still fine");
        var body = Alert((token.PlainText, "bpat_token", FoundAt));
        using var otherKey = new TestSigningKey();
        using var response = what switch
        {
            "no headers" => await PostAlertAsync(body, keyIdentifier: null, signature: null),
            "no signature" => await PostAlertAsync(body, app.Key.Id, signature: null),
            "no key id" => await PostAlertAsync(body, keyIdentifier: null, app.Key.Sign(body)),
            "signature not base64" => await PostAlertAsync(body, app.Key.Id, "not base64!"),
            "signed by another key" => await PostAlertAsync(body, app.Key.Id, otherKey.Sign(body)),
            "unknown key id" => await PostAlertAsync(body, otherKey.Id, otherKey.Sign(body)),
            "body changed" => await PostAlertAsync([.. body, (byte)' '], app.Key.Id, app.Key.Sign(body)),
            "signed, not JSON" => await PostAlertAsync(Encoding.UTF8.GetBytes("not json " + token.PlainText)),
            "signed, an object" => await PostAlertAsync(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { token = token.PlainText }))),
            "signed, a record without a token" => await PostAlertAsync(Encoding.UTF8.GetBytes("""[{"type":"bpat_token","url":"https://x.test/"}]""")),
            _ => throw new ArgumentOutOfRangeException(nameof(what)),
        };

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest, what);
        using var client = app.CreateHttpClient();
        (await client.GetMeAsync(token.PlainText)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await CountEventsAsync(holder.Id)).Should().Be(1, "only the token's creation is in the log");
    }

    [Fact]
    public async Task An_unknown_key_id_fetches_the_keys_again_at_most_once_a_minute()
    {
        var holder = await app.CreateUserAsync();
        var token = await app.CreateTokenAsync(holder.Id, "Signed with a new key");
        using var newKey = new TestSigningKey();
        app.Keys.Serve(newKey.Published, app.Key.Published, (GitHubSample.KeyIdentifier, GitHubSample.Key));
        try
        {
            app.Time.Advance(GitHubSecretScanningKeys.RefetchInterval); // whatever an earlier test fetched, a fetch may go now
            var fetches = app.Keys.Fetches;

            var body = Alert((token.PlainText, "bpat_token", FoundAt));
            using (var withNewKey = await PostAlertAsync(body, newKey.Id, newKey.Sign(body)))
            {
                withNewKey.StatusCode.Should().Be(HttpStatusCode.OK, "GitHub's new key is fetched when its id first arrives");
            }

            app.Keys.Fetches.Should().Be(fetches + 1);

            // A flood of made-up key ids within the minute: refused, and no further fetch.
            for (var i = 0; i < 20; i++)
            {
                using var madeUpKey = new TestSigningKey();
                using var flood = await PostAlertAsync(body, madeUpKey.Id, madeUpKey.Sign(body));
                flood.StatusCode.Should().Be(HttpStatusCode.BadRequest);
            }

            app.Keys.Fetches.Should().Be(fetches + 1, "an unknown id fetches at most once a minute");

            app.Time.Advance(GitHubSecretScanningKeys.RefetchInterval);
            using var later = new TestSigningKey();
            using (var afterAMinute = await PostAlertAsync(body, later.Id, later.Sign(body)))
            {
                afterAMinute.StatusCode.Should().Be(HttpStatusCode.BadRequest);
            }

            app.Keys.Fetches.Should().Be(fetches + 2, "a minute later an unknown id may fetch again");
        }
        finally
        {
            app.ServeUsualKeys();
        }
    }

    [Fact]
    public async Task Keys_that_cannot_be_fetched_give_503_so_GitHub_sends_the_alert_again()
    {
        var holder = await app.CreateUserAsync();
        var token = await app.CreateTokenAsync(holder.Id, "Waits for the keys");
        using var newKey = new TestSigningKey();
        var body = Alert((token.PlainText, "bpat_token", FoundAt));
        app.Time.Advance(GitHubSecretScanningKeys.RefetchInterval);
        app.Keys.IsDown = true;
        try
        {
            using var unavailable = await PostAlertAsync(body, newKey.Id, newKey.Sign(body));

            unavailable.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
            unavailable.Headers.RetryAfter.Should().NotBeNull();
            using var client = app.CreateHttpClient();
            (await client.GetMeAsync(token.PlainText)).StatusCode.Should().Be(HttpStatusCode.OK, "nothing changed");
        }
        finally
        {
            app.Keys.IsDown = false;
        }

        // GitHub sends it again later, once the keys can be fetched.
        app.Keys.Serve(newKey.Published, app.Key.Published, (GitHubSample.KeyIdentifier, GitHubSample.Key));
        app.Time.Advance(GitHubSecretScanningKeys.RefetchInterval);
        try
        {
            using var retried = await PostAlertAsync(body, newKey.Id, newKey.Sign(body));
            retried.StatusCode.Should().Be(HttpStatusCode.OK);
        }
        finally
        {
            app.ServeUsualKeys();
        }
    }

    [Fact]
    public async Task An_alert_of_1000_records_is_answered_within_GitHubs_10_seconds()
    {
        // Made straight into the database, and few of them, so that only a few revocation emails join the outbox other
        // tests wait on (100 held up the next test's email past 15 s in CI); the service tests revoke 500 at once.
        var real = await AddTokensAsync((await app.CreateUserAsync()).Id, 10);

        var records = real.Concat(Enumerable.Range(0, 1000 - real.Count).Select(_ => ApiTokenFormat.Generate())).OrderBy(_ => Random.Shared.Next()).ToList();
        var body = Alert([.. records.Select(token => (token, "bpat_token", FoundAt))]);

        var stopwatch = Stopwatch.StartNew();
        using var response = await PostAlertAsync(body);
        stopwatch.Stop();
        output.WriteLine($"1,000 records, {real.Count} of them working tokens: answered in {stopwatch.ElapsedMilliseconds} ms");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        stopwatch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10));
        (await Labels(response)).Select(l => l.Label).Should().Equal(records.Select(r => real.Contains(r) ? "true_positive" : "false_positive"));
        using var client = app.CreateHttpClient();
        foreach (var token in real.Take(10))
        {
            (await client.GetMeAsync(token)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        }
    }

    [Fact]
    public async Task A_public_revocation_answers_202_with_the_same_body_whatever_it_names_and_revokes_working_tokens()
    {
        var holder = await app.CreateUserAsync();
        var token = await app.CreateTokenAsync(holder.Id, "Pasted in a forum");

        var answers = new List<string>();
        foreach (var credentials in new[] { [token.PlainText], [ApiTokenFormat.Generate()], ["not a token"], Array.Empty<string>() })
        {
            using var response = await PostRevocationAsync(new { credentials });
            response.StatusCode.Should().Be(HttpStatusCode.Accepted);
            answers.Add(await response.Content.ReadAsStringAsync());
        }

        answers.Distinct().Should().ContainSingle("the answer tells nothing about a token");
        using var client = app.CreateHttpClient();
        (await client.GetMeAsync(token.PlainText)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        var listed = (await app.WithTokenServiceAsync(t => t.ListAsync(holder.Id))).Single();
        listed.RevokedReason.Should().Be(ApiTokenLeakReports.ReportedReason);
        var mail = await app.Mail.WaitForMessageAsync(holder.Email!, m => m.Subject!.Contains("reported as exposed"));
        mail.TextBody.Should().Contain("\"Pasted in a forum\"").And.Contain(app.PublicUrl + "account/settings/developers");
        var audited = await app.WithDbAsync(db => db.AuditEvents.SingleAsync(e => e.SubjectUserId == holder.Id && e.Action == AuditAction.TokenRevoked));
        audited.ActorUserId.Should().Be(Actor.PublicReport.Id);
    }

    [Fact]
    public async Task A_public_revocation_of_made_up_tokens_costs_no_query()
    {
        // The issuer reads its key once per node; after that a made-up token is refused by its tag alone.
        await app.WithServiceAsync<ApiTokenIssuer, bool>(async issuer => { await issuer.LoadAsync(); return true; });
        var madeUp = Enumerable.Range(0, SecretScanningEndpoints.MaxCredentials).Select(_ => ApiTokenFormat.Generate()).ToArray();

        using var commands = app.Commands.Start(_ => true);
        using var response = await PostRevocationAsync(new { credentials = madeUp });

        response.StatusCode.Should().Be(HttpStatusCode.Accepted);
        commands.Count.Should().Be(0);
    }

    public static TheoryData<string> BadRevocations() =>
    [
        "not json",
        """["bpat_x"]""",
        """{"tokens":["bpat_x"]}""",
        """{"credentials":[1, 2]}""",
        """{"credentials":"bpat_x"}""",
        """{"credentials":[null]}""",
        JsonSerializer.Serialize(new { credentials = Enumerable.Repeat("bpat_x", SecretScanningEndpoints.MaxCredentials + 1) }),
    ];

    [Theory]
    [MemberData(nameof(BadRevocations))]
    public async Task A_malformed_public_revocation_gets_400(string body)
    {
        using var response = await PostRevocationAsync(new StringContent(body, Encoding.UTF8, "application/json"));

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).Should().Contain("credentials");
    }

    [Fact]
    public async Task Public_revocations_are_limited_per_client_address()
    {
        for (var i = 0; i < SecretScanningApp.RevocationsPerHour; i++)
        {
            using var allowed = await PostRevocationAsync(new { credentials = new[] { ApiTokenFormat.Generate() } });
            allowed.StatusCode.Should().Be(HttpStatusCode.Accepted);
        }

        using var refused = await PostRevocationAsync(new { credentials = new[] { ApiTokenFormat.Generate() } });
        refused.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        refused.Headers.RetryAfter.Should().NotBeNull();

        using var otherClient = await PostRevocationAsync(new { credentials = new[] { ApiTokenFormat.Generate() } }, clientAddress: "203.0.113.200");
        otherClient.StatusCode.Should().Be(HttpStatusCode.Accepted, "another address has its own allowance");
    }

    private async Task<HttpResponseMessage> PostAlertAsync(byte[] body) => await PostAlertAsync(body, app.Key.Id, app.Key.Sign(body));

    private async Task<HttpResponseMessage> PostAlertAsync(byte[] body, string? keyIdentifier, string? signature)
    {
        using var client = app.CreateHttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, SecretScanningEndpoints.GitHubAlertPath) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        if (keyIdentifier is not null)
        {
            request.Headers.Add(SecretScanningEndpoints.KeyIdentifierHeader, keyIdentifier);
        }

        if (signature is not null)
        {
            request.Headers.Add(SecretScanningEndpoints.SignatureHeader, signature);
        }

        return await client.SendAsync(request);
    }

    private Task<HttpResponseMessage> PostRevocationAsync(object body, string? clientAddress = null) =>
        PostRevocationAsync(JsonContent.Create(body), clientAddress);

    private async Task<HttpResponseMessage> PostRevocationAsync(HttpContent content, string? clientAddress = null)
    {
        using var client = app.CreateHttpClient();
        client.DefaultRequestHeaders.Add("X-Forwarded-For", clientAddress ?? _clientAddress);
        return await client.PostAsync(SecretScanningEndpoints.PublicRevocationPath, content);
    }

    private static byte[] Alert(params (string Token, string Type, string Url)[] records) =>
        JsonSerializer.SerializeToUtf8Bytes(records.Select(r => new { source = "commit", token = r.Token, type = r.Type, url = r.Url }));

    private static async Task<List<(string Hash, string Type, string Label)>> Labels(HttpResponseMessage response) =>
        [.. (await response.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().Select(e =>
            (e.GetProperty("token_hash").GetString()!, e.GetProperty("token_type").GetString()!, e.GetProperty("label").GetString()!))];

    /// <summary>Tokens written straight into the app's database, in one write; their secrets.</summary>
    private async Task<List<string>> AddTokensAsync(string userId, int count)
    {
        var issuer = app.Services.GetRequiredService<ApiTokenIssuer>();
        var secrets = new List<string>();
        for (var i = 0; i < count; i++)
        {
            secrets.Add(await issuer.GenerateAsync());
        }

        var now = app.Time.GetUtcNow().UtcDateTime;
        await app.WithDbAsync(db =>
        {
            db.ApiTokens.AddRange(TestTokens.Rows(userId, secrets, now));
            return db.SaveChangesAsync();
        });
        return secrets;
    }

    private Task<int> CountEventsAsync(string userId) => app.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.SubjectUserId == userId));

    private static string Sha256Hex(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}

/// <summary>Without a known proxy, X-Forwarded-For is the client's own say-so: it must not buy a fresh allowance.</summary>
public sealed class PublicRevocationLimitWithoutProxyTests : IAsyncLifetime
{
    private readonly SecretScanningApp _app = new() { TrustsLoopbackProxy = false };

    public Task InitializeAsync() => ((IAsyncLifetime)_app).InitializeAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task A_forwarded_address_from_an_unknown_peer_does_not_count_as_another_client()
    {
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i <= SecretScanningApp.RevocationsPerHour; i++)
        {
            using var client = _app.CreateHttpClient();
            client.DefaultRequestHeaders.Add("X-Forwarded-For", $"203.0.113.{i + 1}");
            using var response = await client.PostAsJsonAsync(SecretScanningEndpoints.PublicRevocationPath, new { credentials = new[] { ApiTokenFormat.Generate() } });
            statuses.Add(response.StatusCode);
        }

        statuses.Should().Equal([.. Enumerable.Repeat(HttpStatusCode.Accepted, SecretScanningApp.RevocationsPerHour), HttpStatusCode.TooManyRequests]);
    }
}

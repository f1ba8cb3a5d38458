using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using BeatPass.Core.ApiTokens;
using BeatPass.Core.Data;
using BeatPass.Core.DeveloperAccess;
using BeatPass.Core.Services;
using BeatPass.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Xunit.Abstractions;
using BeatPass.Web.Areas.Identity;
using BeatPass.Web.SecretScanning;

namespace BeatPass.Tests.Hosting;

/// <summary>Two app nodes on one PostgreSQL database, as behind a load balancer.</summary>
public sealed class TwoNodes : IAsyncLifetime
{
    public PostgreSqlNode A { get; } = new();

    public PostgreSqlNode B { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await A.InitializeAsync();
        B = new PostgreSqlNode(A.PostgreSqlDatabase);
        await B.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await B.DisposeAsync();
        await A.DisposeAsync();
    }
}

public sealed class SeveralNodesTests(TwoNodes nodes, ITestOutputHelper output) : IClassFixture<TwoNodes>
{
    /// <summary>How soon a change on one node must reach the other.</summary>
    private static readonly TimeSpan WithinOneSecond = TimeSpan.FromSeconds(1);

    private int _refusedAtOnce; // changes whose first request on node B after the commit was already refused

    private PostgreSqlNode A => nodes.A;

    private PostgreSqlNode B => nodes.B;

    [Fact]
    public async Task A_cookie_from_signing_in_on_one_node_opens_Account_Settings_on_the_other()
    {
        var user = await A.CreateUserAsync();
        var cookies = new CookieContainer(); // 127.0.0.1's cookies go to both ports, as a balancer's to both nodes
        using var onA = A.CreateFormClient(cookies);
        (await IdentityForms.SignInAsync(onA, user.Email!, BeatPassAppFactory.Password)).StatusCode.Should().Be(HttpStatusCode.Redirect);

        using var onB = B.CreateFormClient(cookies);
        using var withoutCookie = B.CreateFormClient();

        (await onB.GetAsync("/account/settings")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await withoutCookie.GetAsync("/account/settings")).StatusCode.Should().Be(HttpStatusCode.Redirect, "it goes to sign in");
    }

    [Fact]
    public async Task A_form_served_by_one_node_posts_on_the_other()
    {
        var user = await A.CreateUserAsync();
        var cookies = new CookieContainer();
        using var onA = A.CreateFormClient(cookies);
        using var onB = B.CreateFormClient(cookies);
        var form = await onA.GetStringAsync(IdentityPages.Login);

        // Node B checks the antiforgery token and cookie node A issued, then signs in.
        var signIn = await onB.PostAsync(IdentityPages.Login, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Input.Email"] = user.Email!,
            ["Input.Password"] = BeatPassAppFactory.Password,
            ["__RequestVerificationToken"] = IdentityForms.AntiforgeryToken(form),
        }));

        signIn.StatusCode.Should().Be(HttpStatusCode.Redirect);
        signIn.Headers.Location!.ToString().Should().Be("/");
        (await onA.GetAsync("/account/settings")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_password_reset_link_sent_by_one_node_works_on_the_other()
    {
        const string newPassword = "Another-password-2";
        var user = await A.CreateUserAsync();
        await IdentityForms.PostAsync(A.CreateFormClient(), IdentityPages.ForgotPassword, new() { ["Input.Email"] = user.Email! });
        var link = new Uri(EmailLinks.Single(await A.Mail.WaitForMessageAsync(user.Email!)));
        var code = Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(System.Web.HttpUtility.ParseQueryString(link.Query)["code"]!));

        var reset = await IdentityForms.PostAsync(B.CreateFormClient(), link.PathAndQuery, new()
        {
            ["Input.Email"] = user.Email!,
            ["Input.Password"] = newPassword,
            ["Input.ConfirmPassword"] = newPassword,
            ["Input.Code"] = code,
        });

        reset.Headers.Location!.ToString().Should().Contain("ResetPasswordConfirmation");
        (await IdentityForms.SignInAsync(B.CreateFormClient(), user.Email!, newPassword)).Headers.Location!.ToString().Should().Be("/");
    }

    [Fact]
    public async Task A_token_created_on_one_node_answers_on_the_other_at_once()
    {
        var user = await A.CreateUserAsync();

        var token = await A.CreateTokenAsync(user.Id);

        (await CallMeAsync(B, token.PlainText)).Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_token_deleted_on_one_node_is_refused_on_the_other_within_a_second_over_50_deletes()
    {
        var user = await A.CreateUserAsync();
        var delays = new List<TimeSpan>();
        for (var i = 0; i < 50; i++)
        {
            var token = await A.CreateTokenAsync(user.Id, $"Deleted {i}");
            delays.Add(await TimeUntilRefusedOnBAsync(token.PlainText,
                () => A.WithTokenServiceAsync(tokens => tokens.DeleteAsync(user.Id, token.Summary.Id))));
        }

        Report("delete", delays);
        delays.Should().AllSatisfy(delay => delay.Should().BeLessThan(WithinOneSecond));
    }

    [Fact]
    public async Task A_token_reported_as_exposed_on_one_node_is_refused_on_the_other_within_a_second_over_20_reports()
    {
        var user = await A.CreateUserAsync();
        using var onA = A.CreateHttpClient();
        var delays = new List<TimeSpan>();
        for (var i = 0; i < 20; i++)
        {
            var token = await A.CreateTokenAsync(user.Id, $"Leaked {i}");
            delays.Add(await TimeUntilRefusedOnBAsync(token.PlainText, async () =>
            {
                using var reported = await onA.PostAsJsonAsync(SecretScanningEndpoints.PublicRevocationPath, new { credentials = new[] { token.PlainText } });
                return reported.StatusCode.Should().Be(HttpStatusCode.Accepted);
            }));
        }

        Report("report as exposed", delays);
        delays.Should().AllSatisfy(delay => delay.Should().BeLessThan(WithinOneSecond));
    }

    [Fact]
    public async Task A_token_regenerated_on_one_node_has_its_old_secret_refused_on_the_other_within_a_second()
    {
        var user = await A.CreateUserAsync();
        var token = await A.CreateTokenAsync(user.Id);
        var delays = new List<TimeSpan>();
        var secret = token.PlainText;
        for (var i = 0; i < 20; i++)
        {
            CreatedApiToken? regenerated = null;
            delays.Add(await TimeUntilRefusedOnBAsync(secret, async () =>
            {
                regenerated = (await A.WithTokenServiceAsync(tokens => tokens.RegenerateAsync(user.Id, token.Summary.Id))).Token;
                return true;
            }));
            secret = regenerated!.PlainText;
            (await CallMeAsync(B, secret)).Should().Be(HttpStatusCode.OK, "the new secret works on every node");
        }

        Report("regenerate", delays);
        delays.Should().AllSatisfy(delay => delay.Should().BeLessThan(WithinOneSecond));
    }

    [Fact]
    public async Task Tokens_of_an_account_whose_access_staff_revoke_on_one_node_are_refused_on_the_other_within_a_second()
    {
        var staff = await A.CreateStaffAsync();
        var delays = new List<TimeSpan>();
        for (var i = 0; i < 20; i++)
        {
            var user = await A.CreateUserAsync();
            var token = await A.CreateTokenAsync(user.Id);
            delays.Add(await TimeUntilRefusedOnBAsync(token.PlainText,
                () => A.WithServiceAsync<DeveloperAccessService, int>(access => access.RevokeAsync(staff.Id, user.Id))));
        }

        Report("revoke", delays);
        delays.Should().AllSatisfy(delay => delay.Should().BeLessThan(WithinOneSecond));
    }

    [Fact]
    public async Task A_staff_permission_is_refused_on_the_other_node_within_a_second_after_the_holder_leaves_staff()
    {
        var delays = new List<TimeSpan>();
        for (var i = 0; i < 20; i++)
        {
            var staff = await A.CreateStaffAsync();
            await A.WithDbAsync(async db =>
            {
                (await db.Users.SingleAsync(u => u.Id == staff.Id)).HasDeveloperAccess = true;
                return await db.SaveChangesAsync();
            });
            var token = (await A.WithTokenServiceAsync(tokens => tokens.CreateAsync(
                staff.Id, "Admin script", permissions: [ApiPermissions.DeveloperAccessRead]))).Token!;
            // The role row alone, as Identity's role store removes it: the account's own row does not change.
            delays.Add(await TimeUntilRefusedOnBAsync(token.PlainText, () => A.WithDbAsync(async db =>
            {
                db.UserRoles.Remove(await db.UserRoles.SingleAsync(r => r.UserId == staff.Id));
                return await db.SaveChangesAsync();
            }), AdminAccountsPath));
        }

        Report("leaving staff", delays);
        delays.Should().AllSatisfy(delay => delay.Should().BeLessThan(WithinOneSecond));
    }

    [Fact]
    public async Task A_node_that_lost_its_notification_connection_forgets_what_it_cached_once_it_is_back()
    {
        var user = await A.CreateUserAsync();
        var token = await A.CreateTokenAsync(user.Id);
        (await CallMeAsync(B, token.PlainText)).Should().Be(HttpStatusCode.OK);
        var listener = B.Services.GetRequiredService<ApiTokenChangeListener>();

        // Cut node B's listening connection (as a restarted server or a dropped network would), and delete the token
        // while B hears nothing.
        await TerminateListenersAsync();
        await Wait.UntilAsync(() => !listener.IsListening, TimeSpan.FromSeconds(30));
        (await A.WithTokenServiceAsync(tokens => tokens.DeleteAsync(user.Id, token.Summary.Id))).Should().BeTrue();
        await Wait.UntilAsync(() => listener.IsListening, TimeSpan.FromSeconds(30));

        // Well before the cache entry's own lifetime (30 s) would end it.
        (await CallMeAsync(B, token.PlainText)).Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_token_deleted_on_one_node_is_inactive_and_refused_by_the_others_check_within_a_second_over_10_deletes()
    {
        var user = await A.CreateUserAsync();
        var service = await AddServiceAsync();
        var delays = new List<TimeSpan>();
        for (var i = 0; i < 10; i++)
        {
            var token = await A.CreateTokenAsync(user.Id, $"Checked {i}");
            (await IntrospectOnBAsync(service, token.PlainText)).Should().BeTrue("B has the token cached");
            delays.Add(await TimeUntilRefusedOnBAsync(token.PlainText,
                () => A.WithTokenServiceAsync(tokens => tokens.DeleteAsync(user.Id, token.Summary.Id)), BeatPass.Web.Api.ApiRequests.CheckPath));
            (await IntrospectOnBAsync(service, token.PlainText)).Should().BeFalse("B refuses it at /auth/check, so introspection too");
        }

        Report("delete, seen by /auth/check", delays);
        delays.Should().AllSatisfy(delay => delay.Should().BeLessThan(WithinOneSecond));
    }

    [Fact]
    public async Task A_service_revoked_on_one_node_is_refused_by_the_other_within_a_second()
    {
        var user = await A.CreateUserAsync();
        var token = await A.CreateTokenAsync(user.Id);
        var service = await AddServiceAsync();
        var staff = await A.CreateStaffAsync();
        (await IntrospectOnBAsync(service, token.PlainText)).Should().BeTrue("B has the service's credentials in memory");

        await A.WithServiceAsync<ServiceClients, bool>(async services => { await services.RevokeAsync(staff.Id, service.Service.Id); return true; });
        var sinceCommit = Stopwatch.StartNew();
        HttpStatusCode status;
        TimeSpan sentAt;
        do
        {
            sentAt = sinceCommit.Elapsed;
            using var client = B.CreateHttpClient();
            using var response = await client.IntrospectAsync(service, token.PlainText);
            status = response.StatusCode;
        }
        while (status == HttpStatusCode.OK && sinceCommit.Elapsed < WithinOneSecond * 5);

        status.Should().Be(HttpStatusCode.Unauthorized);
        output.WriteLine($"service revoked on A, refused by B for a request sent {sentAt.TotalMilliseconds:F1} ms after the commit");
        sentAt.Should().BeLessThan(WithinOneSecond);
    }

    private async Task<AddedServiceClient> AddServiceAsync()
    {
        var (added, error) = await A.Services.GetRequiredService<ServiceClients>().AddFromCommandLineAsync($"svc-{Guid.NewGuid():N}"[..20]);
        added.Should().NotBeNull(error);
        return added!;
    }

    private async Task<bool> IntrospectOnBAsync(AddedServiceClient service, string token)
    {
        using var client = B.CreateHttpClient();
        using var response = await client.IntrospectAsync(service, token);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        return System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("active").GetBoolean();
    }

    /// <summary>
    /// Checks that node B accepts <paramref name="secret"/> (so B has it cached), makes the change on node A, then
    /// asks B until it refuses the secret. Returns how long after the change's commit that first refused request was
    /// sent: the time B took to learn of the change, not how long a busy machine took to answer.
    /// </summary>
    private async Task<TimeSpan> TimeUntilRefusedOnBAsync<T>(string secret, Func<Task<T>> changeOnA, string path = ApiClient.MePath)
    {
        // 204 from /auth/check, 200 from the API.
        (await CallAsync(B, secret, path)).Should().BeOneOf(HttpStatusCode.OK, HttpStatusCode.NoContent);
        await changeOnA();
        var sinceCommit = Stopwatch.StartNew();
        var requests = 0;
        TimeSpan sentAt;
        do
        {
            sentAt = sinceCommit.Elapsed;
            requests++;
        }
        while (await CallAsync(B, secret, path) is HttpStatusCode.OK or HttpStatusCode.NoContent && sinceCommit.Elapsed < WithinOneSecond * 5);

        if (requests == 1)
        {
            _refusedAtOnce++;
        }

        return sentAt;
    }

    private void Report(string change, List<TimeSpan> delays)
    {
        var sorted = delays.Select(d => d.TotalMilliseconds).Order().ToList();
        double Percentile(double p) => sorted[(int)Math.Ceiling(p * sorted.Count) - 1];
        output.WriteLine(
            $"{change} on node A, refused by node B for a request sent this long after the commit (ms, {sorted.Count} changes): min {sorted[0]:F1}, " +
            $"p50 {Percentile(0.5):F1}, p95 {Percentile(0.95):F1}, max {sorted[^1]:F1}; " +
            $"refused by the first request after the commit {_refusedAtOnce} times");
    }

    private const string AdminAccountsPath = "/api/v1/admin/accounts";

    private static Task<HttpStatusCode> CallMeAsync(PostgreSqlNode node, string token) => CallAsync(node, token, ApiClient.MePath);

    private static async Task<HttpStatusCode> CallAsync(PostgreSqlNode node, string token, string path)
    {
        using var client = node.CreateHttpClient();
        return await client.GetStatusWithTokenAsync(path, token);
    }

    private async Task TerminateListenersAsync()
    {
        var database = new NpgsqlConnectionStringBuilder(A.PostgreSqlDatabase).Database;
        await using var connection = new NpgsqlConnection(PostgreSqlTestServer.AdminConnectionString);
        await connection.OpenAsync();
        await using var terminate = new NpgsqlCommand(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = @database AND application_name = @listener", connection);
        terminate.Parameters.AddWithValue("database", database!);
        terminate.Parameters.AddWithValue("listener", PostgreSqlDialect.ListenerApplicationName);
        var terminated = 0;
        await using (var rows = await terminate.ExecuteReaderAsync())
        {
            while (await rows.ReadAsync())
            {
                terminated++;
            }
        }

        output.WriteLine($"terminated {terminated}");
        terminated.Should().Be(2, "each node listens on a connection of its own");
    }
}

using System.Net;
using BeatPass.Core.Sessions;
using BeatPass.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using BeatPass.Web.Areas.Identity;

namespace BeatPass.Tests.Sessions;

/// <summary>Sign-in sessions kept server-side: a copied cookie dies with the session it came from.</summary>
public abstract class SignOutTests : LiveAppTest
{
    private const string CookieName = ".AspNetCore.Identity.Application";

    [Fact]
    public async Task A_cookie_copied_before_sign_out_is_signed_out_when_replayed_and_the_tokens_keep_working()
    {
        var user = await App.CreateUserAsync();
        var token = await App.CreateTokenAsync(user.Id);
        var (browser, cookies) = NewClient();
        (await IdentityForms.SignInAsync(browser, user.Email!, BeatPassAppFactory.Password)).StatusCode.Should().Be(HttpStatusCode.Redirect);
        var copied = cookies.GetCookies(App.BaseAddress)[CookieName]!.Value;
        copied.Length.Should().BeLessThan(400, "the cookie holds a session key, not the whole sign-in");
        (await ReplayAsync(copied)).StatusCode.Should().Be(HttpStatusCode.OK, "before sign-out the copy works, as the original does");

        var signedOut = await IdentityForms.PostAsync(browser, IdentityPages.Logout, new());
        signedOut.StatusCode.Should().Be(HttpStatusCode.Redirect);

        var replay = await ReplayAsync(copied);
        replay.StatusCode.Should().Be(HttpStatusCode.Redirect);
        replay.Headers.Location!.ToString().Should().Contain(IdentityPages.Login);
        (await App.WithDbAsync(db => db.UserSessions.CountAsync(s => s.UserId == user.Id))).Should().Be(0);
        (await CallMeAsync(token.PlainText)).Should().Be(HttpStatusCode.OK, "signing out never touches API tokens");
    }

    [Fact]
    public async Task A_session_ended_by_its_owner_elsewhere_is_refused_on_its_next_request_and_the_others_go_on()
    {
        var user = await App.CreateUserAsync();
        var token = await App.CreateTokenAsync(user.Id);
        var (first, firstCookies) = NewClient("First browser");
        var (second, secondCookies) = NewClient("Second browser");
        await IdentityForms.SignInAsync(first, user.Email!, BeatPassAppFactory.Password);
        await IdentityForms.SignInAsync(second, user.Email!, BeatPassAppFactory.Password);
        var sessions = await App.WithServiceAsync<UserSessionService, IReadOnlyList<UserSessionSummary>>(s => s.ListAsync(user.Id, null));
        sessions.Should().HaveCount(2);
        sessions.Should().AllSatisfy(s => s.IpAddress.Should().Be("127.0.0.1"));
        sessions.Select(s => s.UserAgent).Should().BeEquivalentTo("First-browser", "Second-browser");

        var ended = await App.WithServiceAsync<UserSessionService, bool>(s => s.EndAsync(user.Id, sessions.Single(x => x.UserAgent == "Second-browser").Id));

        ended.Should().BeTrue();
        (await ReplayAsync(secondCookies.GetCookies(App.BaseAddress)[CookieName]!.Value)).StatusCode.Should().Be(HttpStatusCode.Redirect);
        (await ReplayAsync(firstCookies.GetCookies(App.BaseAddress)[CookieName]!.Value)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await CallMeAsync(token.PlainText)).Should().Be(HttpStatusCode.OK, "ending a session never touches API tokens");
    }

    [Fact]
    public async Task Nobody_ends_a_session_of_someone_else()
    {
        var owner = await App.CreateUserAsync();
        var stranger = await App.CreateUserAsync();
        var (client, cookies) = NewClient();
        await IdentityForms.SignInAsync(client, owner.Email!, BeatPassAppFactory.Password);
        var session = (await App.WithServiceAsync<UserSessionService, IReadOnlyList<UserSessionSummary>>(s => s.ListAsync(owner.Id, null))).Single();

        var ended = await App.WithServiceAsync<UserSessionService, bool>(s => s.EndAsync(stranger.Id, session.Id));
        var endedOthers = await App.WithServiceAsync<UserSessionService, int>(s => s.EndOthersAsync(stranger.Id, Guid.NewGuid()));

        ended.Should().BeFalse();
        endedOthers.Should().Be(0);
        (await ReplayAsync(cookies.GetCookies(App.BaseAddress)[CookieName]!.Value)).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Sign_out_of_all_other_sessions_keeps_the_current_one()
    {
        var user = await App.CreateUserAsync();
        var clients = new List<(HttpClient Client, CookieContainer Cookies)>();
        for (var i = 0; i < 3; i++)
        {
            var client = NewClient($"Browser {i}");
            await IdentityForms.SignInAsync(client.Client, user.Email!, BeatPassAppFactory.Password);
            clients.Add(client);
        }

        var sessions = await App.WithServiceAsync<UserSessionService, IReadOnlyList<UserSessionSummary>>(s => s.ListAsync(user.Id, null));
        var current = sessions.Single(s => s.UserAgent == "Browser-0");
        var ended = await App.WithServiceAsync<UserSessionService, int>(s => s.EndOthersAsync(user.Id, current.Id));

        ended.Should().Be(2);
        (await ReplayAsync(clients[0].Cookies.GetCookies(App.BaseAddress)[CookieName]!.Value)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await ReplayAsync(clients[1].Cookies.GetCookies(App.BaseAddress)[CookieName]!.Value)).StatusCode.Should().Be(HttpStatusCode.Redirect);
        (await ReplayAsync(clients[2].Cookies.GetCookies(App.BaseAddress)[CookieName]!.Value)).StatusCode.Should().Be(HttpStatusCode.Redirect);
    }

    [Fact]
    public async Task A_session_cookie_planted_before_someone_signs_in_is_worth_nothing_afterwards()
    {
        // The attack: sign in to one's own account, plant that cookie in the victim's browser, wait for the victim to
        // sign in there, then use one's copy of the cookie.
        var attacker = await App.CreateUserAsync();
        var victim = await App.CreateUserAsync();
        var (attackerBrowser, attackerCookies) = NewClient();
        await IdentityForms.SignInAsync(attackerBrowser, attacker.Email!, BeatPassAppFactory.Password);
        var planted = attackerCookies.GetCookies(App.BaseAddress)[CookieName]!.Value;
        var victimCookies = new CookieContainer();
        victimCookies.Add(App.BaseAddress, new Cookie(CookieName, planted));
        using var victimBrowser = App.CreateFormClient(victimCookies);

        (await IdentityForms.SignInAsync(victimBrowser, victim.Email!, BeatPassAppFactory.Password)).StatusCode.Should().Be(HttpStatusCode.Redirect);

        var attackersCopy = await ReplayAsync(planted);
        attackersCopy.StatusCode.Should().Be(HttpStatusCode.Redirect, "the planted session ended when the victim signed in");
        attackersCopy.Headers.Location!.ToString().Should().Contain(IdentityPages.Login);
        var victimsOwn = await ReplayAsync(victimCookies.GetCookies(App.BaseAddress)[CookieName]!.Value);
        (await victimsOwn.Content.ReadAsStringAsync()).Should().Contain(victim.Email!).And.NotContain(attacker.Email!);
        (await App.WithServiceAsync<UserSessionService, IReadOnlyList<UserSessionSummary>>(s => s.ListAsync(attacker.Id, null))).Should().BeEmpty();
        (await App.WithServiceAsync<UserSessionService, IReadOnlyList<UserSessionSummary>>(s => s.ListAsync(victim.Id, null))).Should().ContainSingle();
    }

    [Fact]
    public async Task Signing_in_again_on_the_same_browser_starts_a_new_session_under_a_new_key()
    {
        var user = await App.CreateUserAsync();
        var (client, cookies) = NewClient();
        await IdentityForms.SignInAsync(client, user.Email!, BeatPassAppFactory.Password);
        var before = cookies.GetCookies(App.BaseAddress)[CookieName]!.Value;
        var first = (await App.WithServiceAsync<UserSessionService, IReadOnlyList<UserSessionSummary>>(s => s.ListAsync(user.Id, null))).Single();

        await IdentityForms.SignInAsync(client, user.Email!, BeatPassAppFactory.Password);

        (await ReplayAsync(before)).StatusCode.Should().Be(HttpStatusCode.Redirect, "the old key ended with its session");
        (await ReplayAsync(cookies.GetCookies(App.BaseAddress)[CookieName]!.Value)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await App.WithServiceAsync<UserSessionService, IReadOnlyList<UserSessionSummary>>(s => s.ListAsync(user.Id, null)))
            .Should().ContainSingle().Which.Id.Should().NotBe(first.Id);
    }

    private (HttpClient Client, CookieContainer Cookies) NewClient(string userAgent = "Test browser")
    {
        var cookies = new CookieContainer();
        var client = App.CreateFormClient(cookies);
        client.DefaultRequestHeaders.UserAgent.ParseAdd(userAgent.Replace(' ', '-'));
        return (client, cookies);
    }

    /// <summary>Opens an account page with only this cookie, as a fresh browser holding a copy of it would.</summary>
    private async Task<HttpResponseMessage> ReplayAsync(string cookie)
    {
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = App.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Get, IdentityPages.Email);
        request.Headers.Add("Cookie", $"{CookieName}={cookie}");
        return await client.SendAsync(request);
    }

    private async Task<HttpStatusCode> CallMeAsync(string token)
    {
        using var client = App.CreateHttpClient();
        using var response = await client.GetMeAsync(token);
        return response.StatusCode;
    }
}

public sealed class SignOutTestsOnSqlite : SignOutTests;

public sealed class SignOutTestsOnPostgreSql : SignOutTests
{
    protected override LiveAppFactory CreateApp() => new PostgreSqlNode();
}

using System.Net;
using BeatPass.Core.Sessions;
using BeatPass.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using BeatPass.Web.Areas.Identity;

namespace BeatPass.Tests.Sessions;

/// <summary>Sign-in sessions kept server-side: a copied cookie dies with the session it came from.</summary>
public sealed class SignOutTests : LiveAppTest
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
    public async Task Signing_in_as_another_account_on_the_same_browser_moves_the_session_to_that_account()
    {
        var first = await App.CreateUserAsync();
        var second = await App.CreateUserAsync();
        var (client, _) = NewClient();
        await IdentityForms.SignInAsync(client, first.Email!, BeatPassAppFactory.Password);

        (await IdentityForms.SignInAsync(client, second.Email!, BeatPassAppFactory.Password)).StatusCode.Should().Be(HttpStatusCode.Redirect);

        (await client.GetStringAsync(IdentityPages.Email)).Should().Contain(second.Email!).And.NotContain(first.Email!);
        (await App.WithServiceAsync<UserSessionService, IReadOnlyList<UserSessionSummary>>(s => s.ListAsync(first.Id, null))).Should().BeEmpty();
        (await App.WithServiceAsync<UserSessionService, IReadOnlyList<UserSessionSummary>>(s => s.ListAsync(second.Id, null))).Should().ContainSingle();
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

using System.Net;
using System.Net.Http.Headers;
using BeatPass.Core.Audit;
using BeatPass.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using BeatPass.Web.Areas.Identity;

namespace BeatPass.Tests.Sessions;

/// <summary>An account deleted through Identity's "Delete personal data" takes its tokens with it, on the record.</summary>
public sealed class AccountDeletionTests(BeatPassAppFactory app) : IClassFixture<BeatPassAppFactory>
{
    [Fact]
    public async Task Deleting_the_account_deletes_its_tokens_each_with_an_audit_event_and_they_stop_working()
    {
        var user = await app.CreateUserAsync();
        var first = await app.CreateTokenAsync(user.Id, "Release uploader");
        var second = await app.CreateTokenAsync(user.Id, "Analytics export");
        (await CallMeAsync(first.PlainText)).Should().Be(HttpStatusCode.OK, "the token works, and is in the cache, before");
        using var client = app.CreateClient(new() { HandleCookies = true, AllowAutoRedirect = false });
        await IdentityForms.SignInAsync(client, user.Email!, BeatPassAppFactory.Password);

        var deleted = await IdentityForms.PostAsync(client, IdentityPages.DeletePersonalData,
            new() { ["Input.Password"] = BeatPassAppFactory.Password });

        deleted.StatusCode.Should().Be(HttpStatusCode.Redirect);
        deleted.Headers.Location!.ToString().Should().Be(IdentityPages.AccountDeleted, "it says the account is gone, not the home page");
        (await client.GetStringAsync(deleted.Headers.Location)).Should()
            .Contain("Your BeatPass account is deleted, with its API tokens, and you are signed out on this browser.");
        (await app.WithDbAsync(db => db.Users.AnyAsync(u => u.Id == user.Id))).Should().BeFalse();
        (await app.WithDbAsync(db => db.ApiTokens.AnyAsync(t => t.UserId == user.Id))).Should().BeFalse();
        var events = await app.WithDbAsync(db => db.AuditEvents.Where(e => e.SubjectUserId == user.Id && e.Action == AuditAction.TokenDeleted)
            .Select(e => new { e.TokenName, e.ActorUserId }).ToListAsync());
        events.Select(e => e.TokenName).Should().BeEquivalentTo("Release uploader", "Analytics export");
        events.Should().OnlyContain(e => e.ActorUserId == user.Id, "the account holder deleted them");
        (await CallMeAsync(first.PlainText)).Should().Be(HttpStatusCode.Unauthorized);
        (await CallMeAsync(second.PlainText)).Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_wrong_password_deletes_nothing_and_records_nothing()
    {
        var user = await app.CreateUserAsync();
        await app.CreateTokenAsync(user.Id, "Kept");
        using var client = app.CreateClient(new() { HandleCookies = true, AllowAutoRedirect = false });
        await IdentityForms.SignInAsync(client, user.Email!, BeatPassAppFactory.Password);

        var refused = await IdentityForms.PostAsync(client, IdentityPages.DeletePersonalData,
            new() { ["Input.Password"] = "Wrong-password-1" });

        refused.StatusCode.Should().Be(HttpStatusCode.OK, "the page shows its error");
        (await app.WithDbAsync(db => db.ApiTokens.CountAsync(t => t.UserId == user.Id))).Should().Be(1);
        (await app.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.SubjectUserId == user.Id && e.Action == AuditAction.TokenDeleted)))
            .Should().Be(0);
    }

    private async Task<HttpStatusCode> CallMeAsync(string token)
    {
        using var client = app.CreateClient();
        using var response = await client.GetMeAsync(token);
        return response.StatusCode;
    }
}

using BeatPass.Core.ApiTokens;
using BeatPass.Core.DeveloperAccess;
using BeatPass.Core.Email;
using BeatPass.Tests.Infrastructure;
using MimeKit;

namespace BeatPass.Tests.Email;

/// <summary>The plain-text security notices, received by a real SMTP server from the running app.</summary>
public sealed class SecurityNoticeTests(BeatPassAppFactory app) : IClassFixture<BeatPassAppFactory>
{
    [Fact]
    public async Task Creating_regenerating_and_deleting_a_token_each_email_its_name_and_time_and_never_a_secret()
    {
        var user = await app.CreateUserAsync();
        var now = app.Time.GetUtcNow().UtcDateTime;

        var created = await app.CreateTokenAsync(user.Id, "Deploy bot");
        var regenerated = await app.WithTokenServiceAsync(tokens => tokens.RegenerateAsync(user.Id, created.Summary.Id));
        await app.WithTokenServiceAsync(tokens => tokens.DeleteAsync(user.Id, created.Summary.Id));

        var createdNotice = await NoticeAsync(user.Email!, "A new API token was created on your BeatPass account");
        var regeneratedNotice = await NoticeAsync(user.Email!, "An API token on your BeatPass account was regenerated");
        var deletedNotice = await NoticeAsync(user.Email!, "An API token was deleted from your BeatPass account");
        foreach (var notice in new[] { createdNotice, regeneratedNotice, deletedNotice })
        {
            ShouldBeAPlainNotice(notice, "\"Deploy bot\"", SecurityNotices.Time(now));
            notice.TextBody.Should().Contain("If it wasn't").And.Contain("Account Settings > Developers");
        }

        createdNotice.TextBody.Should().Contain("delete the token in Account Settings > Developers");
        ShouldHoldNoSecret(user.Email!, created.PlainText, regenerated.Token!.PlainText);
    }

    [Fact]
    public async Task Staff_granting_and_revoking_access_email_the_account_with_the_tokens_that_stopped_working()
    {
        var staff = await app.CreateStaffAsync();
        var user = await app.CreateUserAsync(hasDeveloperAccess: false);

        await app.WithServiceAsync<DeveloperAccessService, bool>(async access =>
        {
            await access.GrantAsync(staff.Id, user.Id);
            return true;
        });
        var first = await app.CreateTokenAsync(user.Id, "Sync script");
        var second = await app.CreateTokenAsync(user.Id, "Analytics");
        await app.WithServiceAsync<DeveloperAccessService, int>(access => access.RevokeAsync(staff.Id, user.Id));

        ShouldBeAPlainNotice(await NoticeAsync(user.Email!, "Your BeatPass account now has developer access"), "developer access");
        var revoked = await NoticeAsync(user.Email!, "Your BeatPass account no longer has developer access");
        ShouldBeAPlainNotice(revoked, "\"Sync script\"", "\"Analytics\"", "were deleted and no longer work");
        ShouldHoldNoSecret(user.Email!, first.PlainText, second.PlainText);
    }

    private Task<MimeMessage> NoticeAsync(string to, string subject) => app.Mail.WaitForMessageAsync(to, m => m.Subject == subject);

    /// <summary>Plain text only, with nothing to click, saying what happened.</summary>
    private static void ShouldBeAPlainNotice(MimeMessage notice, params string[] says)
    {
        notice.HtmlBody.Should().BeNull();
        notice.TextBody.Should().NotContain("http").And.NotContain("www.");
        foreach (var words in says)
        {
            notice.TextBody.Should().Contain(words);
        }
    }

    private void ShouldHoldNoSecret(string to, params string[] tokens)
    {
        var messages = app.Mail.MessagesTo(to);
        messages.Should().NotBeEmpty();
        foreach (var message in messages)
        {
            var whole = message.ToString();
            foreach (var token in tokens)
            {
                whole.Should().NotContain(token).And.NotContain(token["bpat_".Length..][..32]);
            }
        }
    }
}

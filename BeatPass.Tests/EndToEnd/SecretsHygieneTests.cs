using System.Net;
using System.Text;
using BeatPass.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace BeatPass.Tests.EndToEnd;

/// <summary>A token's plaintext, after a whole life in the browser, is in no log, nor the database or its WAL.</summary>
[Collection(BrowserCollection.Name)]
public sealed class SecretsHygieneTests(BrowserFixture browser)
{
    [BrowserFact]
    public async Task Create_use_regenerate_and_delete_leave_the_plaintext_in_no_log_and_not_in_the_database()
    {
        var user = await browser.App.CreateUserAsync();
        var page = await browser.SignedInPageAsync(user.Email!, BeatPassAppFactory.Password);
        var developers = new DevelopersPage(page);
        await developers.OpenAsync();

        await developers.OpenCreateDialogAsync("Hygiene check");
        await developers.CreateButton.ClickAsync();
        var first = await developers.TakeShownTokenAsync();
        (await browser.CallMeAsync(first)).Should().Be(HttpStatusCode.OK);
        await developers.Row("Hygiene check").GetByRole(AriaRole.Button, new() { Name = "Regenerate" }).ClickAsync();
        await developers.RegenerateConfirmation.GetByRole(AriaRole.Button, new() { Name = "Regenerate" }).ClickAsync();
        var second = await developers.TakeShownTokenAsync();
        (await browser.CallMeAsync(second)).Should().Be(HttpStatusCode.OK);
        (await browser.CallMeAsync(first)).Should().Be(HttpStatusCode.Unauthorized);
        await developers.Row("Hygiene check").GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await developers.DeleteDialog.GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await Expect(developers.Row("Hygiene check")).ToHaveCountAsync(0);

        var logs = string.Join("\n", browser.App.Logs.Entries);
        var stored = ReadShared(browser.App.DatabasePath) + ReadShared(browser.App.DatabasePath + "-wal");

        // The controls: Debug logging with EF Core's SQL was on, and the files hold what was stored.
        browser.App.Logs.Entries.Should().Contain(e => e.Level == LogLevel.Debug);
        logs.Should().Contain("Executed DbCommand").And.Contain("INSERT INTO \"ApiTokens\"");
        stored.Should().Contain("Hygiene check");
        foreach (var token in new[] { first, second })
        {
            logs.Should().NotContain(token).And.NotContain(token[5..37], "not even the random part");
            stored.Should().NotContain(token).And.NotContain(token[5..37]);
        }
    }

    // Latin-1 keeps every byte as one character, so ASCII text is found wherever it sits in the file.
    private static string ReadShared(string path)
    {
        if (!File.Exists(path))
        {
            return "";
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return Encoding.Latin1.GetString(copy.ToArray());
    }
}

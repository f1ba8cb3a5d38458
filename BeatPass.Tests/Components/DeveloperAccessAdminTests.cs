using BeatPass.Web.Components.Admin;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using BeatPass.Core.DeveloperAccess;

namespace BeatPass.Tests.Components;

public sealed class DeveloperAccessAdminTests : ComponentTestContext
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    protected override bool IsStaff => true;

    [Fact]
    public async Task The_grid_lists_accounts_with_their_token_counts()
    {
        var producer = await Database.CreateUserAsync(email: "producer@beats.test");
        await Database.CreateTokenService().CreateAsync(producer, "Uploader");
        await Database.CreateUserAsync(hasDeveloperAccess: false, email: "listener@beats.test");

        var (_, page) = RenderWithDialogs<DeveloperAccessAdmin>();

        page.WaitForAssertion(() => page.Markup.Should().Contain("producer@beats.test").And.Contain("listener@beats.test"), Wait);
        var cells = Row(page, "producer@beats.test").QuerySelectorAll("td").Select(c => c.TextContent.Trim()).ToList();
        cells.Should().Equal("producer@beats.test", "", "1", "Never");
    }

    [Fact]
    public async Task Searching_narrows_the_grid()
    {
        await Database.CreateUserAsync(email: "producer@beats.test");
        await Database.CreateUserAsync(email: "listener@beats.test");
        var (_, page) = RenderWithDialogs<DeveloperAccessAdmin>();
        page.WaitForAssertion(() => page.Markup.Should().Contain("listener@beats.test"), Wait);

        SearchField(page, "Search accounts").Input("PRODUCER");

        page.WaitForAssertion(() => page.Markup.Should().NotContain("listener@beats.test"), Wait);
        page.Markup.Should().Contain("producer@beats.test");
    }

    [Fact]
    public async Task The_revoke_confirmation_of_an_account_with_one_token_says_its_token()
    {
        var producer = await Database.CreateUserAsync(email: "solo@beats.test");
        await Database.CreateTokenService().CreateAsync(producer, "Only");
        var (dialogs, page) = RenderWithDialogs<DeveloperAccessAdmin>();
        page.WaitForAssertion(() => page.Markup.Should().Contain("solo@beats.test"), Wait);

        Row(page, "solo@beats.test").QuerySelector("input[type=checkbox]")!.Change(false);

        dialogs.WaitForAssertion(() => dialogs.Markup.Should().Contain("Its API token will stop working immediately and be deleted."), Wait);
        dialogs.Markup.Should().NotContain("Its 1 token");
        Button(dialogs, "Cancel").Click();
    }

    [Fact]
    public async Task The_revoke_confirmation_names_the_token_count_and_Cancel_changes_nothing()
    {
        var producer = await Database.CreateUserAsync(email: "producer@beats.test");
        await Database.CreateTokenService().CreateAsync(producer, "One");
        await Database.CreateTokenService().CreateAsync(producer, "Two");
        var (dialogs, page) = RenderWithDialogs<DeveloperAccessAdmin>();
        page.WaitForAssertion(() => page.Markup.Should().Contain("producer@beats.test"), Wait);

        Row(page, "producer@beats.test").QuerySelector("input[type=checkbox]")!.Change(false);

        dialogs.WaitForAssertion(() => dialogs.Markup.Should().Contain("Revoke developer access?"), Wait);
        dialogs.Markup.Should().Contain("Its 2 tokens will stop working immediately");
        Button(dialogs, "Cancel").Click();
        dialogs.WaitForAssertion(() => dialogs.FindAll(".mud-dialog").Should().BeEmpty(), Wait);
        page.WaitForAssertion(() => Row(page, "producer@beats.test").QuerySelector("input[type=checkbox]")!.HasAttribute("checked").Should().BeTrue(), Wait);
        (await Access().HasAccessAsync(producer)).Should().BeTrue();
        (await Database.CreateTokenService().ListAsync(producer)).Should().HaveCount(2);
    }

    [Fact]
    public async Task Revoke_confirmed_removes_access_and_tokens()
    {
        var producer = await Database.CreateUserAsync(email: "producer@beats.test");
        await Database.CreateTokenService().CreateAsync(producer, "One");
        var (dialogs, page) = RenderWithDialogs<DeveloperAccessAdmin>();
        page.WaitForAssertion(() => page.Markup.Should().Contain("producer@beats.test"), Wait);

        Row(page, "producer@beats.test").QuerySelector("input[type=checkbox]")!.Change(false);
        dialogs.WaitForAssertion(() => Button(dialogs, "Revoke").Click(), Wait);

        page.WaitForAssertion(() => page.Markup.Should().Contain("Revoked developer access"), Wait);
        (await Access().HasAccessAsync(producer)).Should().BeFalse();
        (await Database.CreateTokenService().ListAsync(producer)).Should().BeEmpty();
    }

    [Fact]
    public async Task Granting_is_one_click()
    {
        var listener = await Database.CreateUserAsync(hasDeveloperAccess: false, email: "listener@beats.test");
        var (_, page) = RenderWithDialogs<DeveloperAccessAdmin>();
        page.WaitForAssertion(() => page.Markup.Should().Contain("listener@beats.test"), Wait);

        Row(page, "listener@beats.test").QuerySelector("input[type=checkbox]")!.Change(true);

        page.WaitForAssertion(() => page.Markup.Should().Contain("Granted developer access"), Wait);
        (await Access().HasAccessAsync(listener)).Should().BeTrue();
    }

    [Fact]
    public async Task Recent_events_show_ten_at_a_time_and_a_new_filter_starts_from_the_first_page()
    {
        var producer = await Database.CreateUserAsync(email: "producer@beats.test");
        for (var i = 1; i <= 12; i++)
        {
            await Database.CreateTokenService().CreateAsync(producer, $"Token {i:00}");
        }

        var tokenNames = (await Services.GetRequiredService<AuditFeedQuery>().RecentAsync(UserId, null)).Select(e => e.TokenName).ToList();
        var (_, page) = RenderWithDialogs<DeveloperAccessAdmin>();
        page.WaitForAssertion(() => EventTokenNames(page).Should().Equal(tokenNames.Take(10)), Wait);

        page.Find("[aria-label='Recent events'] button[aria-label='Next page']").Click();

        page.WaitForAssertion(() => EventTokenNames(page).Should().Equal(tokenNames.Skip(10)).And.Contain("Token 01"), Wait);

        SearchField(page, "Filter events by account").Input("producer");

        page.WaitForAssertion(() => EventTokenNames(page).Should().Equal(tokenNames.Take(10)), Wait);
    }

    private static AngleSharp.Dom.IElement SearchField(IRenderedComponent<DeveloperAccessAdmin> page, string label) =>
        page.Find($"#{page.FindAll("label").Single(l => l.TextContent.Trim() == label).GetAttribute("for")}");

    private DeveloperAccessService Access() => Services.GetRequiredService<DeveloperAccessService>();

    /// <summary>The token column of the events on the events table's current page.</summary>
    private static List<string?> EventTokenNames(IRenderedComponent<DeveloperAccessAdmin> page) =>
        page.FindAll("[aria-label='Recent events'] tbody tr")
            .Select(r => r.QuerySelector("td[data-label='Token']")?.TextContent.Trim())
            .ToList();

    private static AngleSharp.Dom.IElement Row(IRenderedComponent<DeveloperAccessAdmin> page, string email) =>
        page.FindAll(".mud-data-grid tr.mud-table-row").Single(r => r.TextContent.Contains(email));
}

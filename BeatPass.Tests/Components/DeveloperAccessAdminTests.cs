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

    [Fact]
    public async Task Requests_are_listed_oldest_first_with_a_count_and_Approve_grants_access()
    {
        var requests = Services.GetRequiredService<AccessRequests>();
        var first = await Database.CreateUserAsync(hasDeveloperAccess: false, email: "first@beats.test");
        var second = await Database.CreateUserAsync(hasDeveloperAccess: false, email: "second@beats.test");
        await requests.RequestAsync(first, "A sampler for my own beats, first.", "https://beatpass.test/admin");
        Database.Time.Advance(TimeSpan.FromMinutes(5));
        await requests.RequestAsync(second, "A <b>sampler</b> for my beats, second.", "https://beatpass.test/admin");
        var (_, page) = RenderWithDialogs<DeveloperAccessAdmin>();

        page.WaitForAssertion(() => page.Find("#requests").TextContent.Should().Contain("2 pending"), Wait);
        var pending = page.FindAll("[aria-label='Pending requests'] tbody tr").Select(r => r.TextContent).ToList();
        pending.Should().HaveCount(2);
        pending[0].Should().Contain("first@beats.test");
        pending[1].Should().Contain("A <b>sampler</b> for my beats, second.", "the text is shown as text");

        page.Find("[aria-label='Approve the request of first@beats.test']").Click();

        page.WaitForAssertion(() => page.Find("#requests").TextContent.Should().Contain("1 pending"), Wait);
        (await Access().HasAccessAsync(first)).Should().BeTrue();
        page.WaitForAssertion(() => page.Find("[aria-label='Decided requests']").TextContent.Should().Contain("Approved by"), Wait);
        page.WaitForAssertion(() => Row(page, "first@beats.test").QuerySelector("input[type=checkbox]")!.HasAttribute("checked").Should().BeTrue(), Wait);
    }

    [Fact]
    public async Task Granting_with_the_switch_takes_the_accounts_request_out_of_the_queue()
    {
        var asker = await Database.CreateUserAsync(hasDeveloperAccess: false, email: "switched@beats.test");
        await Services.GetRequiredService<AccessRequests>().RequestAsync(asker, "A sampler for my own beats, please.", "https://beatpass.test/admin");
        var (_, page) = RenderWithDialogs<DeveloperAccessAdmin>();
        page.WaitForAssertion(() => page.Find("[aria-label='Pending requests']").TextContent.Should().Contain("switched@beats.test"), Wait);

        Row(page, "switched@beats.test").QuerySelector("input[type=checkbox]")!.Change(true);

        page.WaitForAssertion(() => page.Find("[aria-label='Pending requests']").TextContent.Should().NotContain("switched@beats.test"), Wait);
        page.Find("[aria-label='Decided requests']").TextContent.Should().Contain("switched@beats.test").And.Contain("Approved by");
    }

    [Fact]
    public async Task Decline_asks_for_an_optional_reason_and_Cancel_decides_nothing()
    {
        var requests = Services.GetRequiredService<AccessRequests>();
        var asker = await Database.CreateUserAsync(hasDeveloperAccess: false, email: "asker@beats.test");
        await requests.RequestAsync(asker, "A sampler for my own beats, please.", "https://beatpass.test/admin");
        var (dialogs, page) = RenderWithDialogs<DeveloperAccessAdmin>();
        page.WaitForAssertion(() => page.Find("[aria-label='Decline the request of asker@beats.test']").Click(), Wait);

        dialogs.WaitForAssertion(() => dialogs.Markup.Should().Contain("Decline request?"), Wait);
        Button(dialogs, "Cancel").Click();
        dialogs.WaitForAssertion(() => dialogs.FindAll(".mud-dialog").Should().BeEmpty(), Wait);
        (await requests.GetStateAsync(asker)).Latest!.Status.Should().Be(AccessRequestStatus.Pending);

        page.Find("[aria-label='Decline the request of asker@beats.test']").Click();
        dialogs.WaitForAssertion(() => dialogs.Find("#reason-dialog-reason").Input("Write to us first."), Wait);
        dialogs.WaitForAssertion(() => Button(dialogs, "Decline").Click(), Wait);

        page.WaitForAssertion(() => page.Find("[aria-label='Decided requests']").TextContent.Should().Contain("Declined by").And.Contain("Reason: Write to us first."), Wait);
        (await Access().HasAccessAsync(asker)).Should().BeFalse();
    }

    [Fact]
    public async Task The_token_inventory_filters_and_revokes_one_token_with_a_required_reason()
    {
        var holder = await Database.CreateUserAsync(email: "holder@beats.test");
        var tokens = Database.CreateTokenService();
        var kept = (await tokens.CreateAsync(holder, "Kept token", Database.Time.GetUtcNow().UtcDateTime.AddDays(30))).Token!;
        var leaked = (await tokens.CreateAsync(holder, "Leaked token")).Token!;
        var (dialogs, page) = RenderWithDialogs<DeveloperAccessAdmin>();
        page.WaitForAssertion(() => TokenRows(page).Should().HaveCount(2), Wait);

        page.Find("[aria-label='Revoke Leaked token of holder@beats.test']").Click();
        dialogs.WaitForAssertion(() => dialogs.Markup.Should().Contain("Revoke token?"), Wait);
        Button(dialogs, "Revoke").HasAttribute("disabled").Should().BeTrue("a reason is required: it is sent to the holder");
        dialogs.Find("#reason-dialog-reason").Input("It was posted in a public forum.");
        dialogs.WaitForAssertion(() => Button(dialogs, "Revoke").Click(), Wait);

        page.WaitForAssertion(() => TokenRows(page).Single(r => r.Contains("Leaked token")).Should().Contain("Revoked"), Wait);
        (await Database.Authenticator.AuthenticateAsync(leaked.PlainText)).Status.Should().Be(BeatPass.Core.ApiTokens.ApiTokenStatus.Revoked);
        (await Database.AuthenticateAsync(kept.PlainText)).Should().NotBeNull();

        var show = page.FindComponents<MudBlazor.MudSelect<TokenInventoryFilter>>().Single();
        await page.InvokeAsync(() => show.Instance.ValueChanged.InvokeAsync(TokenInventoryFilter.Revoked));
        page.WaitForAssertion(() => TokenRows(page).Should().ContainSingle().Which.Should().Contain("Leaked token"), Wait);
    }

    private static List<string> TokenRows(IRenderedComponent<DeveloperAccessAdmin> page) =>
        [.. page.FindAll("[aria-label='Tokens'] tbody tr.mud-table-row").Select(r => r.TextContent)];

    private static AngleSharp.Dom.IElement SearchField(IRenderedComponent<DeveloperAccessAdmin> page, string label) =>
        page.Find($"#{page.FindAll("label").Single(l => l.TextContent.Trim() == label).GetAttribute("for")}");

    private DeveloperAccessService Access() => Services.GetRequiredService<DeveloperAccessService>();

    /// <summary>The token column of the events on the events table's current page.</summary>
    private static List<string?> EventTokenNames(IRenderedComponent<DeveloperAccessAdmin> page) =>
        page.FindAll("[aria-label='Recent events'] tbody tr")
            .Select(r => r.QuerySelector("td[data-label='Token']")?.TextContent.Trim())
            .ToList();

    private static AngleSharp.Dom.IElement Row(IRenderedComponent<DeveloperAccessAdmin> page, string email) =>
        page.FindAll(".accounts-grid tr.mud-table-row").Single(r => r.TextContent.Contains(email));
}

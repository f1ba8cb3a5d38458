using System.Reflection;
using BeatPass.Core.ApiTokens;
using BeatPass.Core.Audit;
using BeatPass.Core.DeveloperAccess;
using BeatPass.Tests.Core;
using BeatPass.Web.Components;
using BeatPass.Web.Components.Layout;
using BeatPass.Web.Areas.Identity;
using BeatPass.Web.Components.Settings;
using BeatPass.Web.Components.Shared;
using BeatPass.Web.Security;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace BeatPass.Tests.Components;

public sealed class DevelopersPageTests : ComponentTestContext
{
    [Fact]
    public async Task The_list_shows_name_hint_and_Never_for_an_unused_token()
    {
        var created = (await Database.CreateTokenService().CreateAsync(UserId, "Release bot")).Token!;

        var (_, page) = RenderWithDialogs<Developers>();

        page.WaitForAssertion(() => page.Markup.Should().Contain("Release bot"));
        page.Markup.Should().Contain(created.Summary.Hint).And.Contain("Never");
        page.Markup.Should().NotContain(created.PlainText);
    }

    [Fact]
    public async Task The_list_shows_each_tokens_expiry_and_Expired_once_it_has_passed()
    {
        var now = Database.Time.GetUtcNow().UtcDateTime;
        var tokens = Database.CreateTokenService();
        await tokens.CreateAsync(UserId, "Forever");
        await tokens.CreateAsync(UserId, "Week", ApiTokenExpiration.InDays(now, 7));
        await tokens.CreateAsync(UserId, "Quarter", ApiTokenExpiration.InDays(now, 90));
        Database.Time.Advance(TimeSpan.FromDays(8));

        var (_, page) = RenderWithDialogs<Developers>();

        page.WaitForAssertion(() => page.Markup.Should().Contain("Quarter"));
        Row(page, "Forever").Should().Contain("No expiration");
        Row(page, "Week").Should().Contain($"Expired on {ApiTokenExpiration.InDays(now, 7):MMM d, yyyy}");
        Row(page, "Quarter").Should().Contain($"Expires on {now.AddDays(90):MMM d, yyyy}");
    }

    [Fact]
    public void Without_tokens_the_empty_state_is_shown()
    {
        var (_, page) = RenderWithDialogs<Developers>();

        page.WaitForAssertion(() => page.Markup.Should().Contain("You don't have any API tokens yet."));
        Button(page, "Create token").Should().NotBeNull();
    }

    [Theory]
    [InlineData("ab", "The token name must be at least 3 characters.")]
    [InlineData("   ", "Enter a token name.")]
    [InlineData("101", "The token name must be at most 100 characters.")]
    [InlineData("Existing", "You already have a token with this name. Choose another name.")]
    [InlineData("  EXISTING ", "You already have a token with this name. Choose another name.")]
    public async Task An_invalid_name_shows_its_error_while_typing_and_disables_Create(string name, string error)
    {
        await Database.CreateTokenService().CreateAsync(UserId, "Existing");
        var dialogs = await OpenCreateDialogAsync();

        dialogs.Find("input").Input(name == "101" ? new string('x', 101) : name);

        dialogs.Markup.Should().Contain(error);
        Button(dialogs, "Create").HasAttribute("disabled").Should().BeTrue();
    }

    [Theory]
    [MemberData(nameof(TokenNameCases.Refused), MemberType = typeof(TokenNameCases))]
    public async Task A_name_that_hides_characters_or_passes_for_another_shows_why_and_disables_Create(
        string name, string message, string what)
    {
        await Database.CreateTokenService().CreateAsync(UserId, TokenNameCases.ExistingName);
        var dialogs = await OpenCreateDialogAsync();

        dialogs.Find("input").Input(name);

        dialogs.Markup.Should().Contain(message, what);
        Button(dialogs, "Create").HasAttribute("disabled").Should().BeTrue(what);
    }

    [Fact]
    public async Task Thirty_days_is_the_default_and_No_expiration_comes_with_a_caution()
    {
        var dialogs = await OpenCreateDialogAsync();
        var now = Database.Time.GetUtcNow().UtcDateTime;

        dialogs.Markup.Should().Contain($"The token will expire on {now.AddDays(30):MMM d, yyyy}.", "30 days is the default");
        dialogs.Markup.Should().NotContain(ExpirationField.NoExpirationCaution);
        var expiration = dialogs.FindComponent<MudSelect<string>>();
        await dialogs.InvokeAsync(() => expiration.Instance.SelectOption("none"));
        dialogs.WaitForAssertion(() => dialogs.Markup.Should().Contain(ExpirationField.NoExpirationCaution));
    }

    [Fact]
    public async Task A_custom_date_says_its_range_before_a_pick_and_ends_at_the_end_of_the_day_in_the_readers_zone()
    {
        var tokyo = new LocalTimeZone(TimeZoneInfo.FindSystemTimeZoneById("Asia/Tokyo"));
        var dialogs = await OpenCreateDialogAsync(zone: tokyo);
        var today = DateOnly.FromDateTime(tokyo.ToLocal(Database.Time.GetUtcNow().UtcDateTime));
        var expiration = dialogs.FindComponent<MudSelect<string>>();

        await dialogs.InvokeAsync(() => expiration.Instance.SelectOption("custom"));

        dialogs.WaitForAssertion(() => dialogs.Markup.Should().Contain(
            $"Pick a date from {today.AddDays(1):MMM d, yyyy} to {today.AddYears(1):MMM d, yyyy}."));
        var picked = today.AddDays(10);
        dialogs.Find("#token-expiration-date").Change(picked.ToString("yyyy-MM-dd"));
        dialogs.WaitForAssertion(() => dialogs.Markup.Should().Contain($"The token will work until the end of {picked:MMM d, yyyy}, your time."));
        dialogs.Find("#create-token-name").Input("Dated");
        dialogs.WaitForAssertion(() => Button(dialogs, "Create").Click());

        dialogs.WaitForAssertion(() => dialogs.Markup.Should().Contain("Copy your new token"));
        var token = (await Database.CreateTokenService().ListAsync(UserId)).Single(t => t.Name == "Dated");
        token.ExpiresAt.Should().Be(ApiTokenExpiration.EndOfDay(picked, TimeZoneInfo.FindSystemTimeZoneById("Asia/Tokyo")));
    }

    [Fact]
    public async Task A_token_that_expires_within_7_days_is_marked_in_the_list()
    {
        var now = Database.Time.GetUtcNow().UtcDateTime;
        var tokens = Database.CreateTokenService();
        await tokens.CreateAsync(UserId, "Soon", ApiTokenExpiration.InDays(now, 7));
        await tokens.CreateAsync(UserId, "Later", ApiTokenExpiration.InDays(now, 30));
        Database.Time.Advance(TimeSpan.FromDays(2));

        var (_, page) = RenderWithDialogs<Developers>();

        page.WaitForAssertion(() => page.Markup.Should().Contain("Later"));
        ExpiryChips(page, "Soon").Should().ContainSingle().Which.Should().Contain("Expires on");
        ExpiryChips(page, "Later").Should().BeEmpty("30 days away is not soon");
    }

    [Theory]
    [InlineData(3)]
    [InlineData(100)]
    public async Task A_name_of_3_or_100_characters_enables_Create(int length)
    {
        var dialogs = await OpenCreateDialogAsync();

        dialogs.Find("input").Input(new string('n', length));

        dialogs.FindAll(".mud-input-error").Should().BeEmpty();
        Button(dialogs, "Create").HasAttribute("disabled").Should().BeFalse();
    }

    [Fact]
    public async Task A_second_click_on_Create_right_after_the_first_creates_no_second_token()
    {
        var dialogs = await OpenCreateDialogAsync();
        dialogs.Find("input").Input("Double clicked");

        // The second click lands on whatever "Create" button the first one left: disabled while the
        // request runs, or gone once the token is shown. (The real double click is in EndToEnd.)
        var first = Button(dialogs, "Create").ClickAsync(new());
        var second = dialogs.InvokeAsync(() =>
            dialogs.FindAll("button").FirstOrDefault(b => b.TextContent.Trim() == "Create")?.ClickAsync(new()) ?? Task.CompletedTask);
        await Task.WhenAll(first, second);

        dialogs.WaitForAssertion(() => Button(dialogs, "Done"));
        (await Database.CreateTokenService().ListAsync(UserId)).Should().ContainSingle(t => t.Name == "Double clicked");
    }

    [Fact]
    public async Task Create_closes_the_form_with_the_created_token_and_its_secret()
    {
        var dialogs = Render<MudDialogProvider>();
        var dialogService = Services.GetRequiredService<IDialogService>();
        var form = await dialogs.InvokeAsync(() => dialogService.ShowAsync<CreateTokenDialog>("Create new token"));
        dialogs.WaitForAssertion(() => dialogs.Find("input").Input("From the form"));

        Button(dialogs, "Create").Click();

        var result = await form.Result.WaitAsync(TimeSpan.FromSeconds(5));
        result!.Canceled.Should().BeFalse();
        var created = result.Data.Should().BeOfType<CreatedApiToken>().Subject;
        created.Summary.Name.Should().Be("From the form");
        ApiTokenFormat.IsWellFormed(created.PlainText).Should().BeTrue();
        (await Database.CreateTokenService().ListAsync(UserId)).Should().ContainSingle()
            .Which.Hint.Should().Be(ApiTokenFormat.Hint(created.PlainText));
    }

    [Fact]
    public async Task A_staff_permission_posted_by_a_circuit_of_someone_not_staff_is_refused_and_creates_nothing()
    {
        // A tampered circuit: the form offers the staff permissions to an account that is not staff.
        var dialogs = Render<MudDialogProvider>();
        var dialogService = Services.GetRequiredService<IDialogService>();
        await dialogs.InvokeAsync(() => dialogService.ShowAsync<CreateTokenDialog>("Create new token",
            new DialogParameters<CreateTokenDialog> { { d => d.IsStaff, true } }));
        dialogs.WaitForAssertion(() => dialogs.Find("input").Input("Escalated"));
        var staffBox = dialogs.FindAll("label").Single(l => l.TextContent.Contains(ApiPermissions.DeveloperAccessWrite)).QuerySelector("input")!;
        staffBox.Change(true);

        Button(dialogs, "Create").Click();

        dialogs.WaitForAssertion(() => dialogs.Markup.Should().Contain("Only BeatPass staff can give a token developer-access:write."));
        dialogs.FindAll(".mud-dialog").Should().ContainSingle("the form stays open with the message");
        (await Database.CreateTokenService().ListAsync(UserId)).Should().BeEmpty();
    }

    [Fact]
    public async Task A_permission_another_service_declared_is_offered_in_its_area_and_the_token_holds_it()
    {
        Services.AddSingleton(ApiPermissionCatalog.WithExtra([new() { Name = "library:read", Area = "Library", Description = "Read your library." }]));
        var dialogs = Render<MudDialogProvider>();
        var dialogService = Services.GetRequiredService<IDialogService>();
        var form = await dialogs.InvokeAsync(() => dialogService.ShowAsync<CreateTokenDialog>("Create new token"));
        dialogs.WaitForAssertion(() => dialogs.Find("input").Input("Library sync"));
        dialogs.Markup.Should().Contain("Library").And.Contain("Read your library.");
        dialogs.FindAll("label").Single(l => l.TextContent.Contains("library:read")).QuerySelector("input")!.Change(true);

        Button(dialogs, "Create").Click();

        var created = (await form.Result.WaitAsync(TimeSpan.FromSeconds(5)))!.Data.Should().BeOfType<CreatedApiToken>().Subject;
        created.Summary.Permissions.Should().Equal(ApiPermissions.AccountRead, "library:read");
    }

    [Fact]
    public async Task A_token_last_used_through_a_service_names_the_service_and_its_addresses_as_earlier()
    {
        var created = (await Database.CreateTokenService().CreateAsync(UserId, "Library sync")).Token!;
        await using (var db = Database.CreateDbContext())
        {
            var token = await db.ApiTokens.SingleAsync(t => t.Id == created.Summary.Id);
            token.LastUsedAt = Database.Time.GetUtcNow().UtcDateTime.AddMinutes(-3);
            token.LastUsedFrom = "203.0.113.7";
            token.LastUsedUserAgent = "curl/8.5";
            token.LastUsedByService = "library-api";
            await db.SaveChangesAsync();
        }

        var (_, page) = RenderWithDialogs<Developers>();

        page.WaitForAssertion(() => Row(page, "Library sync").Should().Contain("3 minutes ago by the BeatPass service library-api"));
        Row(page, "Library sync").Should().Contain("Earlier from 203.0.113.7").And.NotContain("curl/8.5)");
    }

    [Fact]
    public async Task A_permission_no_longer_declared_is_listed_as_no_longer_available()
    {
        var created = (await Database.CreateTokenService().CreateAsync(UserId, "Library sync")).Token!;
        await using (var db = Database.CreateDbContext())
        {
            (await db.ApiTokens.SingleAsync(t => t.Id == created.Summary.Id)).Permissions = "account:read library:read";
            await db.SaveChangesAsync();
        }

        var (_, page) = RenderWithDialogs<Developers>();

        page.WaitForAssertion(() => Row(page, "Library sync").Should().Contain("library:read(no longer available)"));
        Row(page, "Library sync").Should().NotContain("account:read(no longer available)");
    }

    [Theory]
    [InlineData("?create=1&name=From%20a%20link&permissions=", new[] { ApiPermissions.AccountRead })]
    [InlineData("?create=1&name=From%20a%20link&permissions=%20,%20", new[] { ApiPermissions.AccountRead })]
    [InlineData("?create=1&name=From%20a%20link&permissions=security-log:read,tokens:read", new[] { ApiPermissions.TokensRead, ApiPermissions.SecurityLogRead })]
    public void A_prefill_link_opens_the_form_filled_in_and_an_empty_choice_keeps_the_default(string query, string[] checkedPermissions)
    {
        Services.GetRequiredService<NavigationManager>().NavigateTo(AppPages.Developers + query);

        var (dialogs, _) = RenderWithDialogs<Developers>();

        dialogs.WaitForAssertion(() => dialogs.Find("input").GetAttribute("value").Should().Be("From a link"));
        dialogs.FindAll("label").Where(l => l.QuerySelector("input[type=checkbox]")?.HasAttribute("checked") == true)
            .Select(l => l.QuerySelector("code")!.TextContent).Should().Equal(checkedPermissions);
    }

    [Fact]
    public async Task With_no_permission_checked_Create_is_disabled_and_says_why()
    {
        var dialogs = await OpenCreateDialogAsync();
        dialogs.Find("input").Input("Nothing allowed");
        Button(dialogs, "Create").HasAttribute("disabled").Should().BeFalse();

        dialogs.FindAll("label").Single(l => l.TextContent.Contains(ApiPermissions.AccountRead)).QuerySelector("input")!.Change(false);

        Button(dialogs, "Create").HasAttribute("disabled").Should().BeTrue();
        dialogs.Find("#create-token-why").TextContent.Should().Be("Choose at least one permission.");
        Button(dialogs, "Create").GetAttribute("aria-describedby").Should().Be("create-token-why");
    }

    [Fact]
    public async Task The_show_once_dialog_shows_the_secret_it_is_given_copies_it_and_forgets_it_on_Done()
    {
        var created = (await Database.CreateTokenService().CreateAsync(UserId, "Handed over")).Token!;
        var clipboard = JSInterop.SetupModule("./Components/Shared/CopyButton.razor.js");
        clipboard.SetupVoid("copyText", created.PlainText).SetVoidResult();
        var dialogs = Render<MudDialogProvider>();
        var dialogService = Services.GetRequiredService<IDialogService>();
        var shown = dialogs.InvokeAsync(() => ShowTokenDialog.ShowAsync(dialogService, created));
        dialogs.WaitForAssertion(() => dialogs.Markup.Should().Contain(ShowTokenDialog.Title));
        var dialog = dialogs.FindComponent<ShowTokenDialog>().Instance;

        dialogs.Find("input[readonly]").GetAttribute("value").Should().Be(created.PlainText);
        dialogs.Markup.Should().Contain("Copy your new token now. It will not be shown again.");
        Button(dialogs, "Copy").Click();
        dialogs.WaitForAssertion(() => Button(dialogs, "Copied"));
        clipboard.VerifyInvoke("copyText").Arguments.Should().Equal(created.PlainText);
        // Then it offers to copy again.
        dialogs.WaitForAssertion(() => Button(dialogs, "Copy"), CopyButton.CopiedFor * 3);

        Button(dialogs, "Done").Click();

        await shown.WaitAsync(TimeSpan.FromSeconds(5));
        dialogs.FindAll(".mud-dialog").Should().BeEmpty();
        dialogs.Markup.Should().NotContain(created.PlainText);
        HoldsSecret(dialog, created.PlainText).Should().BeFalse("Done lets go of the token");
    }

    [Fact]
    public async Task The_token_is_shown_once_and_after_Done_it_is_in_neither_the_markup_nor_component_state()
    {
        var page = Render<Developers>();
        var dialogs = await OpenCreateDialogAsync(page);
        dialogs.Find("input").Input("Shown once");
        Button(dialogs, "Create").Click();
        dialogs.WaitForAssertion(() => Button(dialogs, "Done"));
        dialogs.Markup.Should().Contain(ShowTokenDialog.Title).And.NotContain("Create new token");
        var dialog = dialogs.FindComponent<ShowTokenDialog>().Instance;
        var plainText = dialogs.FindAll("input").Single(i => i.HasAttribute("readonly")).GetAttribute("value")!;
        ApiTokenFormat.IsWellFormed(plainText).Should().BeTrue();
        dialogs.Markup.Should().Contain("It will not be shown again.");
        dialogs.Find(".token-example").TextContent.Should()
            .Be($"curl -H \"Authorization: Bearer {plainText}\" http://localhost/api/v1/tokens/self", "a ready-to-run example that works whatever the token may do with this server's address");
        HoldsSecret(dialog, plainText).Should().BeTrue("the dialog holds the token until Done");

        Button(dialogs, "Done").Click();

        dialogs.WaitForAssertion(() => dialogs.FindAll(".mud-dialog").Should().BeEmpty());
        page.WaitForAssertion(() => page.Markup.Should().Contain("Shown once"));
        dialogs.Markup.Should().NotContain(plainText);
        page.Markup.Should().NotContain(plainText).And.Contain(ApiTokenFormat.Hint(plainText));
        HoldsSecret(dialog, plainText).Should().BeFalse();
        HoldsSecret(page.Instance, plainText).Should().BeFalse();
    }

    [Fact]
    public async Task A_service_error_such_as_lost_access_is_shown_in_the_dialog()
    {
        var dialogs = await OpenCreateDialogAsync();
        await Database.SetDeveloperAccessAsync(UserId, false);
        dialogs.Find("input").Input("Too late");

        Button(dialogs, "Create").Click();

        dialogs.WaitForAssertion(() => dialogs.Markup.Should().Contain("doesn't have developer access"));
        (await Database.CreateTokenService().ListAsync(UserId)).Should().BeEmpty();
    }

    [Fact]
    public async Task Regenerate_gives_the_token_one_new_secret_and_shows_it_once()
    {
        var old = (await Database.CreateTokenService().CreateAsync(UserId, "Rotating")).Token!;
        var (dialogs, page) = RenderWithDialogs<Developers>();
        page.WaitForAssertion(() => Button(page, "Regenerate").Click());
        dialogs.WaitForAssertion(() => dialogs.Markup.Should().Contain("Regenerate token?"));

        Button(dialogs, "Regenerate").Click();

        dialogs.WaitForAssertion(() => Button(dialogs, "Done"));
        var plainText = dialogs.Find("input[readonly]").GetAttribute("value")!;
        plainText.Should().NotBe(old.PlainText);
        (await Database.CreateTokenService().ListAsync(UserId)).Should().ContainSingle()
            .Which.Hint.Should().Be(ApiTokenFormat.Hint(plainText));
        await using (var db = Database.CreateDbContext())
        {
            (await db.AuditEvents.CountAsync(e => e.Action == AuditAction.TokenRegenerated)).Should().Be(1);
        }

        Button(dialogs, "Done").Click();

        dialogs.WaitForAssertion(() => dialogs.FindAll(".mud-dialog").Should().BeEmpty());
        page.WaitForAssertion(() => Row(page, "Rotating").Should().Contain(ApiTokenFormat.Hint(plainText)));
        Services.GetRequiredService<ISnackbar>().ShownSnackbars.Select(s => s.Message)
            .Should().Contain("Token “Rotating” regenerated. Its old secret no longer works.");
        HoldsSecret(page.Instance, plainText).Should().BeFalse();
    }

    [Fact]
    public async Task Regenerate_starts_at_the_tokens_lifetime_and_gives_the_new_secret_the_one_chosen()
    {
        var now = Database.Time.GetUtcNow().UtcDateTime;
        await Database.CreateTokenService().CreateAsync(UserId, "Weekly", ApiTokenExpiration.InDays(now, 7));
        var (dialogs, page) = RenderWithDialogs<Developers>();
        page.WaitForAssertion(() => Button(page, "Regenerate").Click());
        dialogs.WaitForAssertion(() => dialogs.Markup.Should().Contain("Regenerate token?")
            .And.Contain($"The token will expire on {now.AddDays(7):MMM d, yyyy}."));

        var expiration = dialogs.FindComponent<MudSelect<string>>();
        await dialogs.InvokeAsync(() => expiration.Instance.SelectOption("90"));
        dialogs.WaitForAssertion(() => dialogs.Markup.Should().Contain($"The token will expire on {now.AddDays(90):MMM d, yyyy}."));
        Button(dialogs, "Regenerate").Click();

        dialogs.WaitForAssertion(() => Button(dialogs, "Done"));
        (await Database.CreateTokenService().ListAsync(UserId)).Single().ExpiresAt.Should().Be(now.AddDays(90));
    }

    [Fact]
    public async Task Edit_renames_and_describes_a_token_and_the_list_shows_it_at_once()
    {
        var created = (await Database.CreateTokenService().CreateAsync(UserId, "Before")).Token!;
        var (dialogs, page) = RenderWithDialogs<Developers>();
        page.WaitForAssertion(() => page.Find("button[aria-label='Edit Before']").Click());
        dialogs.WaitForAssertion(() => dialogs.Markup.Should().Contain("Edit token"));

        dialogs.Find("#edit-token-name").Input("After");
        dialogs.FindAll("input")[1].Input("Deploys the web site");
        Button(dialogs, "Save").Click();

        dialogs.WaitForAssertion(() => dialogs.FindAll(".mud-dialog").Should().BeEmpty());
        page.WaitForAssertion(() => Row(page, "After").Should().Contain("Deploys the web site"));
        page.Find("table").TextContent.Should().NotContain("Before");
        Services.GetRequiredService<ISnackbar>().ShownSnackbars.Select(s => s.Message).Should().Contain("Token “After” saved.");
        (await Database.CreateTokenService().FindAsync(UserId, created.Summary.Id)).Should()
            .BeEquivalentTo(new { Name = "After", Description = "Deploys the web site", created.Summary.Hint });
    }

    [Theory]
    [InlineData("TAKEN", null, "You already have a token with this name. Choose another name.")]
    [InlineData("ab", null, "The token name must be at least 3 characters.")]
    [InlineData("Mine", "201", "The description must be at most 200 characters.")]
    public async Task Edit_shows_what_is_wrong_while_typing_disables_Save_and_changes_nothing(string name, string? description, string error)
    {
        await Database.CreateTokenService().CreateAsync(UserId, "Taken");
        var mine = (await Database.CreateTokenService().CreateAsync(UserId, "Mine")).Token!;
        var (dialogs, page) = RenderWithDialogs<Developers>();
        page.WaitForAssertion(() => page.Find("button[aria-label='Edit Mine']").Click());
        dialogs.WaitForAssertion(() => dialogs.Find("#edit-token-name"));

        dialogs.Find("#edit-token-name").Input(name);
        if (description is not null)
        {
            dialogs.FindAll("input")[1].Input(new string('d', int.Parse(description)));
        }

        dialogs.WaitForAssertion(() => dialogs.Markup.Should().Contain(error));
        Button(dialogs, "Save").HasAttribute("disabled").Should().BeTrue();
        (await Database.CreateTokenService().FindAsync(UserId, mine.Summary.Id))!.Name.Should().Be("Mine");
    }

    [Fact]
    public async Task A_description_given_at_creation_is_listed_under_the_name()
    {
        var dialogs = await OpenCreateDialogAsync();

        dialogs.Find("#create-token-name").Input("Described");
        dialogs.FindAll("input")[1].Input("  For the nightly export  ");
        dialogs.WaitForAssertion(() => Button(dialogs, "Create").Click());

        dialogs.WaitForAssertion(() => dialogs.Markup.Should().Contain("Copy your new token"));
        (await Database.CreateTokenService().ListAsync(UserId)).Single().Description.Should().Be("For the nightly export");
    }

    [Fact]
    public async Task Regenerating_a_token_deleted_meanwhile_says_so_and_shows_no_secret()
    {
        var created = (await Database.CreateTokenService().CreateAsync(UserId, "Gone meanwhile")).Token!;
        var (dialogs, page) = RenderWithDialogs<Developers>();
        page.WaitForAssertion(() => Button(page, "Regenerate").Click());
        dialogs.WaitForAssertion(() => dialogs.Markup.Should().Contain("Regenerate token?"));
        await Database.CreateTokenService().DeleteAsync(UserId, created.Summary.Id); // in another tab, say

        Button(dialogs, "Regenerate").Click();

        var snackbar = Services.GetRequiredService<ISnackbar>();
        page.WaitForAssertion(() => snackbar.ShownSnackbars.Should().ContainSingle(s => s.Severity == Severity.Error)
            .Which.Message.Should().Be("That token no longer exists. It may have been deleted."));
        dialogs.FindComponents<ShowTokenDialog>().Should().BeEmpty();
        page.WaitForAssertion(() => page.Find("table").TextContent.Should().NotContain("Gone meanwhile"));
    }

    [Fact]
    public async Task Cancel_on_Delete_token_keeps_the_token()
    {
        await Database.CreateTokenService().CreateAsync(UserId, "Keep me");
        var (dialogs, page) = RenderWithDialogs<Developers>();
        page.WaitForAssertion(() => Button(page, "Delete").Click());

        dialogs.WaitForAssertion(() => dialogs.Markup.Should().Contain("Delete token?").And.Contain("“Keep me”"));
        dialogs.Markup.Should().Contain("lose access immediately").And.Contain("cannot be recovered");
        Button(dialogs, "Cancel").Click();

        dialogs.WaitForAssertion(() => dialogs.FindAll(".mud-dialog").Should().BeEmpty());
        page.Markup.Should().Contain("Keep me");
        (await Database.CreateTokenService().ListAsync(UserId)).Should().ContainSingle();
    }

    [Fact]
    public async Task Delete_on_Delete_token_removes_the_token_and_its_row()
    {
        await Database.CreateTokenService().CreateAsync(UserId, "Remove me");
        var (dialogs, page) = RenderWithDialogs<Developers>();
        page.WaitForAssertion(() => Button(page, "Delete").Click());
        dialogs.WaitForAssertion(() => dialogs.Markup.Should().Contain("Delete token?"));

        Button(dialogs, "Delete").Click();

        // The first table lists the tokens; the security log below still names it.
        page.WaitForAssertion(() => page.Find("table").TextContent.Should().NotContain("Remove me"));
        (await Database.CreateTokenService().ListAsync(UserId)).Should().BeEmpty();
    }

    [Fact]
    public async Task A_tab_whose_session_was_ended_elsewhere_deletes_nothing_and_goes_to_sign_in()
    {
        await Database.CreateTokenService().CreateAsync(UserId, "Still here");
        var (dialogs, page) = RenderWithDialogs<Developers>();
        page.WaitForAssertion(() => page.Markup.Should().Contain("Still here"));
        // "Sign out of all other sessions" in another browser, a second before this tab's Delete.
        (await Database.Sessions.EndAsync(UserId, SessionId)).Should().BeTrue();

        Button(page, "Delete").Click();
        dialogs.WaitForAssertion(() => Button(dialogs, "Delete").Click());

        var navigation = Services.GetRequiredService<NavigationManager>();
        page.WaitForAssertion(() => navigation.Uri.Should().Contain(IdentityPages.Login));
        (await Database.CreateTokenService().ListAsync(UserId)).Should().ContainSingle(t => t.Name == "Still here");
    }

    [Fact]
    public async Task After_staff_revoke_access_the_next_delete_says_so_and_the_section_closes()
    {
        await Database.CreateTokenService().CreateAsync(UserId, "Soon gone");
        var (dialogs, page) = RenderWithDialogs<Developers>();
        page.WaitForAssertion(() => page.Markup.Should().Contain("Soon gone"));
        var staffId = await Database.CreateStaffAsync();
        await Services.GetRequiredService<DeveloperAccessService>().RevokeAsync(staffId, UserId);

        Button(page, "Delete").Click();
        dialogs.WaitForAssertion(() => Button(dialogs, "Delete").Click());

        page.WaitForAssertion(() => page.Markup.Should().Contain("API access is invite-only and granted on a case-by-case basis. To request access, contact"));
        page.Markup.Should().NotContain("Soon gone");
        Services.GetRequiredService<ISnackbar>().ShownSnackbars.Select(s => s.Message)
            .Should().Contain("Your developer access has been withdrawn, and your tokens no longer work.");
    }

    [Fact]
    public void The_settings_navigation_links_to_Developers()
    {
        var layout = Render<SettingsLayout>(p => p.Add(l => l.Body, (RenderFragment)(b => b.AddContent(0, "section"))));

        layout.WaitForAssertion(() => layout.FindAll("a").Select(a => a.TextContent.Trim()).Should().Contain("Developers"));
    }

    // The chips in the token's Expiration cell (the security log below names tokens too).
    private static List<string> ExpiryChips(IRenderedComponent<Developers> page, string name) =>
        [.. page.Find("table").QuerySelectorAll("tbody tr").Single(row => row.TextContent.Contains(name))
            .QuerySelectorAll("td[data-label='Expiration'] .mud-chip").Select(chip => chip.TextContent)];

    /// <param name="zone">The reader's time zone, for the dialogs; UTC by default.</param>
    private async Task<IRenderedComponent<MudDialogProvider>> OpenCreateDialogAsync(IRenderedComponent<Developers>? page = null, LocalTimeZone? zone = null)
    {
        var dialogs = zone is null ? Render<MudDialogProvider>() : Render<MudDialogProvider>(p => p.AddCascadingValue(zone));
        page ??= Render<Developers>();
        page.WaitForAssertion(() => Button(page, "Create token"));
        Button(page, "Create token").Click(); // Not awaited: the handler waits for the dialog to close.
        dialogs.WaitForAssertion(() => dialogs.Markup.Should().Contain("Create new token"));
        return dialogs;
    }

    /// <summary>Whether any field of the component holds the secret, directly or inside a CreatedApiToken.</summary>
    private static bool HoldsSecret(object component, string plainText) =>
        component.GetType()
            .GetFields(BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public)
            .Select(f => f.GetValue(component))
            .Any(value => value is string s && s.Contains(plainText) || value is CreatedApiToken);

    private static string Row(IRenderedComponent<Developers> page, string tokenName) =>
        page.Find("table").QuerySelectorAll("tr").Single(row => row.TextContent.Contains(tokenName)).TextContent;
}

public sealed class DevelopersPageWithoutAccessTests : ComponentTestContext
{
    protected override bool HasDeveloperAccess => false;

    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);
    private const string Plan = "A playlist exporter for my own library.";

    [Fact]
    public void The_section_says_access_is_invite_only_and_whom_to_ask_and_offers_only_a_request()
    {
        Services.Configure<DevelopersOptions>(options => options.AccessRequestEmail = "api-access@beatpass.test");
        var (_, page) = RenderWithDialogs<Developers>();

        page.WaitForAssertion(() => System.Text.RegularExpressions.Regex.Replace(page.Find(".mud-alert").TextContent, @"\s+", " ").Trim()
            .Should().Be("API access is invite-only and granted on a case-by-case basis. To request access, contact api-access@beatpass.test, or ask here."));
        page.Find("a").GetAttribute("href").Should().Be("mailto:api-access@beatpass.test");
        page.FindAll("button").Select(b => b.TextContent.Trim()).Should().Equal("Request developer access");
        page.FindAll("table").Should().BeEmpty();
    }

    [Fact]
    public async Task Request_developer_access_asks_what_they_will_build_and_then_says_it_was_sent()
    {
        var (dialogs, page) = RenderWithDialogs<Developers>();
        page.WaitForAssertion(() => Button(page, "Request developer access").Click(), Wait);
        dialogs.WaitForAssertion(() => dialogs.Markup.Should().Contain("What will you build?"), Wait);

        dialogs.Find("#request-access-text").Input("Too short");
        dialogs.WaitForAssertion(() => dialogs.Markup.Should().Contain("Write at least 20 characters about what you will build."), Wait);
        Button(dialogs, "Send request").HasAttribute("disabled").Should().BeTrue();
        dialogs.Find("#request-access-text").Input($"  {Plan}  ");
        dialogs.WaitForAssertion(() => Button(dialogs, "Send request").HasAttribute("disabled").Should().BeFalse(), Wait);
        Button(dialogs, "Send request").Click();

        page.WaitForAssertion(() => page.Markup.Should().Contain("Request sent on").And.Contain("We will answer by email."), Wait);
        page.FindAll("button").Should().BeEmpty("one pending request per account");
        var state = await Services.GetRequiredService<AccessRequests>().GetStateAsync(UserId);
        state.Latest.Should().BeEquivalentTo(new { Text = Plan, Status = AccessRequestStatus.Pending });
    }

    [Fact]
    public async Task After_a_decline_the_page_gives_the_reason_and_when_they_may_ask_again()
    {
        var requests = Services.GetRequiredService<AccessRequests>();
        var request = (await requests.RequestAsync(UserId, Plan, "https://settings.beatpass.test/admin")).Request!;
        await requests.DeclineAsync(await Database.CreateStaffAsync(), request.Id, "Tell us more first.");

        var (_, page) = RenderWithDialogs<Developers>();

        page.WaitForAssertion(() => page.Markup.Should().Contain("was declined on").And.Contain("The reason given: Tell us more first.")
            .And.Contain("You can ask again from"), Wait);
        page.FindAll("button").Should().BeEmpty();
    }

    [Fact]
    public void Requests_count_against_the_account_form_limit_of_the_address()
    {
        Services.Configure<AccountRateLimitOptions>(options => options.PostsPerWindow = 1);
        var limit = Services.GetRequiredService<AccountFormLimiter>();
        limit.TryAcquire(AccountFormLimiter.AccountPartition(UserId), out _).Should().BeTrue("the one send of the window, used up already (the test circuit has no address, so the account is counted)");
        var (dialogs, page) = RenderWithDialogs<Developers>();
        page.WaitForAssertion(() => Button(page, "Request developer access").Click(), Wait);
        dialogs.WaitForAssertion(() => dialogs.Find("#request-access-text").Input(Plan), Wait);

        dialogs.WaitForAssertion(() => Button(dialogs, "Send request").Click(), Wait);

        dialogs.WaitForAssertion(() => dialogs.Markup.Should().Contain("Too many attempts from your network. Try again in"), Wait);
        page.Markup.Should().NotContain("Request sent on");
    }

    [Fact]
    public void The_settings_navigation_has_every_section_but_Developers()
    {
        var layout = Render<SettingsLayout>(p => p.Add(l => l.Body, (RenderFragment)(b => b.AddContent(0, "section"))));

        layout.WaitForAssertion(() => layout.FindAll("nav a").Select(a => a.TextContent.Trim()).Should().Equal(
            "Profile", "Email", "Password", "Two-factor authentication", "Active Sessions", "Personal data"));
    }

}

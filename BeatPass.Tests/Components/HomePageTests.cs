using BeatPass.Web.Components;
using BeatPass.Web.Components.Pages;
using Bunit;

namespace BeatPass.Tests.Components;

public sealed class HomePageTests : ComponentTestContext
{
    [Fact]
    public void Signed_in_with_developer_access_it_leads_to_Account_Settings_and_Developers()
    {
        var page = Render<Home>();

        page.WaitForAssertion(() => page.FindAll("a").Select(a => (a.TextContent.Trim(), a.GetAttribute("href")))
            .Should().Equal(("Account Settings", AppPages.AccountSettings), ("Developers", AppPages.Developers)));
    }
}

public sealed class HomePageWithoutAccessTests : ComponentTestContext
{
    protected override bool HasDeveloperAccess => false;

    [Fact]
    public void Signed_in_without_developer_access_it_leads_to_Account_Settings_only()
    {
        var page = Render<Home>();

        page.WaitForAssertion(() => page.Markup.Should().Contain("Signed in as"));
        page.FindAll("a").Select(a => (a.TextContent.Trim(), a.GetAttribute("href")))
            .Should().Equal(("Account Settings", AppPages.AccountSettings));
    }
}

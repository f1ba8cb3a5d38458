using BeatPass.Web.Components.Shared;
using Bunit;

namespace BeatPass.Tests.Components;

/// <summary>How times read on the pages: relative ones move on by themselves and agree; exact ones name the zone.</summary>
public sealed class TimesTests : ComponentTestContext
{
    [Fact]
    public void Relative_times_move_on_by_themselves_and_agree_with_each_other()
    {
        var now = Database.Time.GetUtcNow().UtcDateTime;
        // One rendered a little later than the other, as a list and a security log are.
        var list = Render<RelativeTime>(p => p.Add(r => r.Value, now.AddSeconds(-20)));
        Database.Time.Advance(TimeSpan.FromSeconds(4));
        var log = Render<RelativeTime>(p => p.Add(r => r.Value, now.AddSeconds(-20)));
        list.Find("time").TextContent.Should().Be("just now");

        Database.Time.Advance(TimeSpan.FromMinutes(3));

        list.WaitForAssertion(() => list.Find("time").TextContent.Should().Be("3 minutes ago"));
        log.WaitForAssertion(() => log.Find("time").TextContent.Should().Be("3 minutes ago"));
    }

    [Fact]
    public void A_time_shows_its_exact_local_moment_and_zone_on_hover()
    {
        var zone = LocalTimeZone.FromCookie("America/Los_Angeles");
        var at = new DateTime(2026, 12, 27, 23, 30, 0, DateTimeKind.Utc);

        var time = Render<RelativeTime>(p => p.Add(r => r.Value, at).AddCascadingValue(zone));

        time.Find("time").GetAttribute("title").Should().Be("Dec 27, 2026, 3:30:00 PM America/Los_Angeles (UTC−08:00)");
    }

    [Fact]
    public void An_expiry_shows_the_local_date_and_within_48_hours_the_time_too()
    {
        var zone = LocalTimeZone.FromCookie("America/Los_Angeles");
        var now = new DateTime(2026, 12, 26, 12, 0, 0, DateTimeKind.Utc);

        zone.Expiry(new DateTime(2026, 12, 28, 2, 0, 0, DateTimeKind.Utc), now).Should().Be("Dec 27, 2026 at 6:00 PM");
        zone.Expiry(new DateTime(2027, 1, 10, 6, 0, 0, DateTimeKind.Utc), now).Should().Be("Jan 9, 2027");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Mars/Olympus_Mons")]
    [InlineData("../../etc/passwd")]
    public void A_missing_or_unknown_zone_reads_as_UTC(string? cookie) =>
        LocalTimeZone.FromCookie(cookie).Id.Should().Be(TimeZoneInfo.Utc.Id);
}

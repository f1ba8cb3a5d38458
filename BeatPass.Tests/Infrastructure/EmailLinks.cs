using System.Text.RegularExpressions;
using MimeKit;

namespace BeatPass.Tests.Infrastructure;

public static partial class EmailLinks
{
    /// <summary>The one link in an account email (its href, decoded), as a person would click it.</summary>
    public static string Single(MimeMessage message)
    {
        var links = Href().Matches(message.HtmlBody ?? "").Select(m => System.Net.WebUtility.HtmlDecode(m.Groups[1].Value)).Distinct().ToList();
        links.Should().ContainSingle($"\"{message.Subject}\" should carry one link");
        return links[0];
    }

    [GeneratedRegex("href=\"([^\"]+)\"")]
    private static partial Regex Href();
}

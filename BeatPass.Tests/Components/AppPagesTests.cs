using System.Reflection;
using BeatPass.Web.Components;
using Microsoft.AspNetCore.Components;

namespace BeatPass.Tests.Components;

public sealed class AppPagesTests
{
    [Fact]
    public void Every_address_in_AppPages_is_the_route_of_a_page()
    {
        var routes = typeof(AppPages).Assembly.GetTypes()
            .SelectMany(type => type.GetCustomAttributes<RouteAttribute>())
            .Select(route => route.Template)
            .ToHashSet();
        var addresses = typeof(AppPages).GetFields().Select(field => (string)field.GetRawConstantValue()!).ToList();

        addresses.Should().HaveCount(6);
        addresses.Should().OnlyContain(address => routes.Contains(address.Split('#')[0]), "a link to a page goes where its @page says");
    }
}

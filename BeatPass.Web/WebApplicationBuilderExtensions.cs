using BeatPass.Core.Data;
using BeatPass.Web.Api;
using BeatPass.Web.Authentication;
using BeatPass.Web.Components.Account;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Identity;
using MudBlazor.Services;

namespace BeatPass.Web;

public static class WebApplicationBuilderExtensions
{
    /// <summary>Identity with its default UI, the API token scheme, Blazor with MudBlazor, health checks.</summary>
    public static WebApplicationBuilder AddBeatPassWeb(this WebApplicationBuilder builder)
    {
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddRazorPages();
        builder.Services.AddMudServices();

        builder.Services.AddCascadingAuthenticationState();
        builder.Services.AddScoped<AuthenticationStateProvider, IdentityRevalidatingAuthenticationStateProvider>();

        builder.Services.AddDefaultIdentity<BeatPassUser>(options => options.SignIn.RequireConfirmedAccount = true)
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<BeatPassDbContext>();

        builder.Services.AddAuthentication().AddApiToken();
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(ApiTokenDefaults.AuthorizationPolicy, policy => policy
                .AddAuthenticationSchemes(ApiTokenDefaults.AuthenticationScheme)
                .RequireAuthenticatedUser());

        builder.Services.AddProblemDetails();
        builder.Services.AddBeatPassApiDocumentation();
        builder.Services.AddHealthChecks().AddDbContextCheck<BeatPassDbContext>();
        return builder;
    }
}

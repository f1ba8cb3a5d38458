using BeatPass.Core.Data;
using BeatPass.Web.Api;
using BeatPass.Web.Authentication;
using BeatPass.Web.Components.Account;
using BeatPass.Web.Security;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Identity;
using MudBlazor.Services;

namespace BeatPass.Web;

public static class WebApplicationBuilderExtensions
{
    /// <summary>
    /// Identity with its default UI and sign-in lockout, the API token scheme and its failed-authentication limit,
    /// Blazor with MudBlazor, the API reference, health checks.
    /// </summary>
    public static WebApplicationBuilder AddBeatPassWeb(this WebApplicationBuilder builder)
    {
        // Whatever a circuit sends is capped: 32 KB a message (a longer one closes the circuit), and the
        // server's exception details reach the browser only in Development.
        builder.Services.AddRazorComponents()
            .AddInteractiveServerComponents(options => options.DetailedErrors = builder.Environment.IsDevelopment())
            .AddHubOptions(options => options.MaximumReceiveMessageSize = 32 * 1024);
        builder.Services.AddRazorPages();
        builder.Services.AddMudServices();

        builder.Services.AddCascadingAuthenticationState();
        builder.Services.AddScoped<AuthenticationStateProvider, IdentityRevalidatingAuthenticationStateProvider>();

        builder.Services.AddDefaultIdentity<BeatPassUser>(options =>
            {
                options.SignIn.RequireConfirmedAccount = true;
                options.Lockout.AllowedForNewUsers = true;
                options.Lockout.MaxFailedAccessAttempts = 5;
                options.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(5);
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<BeatPassDbContext>()
            .AddSignInManager<LockoutSignInManager>();
        // Pages re-read the account (roles included) at least once a minute; open circuits do the same.
        builder.Services.Configure<SecurityStampValidatorOptions>(options => options.ValidationInterval = TimeSpan.FromMinutes(1));

        builder.Services.AddAuthentication().AddApiToken();
        builder.Services.AddFailedAuthenticationLimit();
        // UseSecurityHeaders sends X-Frame-Options: DENY; antiforgery would add a second, weaker one.
        builder.Services.AddAntiforgery(options => options.SuppressXFrameOptionsHeader = true);
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

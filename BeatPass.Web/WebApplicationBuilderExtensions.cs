using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.Extensions.DependencyInjection.Extensions;
using BeatPass.Core.Data;
using BeatPass.Web.Api;
using BeatPass.Web.Authentication;
using BeatPass.Web.Identity;
using BeatPass.Web.Components.Shared;
using BeatPass.Web.Email;
using BeatPass.Web.Health;
using BeatPass.Web.Operations;
using BeatPass.Web.SecretScanning;
using BeatPass.Web.Security;
using Microsoft.AspNetCore.Authentication.Cookies;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.HostFiltering;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.UI.Services;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using MudBlazor;
using MudBlazor.Services;

namespace BeatPass.Web;

public static class WebApplicationBuilderExtensions
{
    public const string DataProtectionApplicationName = "BeatPass";

    /// <summary>The sign-in cookie's name where BeatPass is served over HTTPS at the root of its host (<c>App:PublicUrl</c>).</summary>
    public const string HostOnlySignInCookieName = "__Host-BeatPass.Session";

    // The largest message a circuit may send, in bytes.
    private const int CircuitMessageLimit = 16 * 1024;

    /// <summary>
    /// Identity with its default UI and sign-in lockout, email through the outbox, the API token scheme and its
    /// failed-authentication limit, Blazor with MudBlazor, the API reference, health checks.
    /// </summary>
    public static WebApplicationBuilder AddBeatPassWeb(this WebApplicationBuilder builder)
    {
        // Whatever a circuit sends is capped at 16 KB a message, half SignalR's default (a longer one closes the
        // circuit): a page sends clicks and short field values, nothing near that. The server's exception details
        // reach the browser only in Development.
        builder.Services.AddRazorComponents()
            .AddInteractiveServerComponents(options => options.DetailedErrors = builder.Environment.IsDevelopment())
            .AddHubOptions(options => options.MaximumReceiveMessageSize = CircuitMessageLimit);
        builder.Services.AddRazorPages().AddMvcOptions(options =>
        {
            options.Filters.Add<ConfirmAccessFilter>();
            options.Filters.Add<AccountDeletedFilter>();
            options.Filters.Add<LocalReturnUrlFilter>();
        });
        // Snackbars rise from the bottom: at the top right they would cover "Sign out" and the mode switch.
        builder.Services.AddMudServices(options => options.SnackbarConfiguration.PositionClass = Defaults.Classes.Position.BottomLeft);

        builder.Services.AddCascadingAuthenticationState();
        builder.Services.AddScoped<AuthenticationStateProvider, IdentityRevalidatingAuthenticationStateProvider>();

        builder.Services.AddDefaultIdentity<BeatPassUser>(options =>
            {
                options.SignIn.RequireConfirmedAccount = true;
                options.Lockout.AllowedForNewUsers = true;
                options.Lockout.MaxFailedAccessAttempts = 5;
                options.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(5);
                options.Tokens.AuthenticatorTokenProvider = OnceOnlyAuthenticatorTokenProvider.Name;
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<BeatPassDbContext>()
            .AddUserStore<BeatPassUserStore>()
            .AddTokenProvider<OnceOnlyAuthenticatorTokenProvider>(OnceOnlyAuthenticatorTokenProvider.Name)
            .AddSignInManager<LockoutSignInManager>()
            .AddUserManager<BeatPassUserManager>();
        // Outside Development the sign-in cookie only travels over HTTPS. The antiforgery and TempData cookies are
        // Secure whenever the request came over HTTPS (Always would make antiforgery refuse every plain-HTTP form).
        builder.Services.ConfigureApplicationCookie(cookie => cookie.Cookie.SecurePolicy = builder.Environment.IsDevelopment()
            ? CookieSecurePolicy.SameAsRequest
            : CookieSecurePolicy.Always);
        builder.Services.Configure<CookieTempDataProviderOptions>(tempData => tempData.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest);
        // Where people reach BeatPass over HTTPS at the root of its host, the sign-in cookie is a __Host- cookie: a
        // browser keeps it only when this very host set it over HTTPS for the whole site, so a sibling subdomain or a
        // plain-HTTP page cannot plant one (or overwrite it) before someone signs in.
        builder.Services.AddOptions<CookieAuthenticationOptions>(IdentityConstants.ApplicationScheme)
            .Configure<IOptions<AppOptions>>((cookie, app) =>
            {
                if (app.Value.PublicUrl is { Scheme: "https", AbsolutePath: "/" })
                {
                    cookie.Cookie.Name = HostOnlySignInCookieName;
                    cookie.Cookie.Path = "/";
                    cookie.Cookie.SecurePolicy = CookieSecurePolicy.Always;
                }
            });
        // The cookie carries only a session key; the sign-in lives in the database, so ending it there ends it everywhere.
        builder.Services.AddSingleton<NewBrowserSignIn>();
        builder.Services.AddSingleton<RecentSignOuts>();
        builder.Services.AddSingleton<DatabaseTicketStore>();
        builder.Services.AddOptions<CookieAuthenticationOptions>(IdentityConstants.ApplicationScheme)
            .Configure<DatabaseTicketStore>((cookie, store) => cookie.SessionStore = store);
        builder.Services.AddOptions<SecurityOptions>()
            .BindConfiguration(SecurityOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<SignInFailureLimit>();
        builder.Services.AddScoped<SudoMode>();
        builder.Services.AddScoped<LiveSession>();
        builder.Services.AddScoped<PageClock>();
        // Pages re-read the account (roles included) at least once a minute; open circuits do the same.
        builder.Services.Configure<SecurityStampValidatorOptions>(options => options.ValidationInterval = TimeSpan.FromMinutes(1));

        builder.AddEmail();

        builder.Services.AddAuthentication().AddApiToken();
        builder.Services.AddFailedAuthenticationLimit();
        builder.Services.AddAccountFormLimit();
        builder.Services.AddKnownProxies(builder.Configuration);
        builder.Services.AddSecretScanning();
        // No "Server: Kestrel": nothing to tell a scanner which server to try.
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
        // UseSecurityHeaders sends X-Frame-Options: DENY; antiforgery would add a second, weaker one.
        builder.Services.AddAntiforgery(options =>
        {
            options.SuppressXFrameOptionsHeader = true;
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });
        builder.Services.AddSingleton<IAuthorizationMiddlewareResultHandler, ApiAuthorizationResultHandler>();
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(ApiTokenDefaults.AuthorizationPolicy, policy => policy
                .AddAuthenticationSchemes(ApiTokenDefaults.AuthenticationScheme)
                .RequireAuthenticatedUser());
        // ASP.NET registers these transient, so every authorized request (each API call) resolves the chain anew; they
        // hold no per-request state, and no authorization handler here needs a scoped service: made once instead.
        builder.Services.Replace(ServiceDescriptor.Singleton<IPolicyEvaluator, ApiTokenPolicyEvaluator>());
        builder.Services.Replace(ServiceDescriptor.Singleton<IAuthorizationService, DefaultAuthorizationService>());
        builder.Services.Replace(ServiceDescriptor.Singleton<IAuthorizationHandlerProvider, DefaultAuthorizationHandlerProvider>());
        builder.Services.Replace(ServiceDescriptor.Singleton<IAuthorizationEvaluator, DefaultAuthorizationEvaluator>());
        builder.Services.Replace(ServiceDescriptor.Singleton<IAuthorizationHandlerContextFactory, DefaultAuthorizationHandlerContextFactory>());

        builder.Services.AddProblemDetails();
        builder.Services.AddBeatPassApiDocumentation();
        builder.Services.AddHealthChecks()
            .AddDbContextCheck<BeatPassDbContext>()
            .AddCheck<TokenChangesHealthCheck>("token-changes");
        builder.AddSharedDataProtection();
        builder.AddObservability();
        return builder;
    }

    /// <summary>
    /// One Data Protection key ring for every node, kept in the database under one application name, so a sign-in
    /// cookie, an antiforgery token or an emailed link that one node issued works on every other. With
    /// <c>DataProtection:CertificatePath</c> (a PFX, and <c>DataProtection:CertificatePassword</c>) the keys are
    /// encrypted at rest with that certificate; every node needs the same one.
    /// </summary>
    private static void AddSharedDataProtection(this WebApplicationBuilder builder)
    {
        var dataProtection = builder.Services.AddDataProtection()
            .SetApplicationName(DataProtectionApplicationName)
            .PersistKeysToDbContext<BeatPassDbContext>();
        // Read now, not through IOptions: the key ring is set up while the services are still being registered.
        var settings = builder.Configuration.GetSection(DataProtectionCertificateOptions.SectionName).Get<DataProtectionCertificateOptions>();
        if (settings?.CertificatePath is { Length: > 0 } path)
        {
            var certificate = X509CertificateLoader.LoadPkcs12FromFile(path, settings.CertificatePassword);
            dataProtection.ProtectKeysWithCertificate(certificate).UnprotectKeysWithAnyCertificate(certificate);
        }
    }

    /// <summary>Email settings checked at start, the outbox's sender, and links built from <c>App:PublicUrl</c>.</summary>
    private static void AddEmail(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<AppOptions>()
            .BindConfiguration(AppOptions.SectionName)
            .Validate(options => options.IsValid, AppOptions.PublicUrlMissing)
            .ValidateOnStart();
        builder.Services.AddOptions<EmailOptions>().BindConfiguration(EmailOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<EmailOptions>, EmailOptionsValidator>();

        builder.Services.AddTransient<IEmailSender, OutboxEmailSender>();
        builder.Services.AddScoped<AccountEmails>();
        builder.Services.AddSingleton<AccountEmailRequests>();
        builder.Services.AddHostedService(services => services.GetRequiredService<AccountEmailRequests>());
        builder.Services.AddSingleton<EmailTransport>();
        builder.Services.AddHostedService<EmailDeliveryService>();

        // Outside Development only requests for the public address are served, unless AllowedHosts says otherwise.
        if (!builder.Environment.IsDevelopment() && string.IsNullOrEmpty(builder.Configuration["AllowedHosts"]))
        {
            builder.Services.AddOptions<HostFilteringOptions>().PostConfigure<IOptions<AppOptions>>((filtering, app) =>
            {
                if (app.Value.PublicUrl is { IsAbsoluteUri: true } publicUrl)
                {
                    filtering.AllowedHosts = [publicUrl.Host];
                }
            });
        }
    }
}

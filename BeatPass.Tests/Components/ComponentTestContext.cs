using System.Security.Claims;
using AngleSharp.Dom;
using BeatPass.Core.Data;
using BeatPass.Tests.Infrastructure;
using BeatPass.Web.Identity;
using BeatPass.Web.Security;
using BeatPass.Web.Components.Shared;
using Microsoft.Extensions.DependencyInjection;
using Bunit;
using MudBlazor;
using MudBlazor.Services;

namespace BeatPass.Tests.Components;

/// <summary>
/// One bUnit context for the component tests: MudBlazor services, loose JS interop, a signed-in user and
/// the real Core services over a SQLite file. MudBlazor's services are IAsyncDisposable only, so the
/// context is disposed asynchronously through IAsyncLifetime.
/// </summary>
public abstract class ComponentTestContext : BunitContext, IAsyncLifetime
{
    protected TestDatabase Database { get; private set; } = null!;

    protected string UserId { get; private set; } = "";

    /// <summary>The signed-in test user's session.</summary>
    protected Guid SessionId { get; private set; }

    /// <summary>Whether the signed-in test user has developer access.</summary>
    protected virtual bool HasDeveloperAccess => true;

    /// <summary>Whether the signed-in test user is in the Staff role.</summary>
    protected virtual bool IsStaff => false;

    public async Task InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync();
        UserId = IsStaff ? await Database.CreateStaffAsync() : await Database.CreateUserAsync(HasDeveloperAccess);

        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
        Database.AddCoreServicesTo(Services);
        // Sudo mode reads the account through Identity and the session from the database, as in the app.
        Services.AddLogging();
        Services.AddIdentityCore<BeatPassUser>().AddEntityFrameworkStores<BeatPassDbContext>();
        Services.AddScoped<SudoMode>();
        Services.AddScoped<LiveSession>();
        Services.AddScoped<PageClock>();
        // The in-app forms' limit and where their emails link to, as the app has them.
        Services.AddHttpContextAccessor();
        Services.AddSingleton<AccountFormLimiter>();
        Services.AddScoped<CircuitClient>();
        Services.Configure<BeatPass.Web.AppOptions>(options => options.PublicUrl = new Uri("https://settings.beatpass.test"));

        // A session that has just signed in, so risky actions go ahead without asking for the password again.
        await Database.SessionKeys.StartAsync(UserId, [], expiresAt: null, "127.0.0.1", "bUnit");
        SessionId = (await Database.Sessions.ListAsync(UserId, null)).Single().Id;
        var authorization = AddAuthorization();
        authorization.SetAuthorized("someone@example.com");
        var claims = new List<Claim> { new(ClaimTypes.NameIdentifier, UserId), new(DatabaseTicketStore.SessionIdClaimType, SessionId.ToString()) };
        if (IsStaff)
        {
            claims.Add(new Claim(ClaimTypes.Role, BeatPassRoles.Staff));
        }

        authorization.SetClaims([.. claims]);
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        await Database.DisposeAsync();
    }

    /// <summary>Renders the dialog provider (dialogs appear in it), then the component.</summary>
    protected (IRenderedComponent<MudDialogProvider> Dialogs, IRenderedComponent<TComponent> Component) RenderWithDialogs<TComponent>()
        where TComponent : Microsoft.AspNetCore.Components.IComponent
    {
        Render<MudPopoverProvider>();
        var dialogs = Render<MudDialogProvider>();
        return (dialogs, Render<TComponent>());
    }

    protected static IElement Button<TComponent>(IRenderedComponent<TComponent> component, string text)
        where TComponent : Microsoft.AspNetCore.Components.IComponent =>
        component.FindAll("button").Single(b => b.TextContent.Trim() == text);
}

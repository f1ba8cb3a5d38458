using System.Net;
using System.Net.Http.Headers;
using BeatPass.Core.Data;
using BeatPass.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;

namespace BeatPass.Tests.EndToEnd;

/// <summary>
/// The app served over real HTTP on a free 127.0.0.1 port with its own temporary database, and the
/// system Chromium driven by Playwright. Started once for all browser tests; each test gets a fresh
/// browser context (its own cookies).
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    private static readonly string[] ChromiumArgs =
    [
        "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run",
    ];

    private static readonly string FailuresDirectory = Path.Combine(Screenshots.ResultsDirectory, "failures");
    private readonly List<IPage> _pagesOfThisTest = [];
    private IPlaywright? _playwright;

    /// <summary>The app, logging at Debug (EF Core's SQL included), so tests can show what never reaches a log.</summary>
    public LiveAppFactory App { get; } = new(LogLevel.Debug);

    public IBrowser Browser { get; private set; } = null!;

    public Uri BaseAddress => App.BaseAddress;

    public async Task InitializeAsync()
    {
        // Failures of an earlier run would be mistaken for this one's.
        if (Directory.Exists(FailuresDirectory))
        {
            Directory.Delete(FailuresDirectory, recursive: true);
        }

        await App.InitializeAsync();

        var chromium = Environment.GetEnvironmentVariable("BEATPASS_CHROMIUM") is { Length: > 0 } configured ? configured : "/usr/bin/chromium";
        if (!File.Exists(chromium))
        {
            throw new InvalidOperationException(
                $"The browser tests need Chromium at {chromium}. Run ./test.sh (it installs it) or set BEATPASS_CHROMIUM.");
        }

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = chromium,
            Headless = true,
            Args = ChromiumArgs,
        });
    }

    public static readonly ViewportSize Laptop = new() { Width = 1280, Height = 800 };

    public static readonly ViewportSize Phone = new() { Width = 390, Height = 844 };

    /// <summary>A page in a fresh browser context: a laptop in light mode in UTC unless the test says otherwise.</summary>
    /// <param name="timeZone">Dates on the pages are the browser's; tests that mean another zone say so.</param>
    public async Task<IPage> NewPageAsync(ViewportSize? size = null, ColorScheme scheme = ColorScheme.Light, string timeZone = "UTC")
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseAddress.ToString(),
            Permissions = ["clipboard-read", "clipboard-write"],
            ViewportSize = size ?? Laptop,
            ColorScheme = scheme,
            TimezoneId = timeZone,
        });
        var page = await context.NewPageAsync();
        _pagesOfThisTest.Add(page);
        return page;
    }

    /// <summary>Called as each <see cref="BrowserFactAttribute"/> test starts (the collection runs one at a time).</summary>
    public void BeginTest() => _pagesOfThisTest.Clear();

    /// <summary>
    /// Called as each test ends, after <see cref="SaveFailureAsync"/>: closes the browser contexts the test opened. Left
    /// open, every page of every earlier test would go on running (its circuit, its timers) beside the next ones.
    /// </summary>
    public async Task EndTestAsync()
    {
        foreach (var context in _pagesOfThisTest.Select(page => page.Context).Distinct())
        {
            await context.CloseAsync();
        }

        _pagesOfThisTest.Clear();
    }

    /// <summary>Saves a screenshot and the HTML of each page the failed test opened.</summary>
    public async Task SaveFailureAsync(string testName)
    {
        var directory = FailuresDirectory;
        Directory.CreateDirectory(directory);
        for (var i = 0; i < _pagesOfThisTest.Count; i++)
        {
            var page = _pagesOfThisTest[i];
            if (page.IsClosed)
            {
                continue;
            }

            var path = Path.Combine(directory, $"{testName}-{i + 1}");
            await page.ScreenshotAsync(new() { Path = path + ".png", FullPage = true });
            await File.WriteAllTextAsync(path + ".html", await page.ContentAsync());
        }

        // What the server warned about while the suite ran, the newest last.
        await File.WriteAllLinesAsync(Path.Combine(directory, $"{testName}-server.log"),
            App.Logs.Entries.Where(e => e.Level >= LogLevel.Warning).TakeLast(200).Select(e => e.ToString()));
    }

    /// <summary>A fresh browser context, signed in as the account through the Identity sign-in page.</summary>
    public async Task<IPage> SignedInPageAsync(string email, string password)
    {
        var page = await NewPageAsync();
        await new LoginPage(page).SignInAsync(email, password);
        return page;
    }

    public HttpClient CreateApiClient() => App.CreateHttpClient();

    /// <summary>What <c>GET /api/v1/me</c> answers a script that sends this token.</summary>
    public async Task<HttpStatusCode> CallMeAsync(string token)
    {
        using var client = CreateApiClient();
        using var response = await client.GetMeAsync(token);
        return response.StatusCode;
    }

    /// <summary>A new account with developer access, signed in, on its Developers section.</summary>
    public async Task<(BeatPassUser User, IPage Page, DevelopersPage Developers)> OpenDevelopersAsNewUserAsync()
    {
        var user = await App.CreateUserAsync();
        var page = await SignedInPageAsync(user.Email!, BeatPassAppFactory.Password);
        var developers = new DevelopersPage(page);
        await developers.OpenAsync();
        return (user, page, developers);
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        await App.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "Browser";
}

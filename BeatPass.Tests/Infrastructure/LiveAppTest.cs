namespace BeatPass.Tests.Infrastructure;

/// <summary>
/// A test class whose every test gets an app of its own over real HTTP (<see cref="LiveAppFactory"/>), started
/// before the test and stopped after it, so no test sees another's accounts, sessions, mail or limits.
/// </summary>
public abstract class LiveAppTest : IAsyncLifetime
{
    protected LiveAppTest() => App = CreateApp();

    protected LiveAppFactory App { get; }

    /// <summary>The app each test gets: SQLite unless a subclass runs the same tests on PostgreSQL.</summary>
    protected virtual LiveAppFactory CreateApp() => new();

    public Task InitializeAsync() => App.InitializeAsync();

    public async Task DisposeAsync() => await App.DisposeAsync();
}

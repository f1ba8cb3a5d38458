using BeatPass.Core.Data;

namespace BeatPass.Tests.Infrastructure;

/// <summary>The app over a database of its own on the test PostgreSQL server.</summary>
public sealed class PostgreSqlAppFactory : BeatPassAppFactory
{
    protected override DatabaseProvider Provider => DatabaseProvider.PostgreSql;
}

/// <summary>
/// One of several app nodes on one PostgreSQL database, each served by Kestrel on a port of its own: the first made
/// gets a database, the others are handed its <see cref="BeatPassAppFactory.PostgreSqlDatabase"/>.
/// </summary>
public sealed class PostgreSqlNode(string? sharedDatabase = null) : LiveAppFactory
{
    protected override DatabaseProvider Provider => DatabaseProvider.PostgreSql;

    protected override string? SharedPostgreSqlDatabase => sharedDatabase;

    /// <summary>Starts the node and waits until /health is 200: the database answers and the node hears other nodes' changes.</summary>
    public async Task StartAndWaitUntilHealthyAsync()
    {
        Start();
        using var client = CreateHttpClient();
        while ((await client.GetAsync("/health")).StatusCode != System.Net.HttpStatusCode.OK)
        {
            await Task.Delay(20);
        }
    }
}

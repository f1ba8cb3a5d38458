using BeatPass.Core.Data;

namespace BeatPass.Tests.Infrastructure;

/// <summary>The app over a database of its own on the test PostgreSQL server.</summary>
public sealed class PostgreSqlAppFactory : BeatPassAppFactory
{
    protected override DatabaseProvider Provider => DatabaseProvider.PostgreSQL;
}

/// <summary>
/// One of several app nodes on one PostgreSQL database, each served by Kestrel on a port of its own: the first made
/// gets a database, the others are handed its <see cref="BeatPassAppFactory.PostgreSqlDatabase"/>.
/// </summary>
public sealed class PostgreSqlNode(string? sharedDatabase = null) : LiveAppFactory
{
    protected override DatabaseProvider Provider => DatabaseProvider.PostgreSQL;

    protected override string? SharedPostgreSqlDatabase => sharedDatabase;
}

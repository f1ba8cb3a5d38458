using BeatPass.Core.Data;

namespace BeatPass.Tests.Infrastructure;

/// <summary>The app over a database of its own on the test PostgreSQL server.</summary>
public sealed class PostgreSqlAppFactory : BeatPassAppFactory
{
    protected override DatabaseProvider Provider => DatabaseProvider.PostgreSql;
}

using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace BeatPass.Core.Data;

// Let `dotnet ef migrations add … --context <provider's context>` build the model without starting the web host
// or reaching a database server.
internal sealed class SqliteDesignTimeDbContextFactory : IDesignTimeDbContextFactory<SqliteBeatPassDbContext>
{
    public SqliteBeatPassDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteBeatPassDbContext>().UseSqlite("Data Source=design-time.db").Options);
}

internal sealed class PostgreSqlDesignTimeDbContextFactory : IDesignTimeDbContextFactory<PostgreSqlBeatPassDbContext>
{
    public PostgreSqlBeatPassDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgreSqlBeatPassDbContext>().UseNpgsql("Host=localhost;Database=beatpass_design_time").Options);
}

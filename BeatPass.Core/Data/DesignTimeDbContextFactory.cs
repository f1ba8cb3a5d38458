using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace BeatPass.Core.Data;

// Lets `dotnet ef migrations add` build the model without starting the web host.
internal sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<BeatPassDbContext>
{
    public BeatPassDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<BeatPassDbContext>().UseSqlite("Data Source=design-time.db").Options);
}

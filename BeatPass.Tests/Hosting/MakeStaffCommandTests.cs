using System.Diagnostics;
using BeatPass.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace BeatPass.Tests.Hosting;

/// <summary>Runs the built app the way the README does: <c>BeatPass.Web -- make-staff someone@example.com</c>.</summary>
public sealed class MakeStaffCommandTests : IDisposable
{
    private readonly string _databasePath = Path.Combine(Path.GetTempPath(), $"beatpass-cli-{Guid.NewGuid():N}.db");

    [Fact]
    public async Task An_existing_account_is_made_staff_and_no_demo_account_is_seeded()
    {
        // Development, as `dotnet run` is: the command must still not seed demo accounts into this database.
        await using (var database = await TestDatabase.CreateAsync(filePath: _databasePath))
        {
            await database.CreateUserAsync(email: "producer@example.com");
        }

        var run = await RunAsync("Development", "make-staff", "producer@example.com");

        run.ExitCode.Should().Be(0, run.Output);
        run.Output.Should().Contain("producer@example.com is now staff");
        (await CountStaffAsync("producer@example.com")).Should().Be(1);
        (await CountAsync("SELECT COUNT(*) FROM AspNetUsers")).Should().Be(1);
    }

    [Fact]
    public async Task The_email_is_found_whatever_its_case_and_a_second_run_says_the_account_is_already_staff()
    {
        await using (var database = await TestDatabase.CreateAsync(filePath: _databasePath))
        {
            await database.CreateUserAsync(email: "producer@example.com");
        }

        var first = await RunAsync("Production", "make-staff", "Producer@Example.COM");
        var second = await RunAsync("Production", "make-staff", "producer@example.com");

        first.ExitCode.Should().Be(0, first.Output);
        first.Output.Should().Contain("producer@example.com is now staff");
        second.ExitCode.Should().Be(0, second.Output);
        second.Output.Should().Contain("producer@example.com is already staff");
        (await CountStaffAsync("producer@example.com")).Should().Be(1);
        (await CountAsync("SELECT COUNT(*) FROM AspNetUserRoles")).Should().Be(1);
    }

    [Theory]
    [InlineData("make-staff")]
    [InlineData("make-staff", "producer@example.com", "extra")]
    [InlineData("make-staff", " ")]
    public async Task Without_exactly_one_email_it_prints_the_usage_and_changes_nothing(params string[] arguments)
    {
        await using (var database = await TestDatabase.CreateAsync(filePath: _databasePath))
        {
            await database.CreateUserAsync(email: "producer@example.com");
        }

        var run = await RunAsync("Production", arguments);

        run.ExitCode.Should().Be(2, run.Output);
        run.Output.Should().Contain("Usage: dotnet run --project BeatPass.Web -- make-staff <email>");
        (await CountAsync("SELECT COUNT(*) FROM AspNetUserRoles")).Should().Be(0);
    }

    [Fact]
    public async Task A_missing_account_gets_a_clear_message_and_nothing_changes()
    {
        var run = await RunAsync("Production", "make-staff", "nobody@example.com");

        run.ExitCode.Should().Be(1, run.Output);
        run.Output.Should().Contain("No account uses the email 'nobody@example.com'");
        (await CountAsync("SELECT COUNT(*) FROM AspNetUserRoles")).Should().Be(0);
        (await CountAsync("SELECT COUNT(*) FROM AspNetUsers")).Should().Be(0, "demo accounts are never seeded outside Development");
    }

    [Fact]
    public async Task An_unconfirmed_account_is_refused_and_described_so_the_operator_can_check_who_it_is()
    {
        string id;
        DateTime created;
        await using (var database = await TestDatabase.CreateAsync(filePath: _databasePath))
        {
            id = await database.CreateUserAsync(email: "ops-lead@corp.example", emailConfirmed: false);
            created = database.Time.GetUtcNow().UtcDateTime;
        }

        var run = await RunAsync("Production", "make-staff", "ops-lead@corp.example");

        run.ExitCode.Should().Be(1, run.Output);
        run.Output.Should().Contain($"Account {id}, email ops-lead@corp.example, created {created.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture)} UTC.")
            .And.Contain("ops-lead@corp.example has not been confirmed");
        (await CountStaffAsync("ops-lead@corp.example")).Should().Be(0);
    }

    [Fact]
    public async Task In_Production_without_email_settings_the_app_refuses_to_start_and_names_them()
    {
        var run = await RunAsync("Production");

        run.ExitCode.Should().NotBe(0, run.Output);
        run.Output.Should().Contain("Email is not configured").And.Contain("Email:Delivery").And.Contain("Email:From")
            .And.Contain("Email:Smtp:Host").And.Contain("App:PublicUrl");
    }

    [Fact]
    public async Task Migrate_applies_the_PostgreSQL_migrations_once_and_exits()
    {
        var database = await PostgreSqlTestServer.CreateEmptyDatabaseAsync();
        try
        {
            var settings = new Dictionary<string, string> { ["Database__Provider"] = "PostgreSQL", ["ConnectionStrings__BeatPass"] = database };

            var first = await RunAsync("Production", settings, "migrate");
            var second = await RunAsync("Production", settings, "migrate");

            first.ExitCode.Should().Be(0, first.Output);
            first.Output.Should().Contain("The database is up to date.");
            second.ExitCode.Should().Be(0, second.Output);
            await using var connection = new Npgsql.NpgsqlConnection(database);
            await connection.OpenAsync();
            await using var count = new Npgsql.NpgsqlCommand("SELECT COUNT(*) FROM \"__EFMigrationsHistory\"", connection);
            ((long)(await count.ExecuteScalarAsync())!).Should().BePositive();
        }
        finally
        {
            await PostgreSqlTestServer.DropDatabaseAsync(database);
        }
    }

    [Fact]
    public async Task Add_service_prints_the_client_id_and_secret_once_each_on_its_own_line_and_they_work()
    {
        await using (await TestDatabase.CreateAsync(filePath: _databasePath))
        {
        }

        var run = await RunAsync("Production", EmailSettings, "add-service", "library-api");

        run.ExitCode.Should().Be(0, run.Output);
        var lines = run.Output.Split('\n', StringSplitOptions.TrimEntries);
        var clientId = lines.Should().ContainSingle(l => l.StartsWith("client_id: ")).Which["client_id: ".Length..];
        var secret = lines.Should().ContainSingle(l => l.StartsWith("client_secret: ")).Which["client_secret: ".Length..];
        clientId.Should().MatchRegex("^bpsc_[0-9A-Za-z]{20}$");
        secret.Should().MatchRegex("^bpss_[0-9A-Za-z]{40}$");
        run.Output.Should().Contain("Service library-api is registered.");
        await using var database = await TestDatabase.CreateAsync(filePath: _databasePath);
        (await database.ServiceClients.AuthenticateAsync(clientId, secret))!.Name.Should().Be("library-api");
        (await CountAsync("SELECT COUNT(*) FROM AuditEvents WHERE Action = 'ServiceAdded' AND ActorUserId = 'system:command-line'")).Should().Be(1);
    }

    [Theory]
    [InlineData("add-service")]
    [InlineData("add-service", "library-api", "extra")]
    [InlineData("add-service", "Library API")]
    public async Task Add_service_without_one_good_name_says_why_and_registers_nothing(params string[] arguments)
    {
        await using (await TestDatabase.CreateAsync(filePath: _databasePath))
        {
        }

        var run = await RunAsync("Production", EmailSettings, arguments);

        run.ExitCode.Should().NotBe(0, run.Output);
        run.Output.Should().Contain(arguments.Length == 2 ? "A service name is 3 to 60 characters" : "Usage: dotnet run --project BeatPass.Web -- add-service <name>");
        run.Output.Should().NotContain("client_secret");
        (await CountAsync("SELECT COUNT(*) FROM ServiceClients")).Should().Be(0);
    }

    // Production refuses to start without them; a command runs before that check, but a real deployment has them.
    private static Dictionary<string, string> EmailSettings => new()
    {
        ["Email__Delivery"] = "Pickup",
        ["Email__From"] = "BeatPass <noreply@example.com>",
        ["Email__PickupDirectory"] = Path.GetTempPath(),
        ["App__PublicUrl"] = "https://beatpass.example",
    };

    public void Dispose() => TestFiles.DeleteSqliteDatabase(_databasePath);

    private Task<(int ExitCode, string Output)> RunAsync(string environment, params string[] arguments) =>
        RunAsync(environment, new Dictionary<string, string>(), arguments);

    private async Task<(int ExitCode, string Output)> RunAsync(string environment, Dictionary<string, string> settings, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = RepositoryPaths.WebProject,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["ASPNETCORE_ENVIRONMENT"] = environment,
                ["ConnectionStrings__BeatPass"] = $"Data Source={_databasePath}",
                ["Logging__LogLevel__Default"] = "Warning",
            },
        };
        foreach (var (key, value) in settings)
        {
            start.Environment[key] = value;
        }

        start.ArgumentList.Add(RepositoryPaths.WebAssembly);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await output + await error);
    }

    private Task<long> CountStaffAsync(string email) => CountAsync(
        "SELECT COUNT(*) FROM AspNetUserRoles ur JOIN AspNetUsers u ON u.Id = ur.UserId JOIN AspNetRoles r ON r.Id = ur.RoleId " +
        $"WHERE u.NormalizedEmail = '{email.ToUpperInvariant()}' AND r.Name = 'Staff'");

    private async Task<long> CountAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={_databasePath};Mode=ReadOnly");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)(await command.ExecuteScalarAsync())!;
    }
}

using Microsoft.Extensions.Configuration;

namespace BeatPass.Core.Data;

/// <summary>Which database BeatPass runs on: <c>Database:Provider</c>, <c>Sqlite</c> (the default) or <c>PostgreSQL</c>.</summary>
public enum DatabaseProvider
{
    Sqlite,
    // Named as the setting spells it, so that ToString() gives the value to configure.
    PostgreSQL,
}

/// <summary>Section <c>Database</c>, and the connection string <c>ConnectionStrings:BeatPass</c>.</summary>
public sealed class DatabaseOptions
{
    public const string ProviderKey = "Database:Provider";
    public const string MigrateOnStartKey = "Database:MigrateOnStart";
    public const string ConnectionStringName = "BeatPass";
    public const string ConnectionStringKey = "ConnectionStrings:" + ConnectionStringName;

    public DatabaseProvider Provider { get; set; }

    /// <summary>PostgreSQL only: migrate when a node starts (SQLite always does). Off by default: the <c>migrate</c> command does it once.</summary>
    public bool MigrateOnStart { get; set; }

    public string ConnectionString { get; set; } = "";

    /// <summary>
    /// Reads the settings. Not the configuration binder: it would take any case and numbers for the provider, and
    /// could not say which values are right.
    /// </summary>
    internal void Read(IConfiguration configuration)
    {
        Provider = configuration[ProviderKey] switch
        {
            null or "" or nameof(DatabaseProvider.Sqlite) => DatabaseProvider.Sqlite,
            nameof(DatabaseProvider.PostgreSQL) => DatabaseProvider.PostgreSQL,
            var other => throw new InvalidOperationException(
                $"{ProviderKey} is \"{other}\". Set it to Sqlite (the default, one node) or PostgreSQL (several nodes)."),
        };
        MigrateOnStart = configuration.GetValue<bool>(MigrateOnStartKey);
        ConnectionString = configuration.GetConnectionString(ConnectionStringName)
            ?? throw new InvalidOperationException($"Set the connection string '{ConnectionStringKey}'.");
    }
}

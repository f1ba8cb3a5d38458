using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BeatPass.Core.Data;

/// <summary>
/// What differs between the databases BeatPass runs on, in one place per provider: how a context connects, how an
/// account's row is locked, what follows a migration, and whether other nodes' changes must be listened for. The rest
/// of the code asks the dialect (<see cref="BeatPassDbContext.Dialect"/>, or the one registered), never the provider.
/// </summary>
public abstract class DatabaseDialect
{
    public static IReadOnlyList<DatabaseDialect> All { get; } = [SqliteDialect.Instance, PostgreSqlDialect.Instance];

    public static DatabaseDialect For(DatabaseProvider provider) => All.Single(d => d.Provider == provider);

    public abstract DatabaseProvider Provider { get; }

    /// <summary>False on SQLite, the one node's own file: its changes are all seen in-process.</summary>
    public abstract bool IsSharedByNodes { get; }

    /// <summary>Whether a node migrates the database when it starts.</summary>
    public abstract bool MigratesOnStart(DatabaseOptions options);

    /// <summary>
    /// Locks the account's row until the transaction ends, so checks and writes about one account (token limit,
    /// unique names, access) cannot interleave.
    /// </summary>
    public abstract Task LockAccountAsync(BeatPassDbContext db, string userId, CancellationToken cancellationToken);

    /// <summary>
    /// A condition for a raw SQL statement that <paramref name="column"/> is one of
    /// <paramref name="values"/>, with the arguments its placeholders (<c>{0}</c> on) stand for.
    /// </summary>
    public abstract (string Condition, object[] Arguments) IsAnyOf(string column, IReadOnlyList<byte[]> values);

    /// <summary>
    /// Set-up for a connection the token lookups keep open and use again and again (<c>ApiTokenLookups</c>), undone by
    /// <see cref="EndLookupSession"/> before the connection goes back to the pool.
    /// </summary>
    public virtual Task BeginLookupSessionAsync(BeatPassDbContext db) => Task.CompletedTask;

    /// <summary>Undoes <see cref="BeginLookupSessionAsync"/>.</summary>
    public virtual void EndLookupSession(BeatPassDbContext db)
    {
    }

    /// <summary>
    /// For the rest of the transaction, statements find the rows they touch by key, not by reading whole tables: for a
    /// transaction whose statements each pick a batch of rows by their keys (the last-used writer's).
    /// </summary>
    public virtual Task FindRowsByKeyAsync(BeatPassDbContext db, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Set-up the database needs once it is migrated.</summary>
    public virtual Task AfterMigrationAsync(BeatPassDbContext db, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Listens for the ids of accounts whose tokens, user row or roles another node or process changed, calling
    /// <paramref name="onListening"/> once it receives them and <paramref name="onChange"/> for each (with when the change
    /// was made, where the database says), until
    /// cancelled or the connection fails.
    /// </summary>
    public abstract Task ListenForAccountChangesAsync(
        string connectionString, Action onListening, Action<string, DateTime?> onChange, CancellationToken cancellationToken);

    /// <summary>Registers this provider's context factory, connected by <paramref name="connectionString"/>.</summary>
    internal abstract void AddContextFactory(IServiceCollection services, Func<IServiceProvider, string> connectionString,
        Action<IServiceProvider, DbContextOptionsBuilder> configure);

    /// <summary>This provider's factory, as the <see cref="BeatPassDbContext"/> factory the code uses.</summary>
    internal abstract IDbContextFactory<BeatPassDbContext> ContextFactory(IServiceProvider services);
}

/// <summary>A dialect whose migrations belong to <typeparamref name="TContext"/>, the provider's own context.</summary>
public abstract class DatabaseDialect<TContext> : DatabaseDialect
    where TContext : BeatPassDbContext
{
    /// <summary>Connects <paramref name="options"/> to this provider's database.</summary>
    protected abstract DbContextOptionsBuilder UseProvider(DbContextOptionsBuilder options, string connectionString);

    internal sealed override void AddContextFactory(IServiceCollection services, Func<IServiceProvider, string> connectionString,
        Action<IServiceProvider, DbContextOptionsBuilder> configure) =>
        // Pooled: a cache miss or a last-used write is one short query, and making a context costs more than it does.
        // The contexts hold no state of their own, so a reused one is as good as new.
        services.AddPooledDbContextFactory<TContext>((provider, options) => configure(provider, UseProvider(options, connectionString(provider))));

    internal sealed override IDbContextFactory<BeatPassDbContext> ContextFactory(IServiceProvider services) =>
        new AsBeatPassDbContextFactory(services.GetRequiredService<IDbContextFactory<TContext>>());

    /// <summary>Hands out the provider's context as the <see cref="BeatPassDbContext"/> the code uses.</summary>
    private sealed class AsBeatPassDbContextFactory(IDbContextFactory<TContext> inner) : IDbContextFactory<BeatPassDbContext>
    {
        public BeatPassDbContext CreateDbContext() => inner.CreateDbContext();
    }
}

/// <summary>Extensions that let code say what it needs of the database without naming the provider.</summary>
public static class DatabaseDialectExtensions
{
    /// <inheritdoc cref="DatabaseDialect.LockAccountAsync"/>
    public static Task LockAccountAsync(this BeatPassDbContext db, string userId, CancellationToken cancellationToken) =>
        db.Dialect.LockAccountAsync(db, userId, cancellationToken);
}

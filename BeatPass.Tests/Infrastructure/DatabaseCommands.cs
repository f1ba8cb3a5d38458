using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace BeatPass.Tests.Infrastructure;

/// <summary>
/// A command interceptor in a <see cref="TestDatabase"/>'s contexts that lets a test count the commands sent while it
/// watches, and hold one on the sending thread just before it is sent or once its rows were read.
/// </summary>
public sealed class DatabaseCommands : DbCommandInterceptor
{
    private volatile Watch? _watch;

    /// <summary>The lookup of a token by its hash: the query every cache miss makes.</summary>
    public static bool IsTokenLookup(DbCommand command) =>
        command.CommandText.TrimStart().StartsWith("SELECT", StringComparison.Ordinal)
        && command.CommandText.Contains("\"TokenHash\"", StringComparison.Ordinal)
        && command.CommandText.Contains("FROM \"ApiTokens\"", StringComparison.Ordinal);

    /// <summary>
    /// Counts the matching commands until disposed; <paramref name="onSending"/> gets each one's number, from 1, and
    /// <paramref name="onRead"/> each reading one's number, in the order their readers close, once its rows were read.
    /// </summary>
    public Watch Start(Func<DbCommand, bool> matches, Action<int>? onSending = null, Action<int>? onRead = null) =>
        _watch = new Watch(this, matches, onSending, onRead);

    public override InterceptionResult DataReaderDisposing(DbCommand command, DataReaderDisposingEventData eventData, InterceptionResult result)
    {
        _watch?.Closing(command);
        return result;
    }

    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        _watch?.Saw(command, eventData.CommandId);
        return result;
    }

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        _watch?.Saw(command, eventData.CommandId);
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
    {
        _watch?.Saw(command, eventData.CommandId);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        _watch?.Saw(command, eventData.CommandId);
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result)
    {
        _watch?.Saw(command, eventData.CommandId);
        return result;
    }

    public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default)
    {
        _watch?.Saw(command, eventData.CommandId);
        return ValueTask.FromResult(result);
    }

    public sealed class Watch(DatabaseCommands owner, Func<DbCommand, bool> matches, Action<int>? onSending, Action<int>? onRead) : IDisposable
    {
        private readonly ConcurrentQueue<Guid> _commandIds = new();
        private int _count;
        private int _read;

        public int Count => Volatile.Read(ref _count);

        /// <summary>The id each matching command was sent with, as interceptors and logs tell commands apart.</summary>
        public IReadOnlyCollection<Guid> CommandIds => _commandIds;

        internal void Saw(DbCommand command, Guid commandId)
        {
            if (matches(command))
            {
                _commandIds.Enqueue(commandId);
                var number = Interlocked.Increment(ref _count);
                onSending?.Invoke(number);
            }
        }

        internal void Closing(DbCommand command)
        {
            if (matches(command))
            {
                onRead?.Invoke(Interlocked.Increment(ref _read));
            }
        }

        public void Dispose() => Interlocked.CompareExchange(ref owner._watch, null, this);
    }
}

using System.Buffers.Binary;
using System.Data.Common;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace BeatPass.Core.Data;

/// <summary>
/// A statement prepared once on a context's open connection and run again and again with new values. Microsoft.Data.Sqlite
/// prepares a statement per command and EF Core makes a new command for every query, so on SQLite, where a short
/// statement is parsed in about the time it takes to run, a statement run for every row or every request is worth
/// keeping. Values are bound as EF Core binds them (its type mapping for each parameter's type: a <see cref="Guid"/> as
/// the text SQLite stores), and each run is sent through EF Core's diagnostics as its own commands are, so logging,
/// interceptors and tracing see it. Runs in the context's transaction, if it has one.
/// </summary>
internal sealed class PreparedCommand : IDisposable
{
    private readonly BeatPassDbContext _db;
    private readonly IRelationalConnection _connection;
    private readonly IRelationalCommandDiagnosticsLogger _diagnostics;
    private readonly DbCommand _command;
    private readonly Parameter[] _parameters;

    /// <param name="sql">The statement, its parameters written <c>@name</c>.</param>
    /// <param name="parameters">Each parameter's name (without the <c>@</c>) and the type of its values.</param>
    public PreparedCommand(BeatPassDbContext db, string sql, params (string Name, Type Type)[] parameters)
    {
        _db = db;
        _connection = db.GetService<IRelationalConnection>();
        _diagnostics = db.GetService<IRelationalCommandDiagnosticsLogger>();
        _connection.Open();
        _command = _connection.DbConnection.CreateCommand();
        _command.CommandText = sql;
        _command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        var mappings = db.GetService<IRelationalTypeMappingSource>();
        _parameters = parameters.Select(p =>
        {
            var mapping = mappings.FindMapping(p.Type) ?? throw new ArgumentException($"No mapping for {p.Type}.", nameof(parameters));
            var parameter = mapping.CreateParameter(_command, "@" + p.Name, value: null, nullable: true);
            _command.Parameters.Add(parameter);
            return new Parameter(parameter, mapping);
        }).ToArray();
        _command.Prepare();
    }

    /// <summary>Runs the statement with these values, one per parameter in order, and returns the rows it affected.</summary>
    public int ExecuteNonQuery(params object?[] values)
    {
        var (commandId, startTime, started) = Bind(values);
        try
        {
            var interception = _diagnostics.CommandNonQueryExecuting(
                _connection, _command, _command.CommandText, _db, commandId, _connection.ConnectionId, startTime, CommandSource.ExecuteSqlRaw);
            var affected = interception.HasResult ? interception.Result : _command.ExecuteNonQuery();
            return _diagnostics.CommandNonQueryExecuted(_connection, _command, _command.CommandText, _db, commandId, _connection.ConnectionId, affected,
                startTime, Stopwatch.GetElapsedTime(started), CommandSource.ExecuteSqlRaw);
        }
        catch (Exception exception)
        {
            Failed(exception, DbCommandMethod.ExecuteNonQuery, commandId, startTime, started);
            throw;
        }
    }

    /// <summary>
    /// Runs the statement with these values and reads its first row with <paramref name="read"/>; the default when it
    /// returns none.
    /// </summary>
    public T? ReadFirstOrDefault<T>(Func<DbDataReader, T> read, params object?[] values)
    {
        var run = ExecuteReader(values);
        var found = false;
        try
        {
            found = run.Reader.Read();
            return found ? read(run.Reader) : default;
        }
        finally
        {
            End(run, found ? 1 : 0);
        }
    }

    /// <summary>Runs the statement with these values and reads every row it returns with <paramref name="read"/>.</summary>
    public List<T> ReadAll<T>(Func<DbDataReader, T> read, params object?[] values)
    {
        var run = ExecuteReader(values);
        var rows = new List<T>();
        try
        {
            while (run.Reader.Read())
            {
                rows.Add(read(run.Reader));
            }

            return rows;
        }
        finally
        {
            End(run, rows.Count);
        }
    }

    private ReaderRun ExecuteReader(object?[] values)
    {
        var (commandId, startTime, started) = Bind(values);
        try
        {
            var interception = _diagnostics.CommandReaderExecuting(
                _connection, _command, _command.CommandText, _db, commandId, _connection.ConnectionId, startTime, CommandSource.FromSqlQuery);
            var reader = interception.HasResult ? interception.Result : _command.ExecuteReader();
            reader = _diagnostics.CommandReaderExecuted(_connection, _command, _command.CommandText, _db, commandId, _connection.ConnectionId, reader,
                startTime, Stopwatch.GetElapsedTime(started), CommandSource.FromSqlQuery);
            return new ReaderRun(reader, commandId, startTime, started);
        }
        catch (Exception exception)
        {
            Failed(exception, DbCommandMethod.ExecuteReader, commandId, startTime, started);
            throw;
        }
    }

    // Disposes the run's reader, unless an interceptor says otherwise.
    private void End(ReaderRun run, int rowsRead)
    {
        if (!_diagnostics.DataReaderDisposing(_connection, _command, run.Reader, run.CommandId, run.Reader.RecordsAffected, rowsRead,
                run.StartTime, Stopwatch.GetElapsedTime(run.Started)).IsSuppressed)
        {
            run.Reader.Dispose();
        }
    }

    private (Guid CommandId, DateTimeOffset StartTime, long Started) Bind(object?[] values)
    {
        if (values.Length != _parameters.Length)
        {
            throw new ArgumentException($"{_parameters.Length} values expected, {values.Length} given.", nameof(values));
        }

        for (var i = 0; i < values.Length; i++)
        {
            var (parameter, mapping) = _parameters[i];
            parameter.Value = values[i] is { } value ? mapping.Converter?.ConvertToProvider(value) ?? value : DBNull.Value;
        }

        return (NextCommandId(), DateTimeOffset.UtcNow, Stopwatch.GetTimestamp());
    }

    // Diagnostics only tell one run from another by its id, so it need not be random: Guid.NewGuid, as EF Core uses,
    // reads the kernel's random source on Linux, a system call on every run (a cache miss, a last use written).
    private static readonly Guid CommandIdBase = Guid.NewGuid();
    private static long _runs;

    private static Guid NextCommandId()
    {
        Span<byte> id = stackalloc byte[16];
        CommandIdBase.TryWriteBytes(id);
        BinaryPrimitives.WriteInt64LittleEndian(id[8..], Interlocked.Increment(ref _runs));
        return new Guid(id);
    }

    private void Failed(Exception exception, DbCommandMethod method, Guid commandId, DateTimeOffset startTime, long started) =>
        _diagnostics.CommandError(_connection, _command, _command.CommandText, _db, method, commandId, _connection.ConnectionId, exception, startTime,
            Stopwatch.GetElapsedTime(started), CommandSource.FromSqlQuery);

    /// <summary>Disposes the command; the context (and its connection) stays its owner's.</summary>
    public void Dispose() => _command.Dispose();

    private readonly record struct Parameter(DbParameter DbParameter, RelationalTypeMapping Mapping);

    private readonly record struct ReaderRun(DbDataReader Reader, Guid CommandId, DateTimeOffset StartTime, long Started);
}

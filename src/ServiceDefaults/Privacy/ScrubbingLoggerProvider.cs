using Microsoft.Extensions.Logging;

namespace GoldbachActors.ServiceDefaults.Privacy;

/// <summary>
/// Wraps a logging provider (console, OpenTelemetry) so that everything it writes passes the
/// <see cref="PersonalDataScrubber"/>: message, fields, scopes and exception.
/// </summary>
internal sealed class ScrubbingLoggerProvider(ILoggerProvider inner, PersonalDataScrubber scrubber) : ILoggerProvider, ISupportExternalScope
{
    public ILogger CreateLogger(string categoryName) => new ScrubbingLogger(inner.CreateLogger(categoryName), scrubber);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider)
    {
        if (inner is ISupportExternalScope scoped)
        {
            scoped.SetScopeProvider(new ScrubbingScopeProvider(scopeProvider, scrubber));
        }
    }

    public void Dispose() => inner.Dispose();

    private sealed class ScrubbingLogger(ILogger inner, PersonalDataScrubber scrubber) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!inner.IsEnabled(logLevel))
            {
                return;
            }
            var message = scrubber.Scrub(formatter(state, exception));
            var fields = ScrubbedFields.From(state, scrubber, message);
            inner.Log(logLevel, eventId, fields, exception is null ? null : new ScrubbedException(exception, scrubber),
                static (f, _) => f.Message);
        }
    }

    private sealed class ScrubbingScopeProvider(IExternalScopeProvider inner, PersonalDataScrubber scrubber) : IExternalScopeProvider
    {
        public void ForEachScope<TState>(Action<object?, TState> callback, TState state) =>
            inner.ForEachScope((scope, s) => callback(scope switch
            {
                null => null,
                IEnumerable<KeyValuePair<string, object?>> => ScrubbedFields.From(scope, scrubber, scrubber.Scrub(scope.ToString() ?? "")),
                _ => scrubber.Scrub(scope),
            }, s), state);

        public IDisposable Push(object? state) => inner.Push(state);
    }
}

/// <summary>A log entry's fields after scrubbing; its text is the scrubbed message.</summary>
internal sealed class ScrubbedFields(List<KeyValuePair<string, object?>> fields, string message) : IReadOnlyList<KeyValuePair<string, object?>>
{
    public string Message { get; } = message;

    public static ScrubbedFields From(object? state, PersonalDataScrubber scrubber, string message)
    {
        var fields = new List<KeyValuePair<string, object?>>();
        if (state is IEnumerable<KeyValuePair<string, object?>> pairs)
        {
            foreach (var (key, value) in pairs)
            {
                // The message template is code, not data.
                fields.Add(new(key, key == "{OriginalFormat}" ? value : scrubber.Scrub(value)));
            }
        }
        return new ScrubbedFields(fields, message);
    }

    public KeyValuePair<string, object?> this[int index] => fields[index];

    public int Count => fields.Count;

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => fields.GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => Message;
}

/// <summary>An exception as logged: its type, message and stack trace with identifiers scrubbed.</summary>
internal sealed class ScrubbedException(Exception original, PersonalDataScrubber scrubber)
    : Exception($"{original.GetType().FullName}: {scrubber.Scrub(original.Message)}")
{
    private readonly string _text = scrubber.Scrub(original.ToString());

    public override string? StackTrace => null;

    public override string ToString() => _text;
}

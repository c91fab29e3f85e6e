using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Trace;

namespace GoldbachActors.Tests.Telemetry;

/// <summary>
/// Everything a host writes to telemetry, as text: spans from the in-memory exporter, log records as the OpenTelemetry
/// exporter receives them, and log entries as a plain provider (like the console) receives them.
/// </summary>
internal sealed class TelemetryCapture
{
    private readonly List<Activity> _spans = [];
    private readonly ConcurrentQueue<string> _logs = new();

    public IReadOnlyList<Activity> Spans
    {
        get
        {
            lock (_spans)
            {
                return [.. _spans];
            }
        }
    }

    public int LogCount => _logs.Count;

    /// <summary>Adds the exporters and the plain log provider; call before the host's own telemetry is added.</summary>
    public void AddTo(IServiceCollection services)
    {
        services.ConfigureOpenTelemetryTracerProvider(t => t.AddInMemoryExporter(_spans));
        services.ConfigureOpenTelemetryLoggerProvider(l => l.AddProcessor(new SimpleLogRecordExportProcessor(new TextExporter(_logs))));
        services.AddSingleton<ILoggerProvider>(new PlainLoggerProvider(_logs));
    }

    /// <summary>Every span (name, tags, events, status) and every log entry as one text.</summary>
    public string Text()
    {
        var text = new StringBuilder();
        foreach (var span in Spans)
        {
            text.Append("span ").Append(span.DisplayName).Append(' ').Append(span.OperationName).Append(' ').AppendLine(span.StatusDescription);
            foreach (var (key, value) in span.TagObjects)
            {
                text.Append("  ").Append(key).Append('=').Append(value).AppendLine();
            }
            foreach (var e in span.Events)
            {
                text.Append("  event ").Append(e.Name);
                foreach (var (key, value) in e.Tags)
                {
                    text.Append(' ').Append(key).Append('=').Append(value);
                }
                text.AppendLine();
            }
            foreach (var (key, value) in span.Baggage)
            {
                text.Append("  baggage ").Append(key).Append('=').Append(value).AppendLine();
            }
        }
        foreach (var log in _logs)
        {
            text.AppendLine(log);
        }
        return text.ToString();
    }

    private sealed class TextExporter(ConcurrentQueue<string> sink) : BaseExporter<LogRecord>
    {
        public override ExportResult Export(in Batch<LogRecord> batch)
        {
            foreach (var record in batch)
            {
                var text = new StringBuilder("otel-log ").Append(record.CategoryName).Append(' ')
                    .Append(record.FormattedMessage).Append(' ').Append(record.Body);
                foreach (var (key, value) in record.Attributes ?? [])
                {
                    text.Append(' ').Append(key).Append('=').Append(value);
                }
                record.ForEachScope((scope, builder) =>
                {
                    foreach (var (key, value) in scope)
                    {
                        builder.Append(" scope ").Append(key).Append('=').Append(value);
                    }
                }, text);
                text.Append(' ').Append(record.Exception?.ToString());
                sink.Enqueue(text.ToString());
            }
            return ExportResult.Success;
        }
    }

    private sealed class PlainLoggerProvider(ConcurrentQueue<string> sink) : ILoggerProvider, ISupportExternalScope
    {
        private IExternalScopeProvider? _scopes;

        public ILogger CreateLogger(string categoryName) => new PlainLogger(categoryName, this);

        public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

        public void Dispose()
        {
        }

        private sealed class PlainLogger(string category, PlainLoggerProvider provider) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => provider._scopes?.Push(state);

            public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var text = new StringBuilder("plain-log ").Append(category).Append(' ').Append(formatter(state, exception));
                if (state is IEnumerable<KeyValuePair<string, object?>> fields)
                {
                    foreach (var (key, value) in fields)
                    {
                        text.Append(' ').Append(key).Append('=').Append(value);
                    }
                }
                provider._scopes?.ForEachScope((scope, builder) => builder.Append(" scope ").Append(scope), text);
                text.Append(' ').Append(exception?.ToString());
                provider.Log(text.ToString());
            }
        }

        private void Log(string entry) => sink.Enqueue(entry);
    }
}

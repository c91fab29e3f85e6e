namespace GoldbachActors.Tests.Infrastructure;

/// <summary>Polling for what happens asynchronously (sends run on grain timers, clients reconnect).</summary>
public static class Eventually
{
    /// <summary>
    /// Reads until <paramref name="condition"/> holds and returns that value; throws <see cref="TimeoutException"/>
    /// (naming the last value read) when the time is up first, so that a wait never passes without its condition.
    /// </summary>
    public static async Task<T> Until<T>(Func<Task<T>> read, Func<T, bool> condition, TimeSpan? timeout = null, TimeSpan? interval = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(15);
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            var value = await read();
            if (condition(value))
            {
                return value;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The condition did not hold within {limit.TotalSeconds:F0} s; last value read: {Describe(value)}");
            }
            await Task.Delay(interval ?? TimeSpan.FromMilliseconds(25));
        }
    }

    private static string Describe(object? value) => value switch
    {
        null => "null",
        string text => text,
        System.Collections.ICollection items => $"{value.GetType().Name} of {items.Count}",
        _ => value.ToString() ?? "",
    };

    /// <summary>Calls until the call stops throwing <typeparamref name="TException"/> or the time is up.</summary>
    public static async Task<T> Succeeds<T, TException>(Func<Task<T>> call, TimeSpan? timeout = null)
        where TException : Exception
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (true)
        {
            try
            {
                return await call();
            }
            catch (TException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
        }
    }
}

namespace GoldbachActors.Tests.Infrastructure;

/// <summary>Polling for what happens asynchronously (sends run on grain timers, clients reconnect).</summary>
public static class Eventually
{
    /// <summary>Reads until <paramref name="condition"/> holds or the time is up; returns the last value read.</summary>
    public static async Task<T> Until<T>(Func<Task<T>> read, Func<T, bool> condition, TimeSpan? timeout = null, TimeSpan? interval = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (true)
        {
            var value = await read();
            if (condition(value) || DateTime.UtcNow > deadline)
            {
                return value;
            }
            await Task.Delay(interval ?? TimeSpan.FromMilliseconds(25));
        }
    }

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

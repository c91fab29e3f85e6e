using Grpc.Core;
using Grpc.Core.Interceptors;

namespace GoldbachActors.Gateway.Staff;

/// <summary>
/// Maps the domain's exceptions to gRPC status codes, once, at the edge. Anything unexpected becomes
/// <c>Internal</c> without details (they may hold personal data) and is logged by type.
/// </summary>
public sealed partial class StaffErrorInterceptor(ILogger<StaffErrorInterceptor> logger) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        try
        {
            return await continuation(request, context);
        }
        catch (RpcException)
        {
            throw;
        }
        catch (ArgumentException ex)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, ex.Message));
        }
        catch (KeyNotFoundException ex)
        {
            throw new RpcException(new Status(StatusCode.NotFound, ex.Message));
        }
        catch (TimeoutException)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, "The service did not answer in time; try again."));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogUnexpected(context.Method, ex.GetType().Name);
            throw new RpcException(new Status(StatusCode.Internal, "An internal error occurred."));
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Staff call {Method} failed with {ExceptionType}")]
    private partial void LogUnexpected(string method, string exceptionType);
}

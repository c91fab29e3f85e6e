using Grpc.Core;
using Grpc.Core.Interceptors;
using Orleans.Runtime;
using Orleans.Runtime.Messaging;

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
        catch (Exception ex) when (ex is not (RpcException or OperationCanceledException))
        {
            throw Map(ex, context);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        try
        {
            await continuation(request, responseStream, context);
        }
        catch (Exception ex) when (ex is not (RpcException or OperationCanceledException))
        {
            throw Map(ex, context);
        }
    }

    private RpcException Map(Exception ex, ServerCallContext context)
    {
        switch (ex)
        {
            case ArgumentException:
                return new RpcException(new Status(StatusCode.InvalidArgument, ex.Message));
            case UnauthorizedAccessException:
                // A grain's own rule (the staff section, reassigning): its message says which.
                return new RpcException(new Status(StatusCode.PermissionDenied, ex.Message));
            case KeyNotFoundException:
                return new RpcException(new Status(StatusCode.NotFound, ex.Message));
            case TimeoutException:
                return new RpcException(new Status(StatusCode.Unavailable, "The service did not answer in time; try again."));
            case SiloUnavailableException or ConnectionFailedException or OrleansMessageRejectionException:
                // A silo restarting or a connection the client has not re-established yet: passing, so worth a retry.
                LogClusterUnavailable(context.Method, ex.GetType().Name);
                return new RpcException(new Status(StatusCode.Unavailable, "The service is briefly unavailable; try again."));
            default:
                LogUnexpected(context.Method, ex.GetType().Name);
                return new RpcException(new Status(StatusCode.Internal, "An internal error occurred."));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Staff call {Method} found the cluster unavailable ({ExceptionType})")]
    private partial void LogClusterUnavailable(string method, string exceptionType);

    [LoggerMessage(Level = LogLevel.Error, Message = "Staff call {Method} failed with {ExceptionType}")]
    private partial void LogUnexpected(string method, string exceptionType);
}

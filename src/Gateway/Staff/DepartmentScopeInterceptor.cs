using GoldbachActors.Contracts;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace GoldbachActors.Gateway.Staff;

/// <summary>
/// Department staff (a token with a <see cref="StaffClaims.Department"/>) reach only the calls their work needs: who
/// they are, the town's name and texts, and their department's requests (each call narrows them further, see
/// StaffRequestApi.cs). Every other call is refused here, before it runs: nothing of the inbox, the
/// conversations, broadcasts, settings or data protection, and so no citizen's number, name or words.
/// </summary>
public sealed class DepartmentScopeInterceptor : Interceptor
{
    private const string Service = "/goldbach.staff.v1.StaffService/";

    private static readonly HashSet<string> Allowed = new(StringComparer.Ordinal)
    {
        Service + "GetSignInSettings",
        Service + "GetSignedInStaff",
        Service + "GetTenant",
        Service + "ListCannedReplies",
        Service + "ListRequestServices",
        Service + "ListRequests",
        Service + "GetRequest",
        Service + "UpdateRequestStatus",
    };

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        Check(context);
        return continuation(request, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        Check(context);
        return continuation(request, responseStream, context);
    }

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        Check(context);
        return continuation(requestStream, context);
    }

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        Check(context);
        return continuation(requestStream, responseStream, context);
    }

    private static void Check(ServerCallContext context)
    {
        var department = context.GetHttpContext().User.FindFirst(StaffClaims.Department)?.Value;
        if (!string.IsNullOrEmpty(department) && !Allowed.Contains(context.Method))
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied,
                $"Ihr Konto gehört zur Abteilung „{department}“: Sie sehen deren Anliegen, nicht den Posteingang."));
        }
    }
}

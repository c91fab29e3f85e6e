using System.Collections.Frozen;
using GoldbachActors.Contracts;

namespace GoldbachActors.Grains.Citizens;

/// <summary>
/// A former identity (an old number, a user id folded into another) keeps only the key of the citizen it became
/// (<see cref="CitizenState.ForwardTo"/>). Every call to it is answered by that citizen: one rule here, for all of
/// <see cref="ICitizenGrain"/>, instead of a check at the top of each method.
/// </summary>
public sealed partial class CitizenGrain : IIncomingGrainCallFilter
{
    // The calls that concern this identity itself: the hand-over, forgetting the alias, and retention (an alias holds
    // nothing to expire). Reminders come through IRemindable and are never forwarded either.
    private static readonly FrozenSet<string> OwnCalls = new[]
    {
        nameof(ICitizenGrain.HandOverToAsync), nameof(ICitizenGrain.CompleteHandOverAsync), nameof(ICitizenGrain.ForgetAliasAsync),
        nameof(ICitizenGrain.ExpireAsync),
    }.ToFrozenSet(StringComparer.Ordinal);

    public async Task Invoke(IIncomingGrainCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (state.State.ForwardTo is { } keeper && context.InterfaceMethod is { } method
            && method.DeclaringType == typeof(ICitizenGrain) && !OwnCalls.Contains(method.Name))
        {
            var arguments = new object?[context.Request.GetArgumentCount()];
            for (var i = 0; i < arguments.Length; i++)
            {
                arguments[i] = context.Request.GetArgument(i);
            }
            // The same method on the keeper's grain reference: its result (or its exception) is this call's.
            var call = (Task)method.Invoke(GrainFactory.GetGrain<ICitizenGrain>(keeper), arguments)!;
            await call;
            context.Result = method.ReturnType.IsGenericType ? call.GetType().GetProperty(nameof(Task<object>.Result))!.GetValue(call) : null;
            return;
        }
        await context.Invoke();
    }
}

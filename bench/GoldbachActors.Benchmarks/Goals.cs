namespace GoldbachActors.Benchmarks;

/// <summary>
/// A benchmark's goals, checked: each is printed as met or missed, and the run exits 1 when any was missed, so that a
/// regression cannot hide in a table. (Benchmarks stay out of CI's pass/fail: timings on a shared machine are noisy.)
/// </summary>
internal static class Goals
{
    public static int Check(params (string Goal, bool Met)[] goals)
    {
        foreach (var (goal, met) in goals)
        {
            Console.WriteLine($"{(met ? "Goal met" : "GOAL MISSED")}: {goal}");
        }
        return goals.All(g => g.Met) ? 0 : 1;
    }
}

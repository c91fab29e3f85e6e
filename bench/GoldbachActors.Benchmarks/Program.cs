using GoldbachActors.Benchmarks;

// bench/run.sh history | memory | pacing | broadcast | audit | cluster | duty | tenants run the citizen grain's and the outbox's benchmarks (see docs/benchmarks.md); no mode: intake.
switch (args.FirstOrDefault())
{
    case "history":
        return await HistoryBenchmark.RunAsync(args);
    case "memory":
        return await MemoryBenchmark.RunAsync(args);
    case "pacing":
        return await PacingBenchmark.RunAsync(args);
    case "broadcast":
        return await BroadcastBenchmark.RunAsync(args);
    case "audit":
        return await AuditBenchmark.RunAsync(args);
    case "cluster":
        return await ClusterSoakBenchmark.RunAsync(args);
    case "duty":
        return await DutyBenchmark.RunAsync(args);
    case "tenants":
        return await TenantsBenchmark.RunAsync(args);
}
return await IntakeBenchmark.RunAsync(args);



using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace GoldbachActors.Tests.WebInbox;

/// <summary>The axe scan every view of the inbox (and the provider's pages staff pass through) must pass: WCAG 2.1 AA.</summary>
internal static class AxeScan
{
    public static async Task AssertNoSeriousViolationsAsync(IPage page, string view, ITestOutputHelper output)
    {
        var result = await page.RunAxe(new AxeRunOptions
        {
            RunOnly = new RunOnlyOptions { Type = "tag", Values = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
        });
        foreach (var v in result.Violations)
        {
            output.WriteLine($"{view}: {v.Impact} {v.Id}: {v.Help} ({string.Join(", ", v.Nodes.Select(n => n.Target?.ToString()))})");
        }
        Assert.True(result.Passes.Length > 10, $"axe checked too little on the {view}.");
        Assert.Empty(result.Violations.Where(v => v.Impact is "serious" or "critical").Select(v => $"{v.Id}: {v.Help}"));
    }
}

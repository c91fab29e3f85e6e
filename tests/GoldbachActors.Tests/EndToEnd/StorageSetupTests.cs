using Azure.Data.Tables;
using GoldbachActors.Audit;
using GoldbachActors.Testing;

namespace GoldbachActors.Tests.EndToEnd;

/// <summary>A table whose set-up failed because storage was down is created on a later use, once storage is back.</summary>
public sealed class StorageSetupTests
{
    [Fact]
    public async Task A_set_up_that_failed_during_an_outage_is_tried_again_when_storage_is_back()
    {
        await using var storage = Azurite.Reserve();
        var tables = new TableServiceClient(storage.ConnectionString, new TableClientOptions { Retry = { MaxRetries = 0 } });
        var audit = new StaffAuditLog(tables, TimeProvider.System);

        // Nothing listens yet: the first use fails, as it must (nothing may be done unrecorded).
        await Assert.ThrowsAnyAsync<Exception>(() => audit.RecordAsync("tenant-a", "staff-01", "agent", "GetConversation", "c-1", CancellationToken.None));

        await storage.RestartAsync();
        await audit.RecordAsync("tenant-a", "staff-01", "agent", "GetConversation", "c-1", CancellationToken.None);
        var (entries, _) = await audit.ListAsync("tenant-a", 10, null, null, CancellationToken.None);
        Assert.Equal("GetConversation", Assert.Single(entries).Action);
    }
}

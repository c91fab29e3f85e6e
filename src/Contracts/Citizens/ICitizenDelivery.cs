namespace GoldbachActors.Contracts;

/// <summary>A role of the citizen grain (<see cref="ICitizenGrain"/>): what Meta reports about the town's messages to this citizen.</summary>
[Alias("goldbach.ICitizenDelivery")]
public interface ICitizenDelivery : IGrainWithStringKey
{
    /// <summary>
    /// Applies WhatsApp's status report (sent, delivered, read, failed) to the message it names, monotonically:
    /// a late or repeated report changes nothing. A report for a message this citizen was never sent is unmatched.
    /// </summary>
    [Alias("ReportDelivery")]
    Task<ReceiveOutcome> ReportDeliveryAsync(DeliveryReport report);
}

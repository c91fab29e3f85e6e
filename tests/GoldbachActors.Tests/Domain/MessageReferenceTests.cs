using GoldbachActors.Contracts;
using GoldbachActors.Grains.Citizens;

namespace GoldbachActors.Tests.Domain;

/// <summary>The rules for messages that refer to others, on the state alone (the end-to-end tests run them for real).</summary>
public sealed class MessageReferenceTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 5, 9, 0, 0, TimeSpan.Zero);

    private static InboundMessage Text(string wamid, string text, int second) => new(wamid, T0.AddSeconds(second), "text", text, "+4915112345678", "Erika");

    private static InboundMessage Reaction(string wamid, string target, string? emoji, int second) =>
        new(wamid, T0.AddSeconds(second), "reaction", null, "+4915112345678", "Erika") { Reaction = new Contracts.Reaction(target, emoji) };

    private static CitizenState Record(params InboundMessage[] messages)
    {
        var state = new CitizenState();
        foreach (var message in messages)
        {
            Assert.True(state.TryRecord(message, T0.AddMinutes(1)));
            state.ApplyReferences(message);
        }
        return state;
    }

    [Fact]
    public void A_reaction_that_arrives_before_its_message_is_applied_when_the_message_comes()
    {
        var state = Record(Reaction("wamid.r", "wamid.t", "👍", 5), Text("wamid.t", "Die Laterne ist aus", 1));

        Assert.Equal("👍", state.Inbound.Single(m => m.WhatsAppMessageId == "wamid.t" && m.Type == "text").CitizenReaction);
        Assert.True(state.Inbound.Single(m => m.Type == "reaction").AppliedToTarget);
    }

    [Fact]
    public void A_deletion_removes_text_media_and_quotes_and_returns_the_blob_and_a_later_edit_cannot_bring_it_back()
    {
        var photo = new InboundMessage("wamid.p", T0, "image", "Kennzeichen AB-C 123", "+4915112345678", "Erika")
        {
            Media = new MediaAttachment { Kind = "image", MediaId = "m1", Status = MediaStatus.Stored, BlobName = "106540352242922/DE.1/wamid.p", Caption = "Kennzeichen AB-C 123" },
        };
        var state = Record(photo);
        var reply = Text("wamid.q", "Hier noch einmal", 2) with { Context = new MessageContext("wamid.p", false, false), Quoted = state.QuoteOf("wamid.p") };
        Assert.True(state.TryRecord(reply, T0.AddMinutes(1)));
        Assert.Equal("Kennzeichen AB-C 123", state.Inbound[^1].Quoted!.Preview);

        var revoke = new InboundMessage("wamid.x", T0.AddSeconds(3), "revoke", null, "+4915112345678", null) { RevokedMessageId = "wamid.p" };
        Assert.True(state.TryRecord(revoke, T0.AddMinutes(1)));
        var blobs = state.ApplyReferences(revoke);
        var edit = new InboundMessage("wamid.e", T0.AddSeconds(4), "edit", "Neu", "+4915112345678", null) { Edit = new MessageEdit("wamid.p", "Neu") };
        Assert.True(state.TryRecord(edit, T0.AddMinutes(1)));
        state.ApplyReferences(edit);

        Assert.Equal(["106540352242922/DE.1/wamid.p"], blobs.ToArray());
        var deleted = state.Inbound.Single(m => m.WhatsAppMessageId == "wamid.p");
        Assert.Equal((null, null, (DateTimeOffset?)T0.AddSeconds(3)), (deleted.Text, deleted.Media, deleted.RevokedAt));
        Assert.Null(state.Inbound.Single(m => m.WhatsAppMessageId == "wamid.q").Quoted!.Preview);
        Assert.Equal("Hier noch einmal", state.ToSummary(Contracts.CitizenKey.Create("106540352242922", "4915112345678")).LastMessagePreview);
    }

    [Fact]
    public void Reactions_edits_and_deletions_neither_reopen_a_resolved_conversation_nor_start_a_new_one()
    {
        var state = Record(Text("wamid.t", "Danke!", 0));
        Assert.True(state.ChangeStatus(new StatusChange(ConversationStatus.Resolved, new StaffActor("staff-01", StaffRoles.Agent)), T0.AddSeconds(10), T0.AddDays(1)));
        var conversations = state.ConversationNumber;

        Assert.True(state.TryRecord(Reaction("wamid.r", "wamid.t", "❤️", 20), T0.AddMinutes(1)));

        Assert.Equal((ConversationStatus.Resolved, conversations), (state.Status, state.ConversationNumber));
    }
}

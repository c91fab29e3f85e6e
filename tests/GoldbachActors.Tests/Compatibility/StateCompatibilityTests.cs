using System.Text.Json;
using System.Text.Json.Nodes;
using GoldbachActors.Contracts;
using GoldbachActors.Grains.Citizens;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Storage;

namespace GoldbachActors.Tests.Compatibility;

/// <summary>
/// State written by earlier code must be read by today's (rolling upgrades, state in storage for years). The fixtures
/// <c>citizen-state-v1.bin</c>, <c>citizen-state-v2.bin</c> (with history pages, life cycle and limits) and
/// <c>citizen-state-v3.bin</c> (with lists, consent and broadcasts) and <c>citizen-state-v4.bin</c> (an erasure half-way,
/// former identities, the resolution time) are
/// citizens' states as the grain storage serializer wrote them on 2026-11-29; they must never be regenerated, only
/// joined by newer fixtures.
/// </summary>
public sealed class StateCompatibilityTests
{
    private static readonly string FixtureDirectory = Path.Combine(AppContext.BaseDirectory, "Compatibility");

    private static OrleansGrainStorageSerializer Serializer()
    {
        var services = new ServiceCollection()
            .AddSerializer(builder => builder.AddAssembly(typeof(CitizenState).Assembly).AddAssembly(typeof(InboundMessage).Assembly))
            .BuildServiceProvider();
        return new OrleansGrainStorageSerializer(services.GetRequiredService<Serializer>());
    }

    [Fact]
    public void Citizen_state_written_by_the_first_version_is_read_by_this_one()
    {
        var bytes = File.ReadAllBytes(Path.Combine(FixtureDirectory, "citizen-state-v1.bin"));

        var state = Serializer().Deserialize<CitizenState>(new BinaryData(bytes))!;

        Assert.Equal("+4915112345678", state.PhoneNumber);
        Assert.Equal("Erika Mustermann", state.ProfileName);
        Assert.Equal(["Die Schaukel ist kaputt", null], state.Inbound.Select(m => m.Text));
        Assert.Equal("image", state.Inbound[1].Media!.Kind);
        Assert.Equal(MediaStatus.Stored, state.Inbound[1].Media!.Status);
        Assert.Equal((OutboundKind.Acknowledgement, DeliveryState.Read, "wamid.out1"), (state.Outbound[0].Kind, state.Outbound[0].State, state.Outbound[0].WhatsAppMessageId));
        Assert.Equal(("staff-01", "r-1"), (state.Outbound[1].SentBy, state.Outbound[1].RequestId));
        Assert.True(state.Acknowledged);
        Assert.Equal(ConversationStatus.WaitingForCitizen, state.Status);
        Assert.Equal(("Spielplatz", 1), (state.Category, state.ConversationNumber));
        Assert.True(state.HasProcessed("wamid.in1"));
        // Read by today's rules: a retry of a message recorded by the first version is still a duplicate.
        Assert.False(state.TryRecord(new InboundMessage("wamid.in1", state.Inbound[0].SentAt, "text", "Die Schaukel ist kaputt", null, null), state.Inbound[0].SentAt.AddMinutes(1)));
        Assert.True(state.Exists);
    }

    /// <summary>How the fixture was made (kept to show its content; running it does not overwrite the fixture).</summary>
    internal static CitizenState FixtureState()
    {
        var at = new DateTimeOffset(2026, 11, 29, 9, 0, 0, TimeSpan.Zero);
        var state = new CitizenState();
        state.TryRecord(new InboundMessage("wamid.in1", at, "text", "Die Schaukel ist kaputt", "+4915112345678", "Erika Mustermann"), at);
        state.TryRecord(new InboundMessage("wamid.in2", at.AddSeconds(5), "image", null, null, null)
        {
            Media = new MediaAttachment { Kind = "image", MediaId = "123", MimeType = "image/jpeg", Status = MediaStatus.Stored, BlobName = "1/DE.1/wamid.in2", SizeBytes = 42 },
        }, at);
        var ack = state.QueueAcknowledgementIfDue("Vielen Dank!", at)!;
        state.Update(ack with { State = DeliveryState.Read, WhatsAppMessageId = "wamid.out1" });
        state.QueueReply(new StaffReply("r-1", "Wir kümmern uns.", StaffActor.Agent("staff-01")), at.AddMinutes(3));
        state.Category = "Spielplatz";
        return state;
    }

    // What came after each fixture was written (the old bytes read as the default). Since v1: the conversation's start,
    // events, language and preview, the resolution time and the revision count; message ids kept as 8-byte digests
    // instead of strings (the old strings are still read: HasProcessed). Since v2: first-response tracking and the
    // resolution time. Since v3: each message names its conversation (retention per conversation). Since v4: an
    // erasure's plan names the lists to sweep (read as a default array: PendingErasure.ListsToSweep reads it as none).
    public static TheoryData<string, string> Fixtures => new()
    {
        {
            "v1",
            "ConversationStartedAt Events Inbound[].ConversationNumber Language LastInboundPreview Outbound[].ConversationNumber "
            + "ProcessedMessageIds.wamid.in1 ProcessedMessageIds.wamid.in2 ProcessedMessages.8534408329009428990 "
            + "ProcessedMessages.8821064957412812063 Revision StatusChangedAt"
        },
        { "v2", "AwaitingFirstResponse ConversationStartedAt Inbound[].ConversationNumber StatusChangedAt" },
        { "v3", "Inbound[].ConversationNumber" },
        { "v4", "Erasure.ListIds" },
    };

    /// <summary>
    /// Each fixture, read by today's code, holds field for field what its builder makes today (both as JSON), except
    /// the fields named here (separated by spaces): what was added since the fixture was written, whose default a reader of the old bytes sees.
    /// A field this code no longer reads, or reads differently, shows up as a difference.
    /// </summary>
    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Each_fixture_holds_field_for_field_what_its_builder_makes(string version, string fieldsAddedSince)
    {
        var built = version switch
        {
            "v1" => FixtureState(),
            "v2" => FixtureStateV2(),
            "v3" => FixtureStateV3(),
            _ => FixtureStateV4(),
        };
        var fromFixture = Serializer().Deserialize<CitizenState>(new BinaryData(File.ReadAllBytes(Path.Combine(FixtureDirectory, $"citizen-state-{version}.bin"))))!;

        var differences = new SortedSet<string>(StringComparer.Ordinal);
        Compare(Json(built), Json(fromFixture), "", differences);

        var addedSince = fieldsAddedSince.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(addedSince.Order(StringComparer.Ordinal).SequenceEqual(differences), "differences: " + string.Join(", ", differences));
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { Converters = { new DefaultImmutableArrayAsEmpty() } };

    // A default ImmutableArray (how Orleans reads an array field the old bytes lack) as null: unlike an empty one, it
    // cannot be enumerated, so it must show up as a difference.
    private sealed class DefaultImmutableArrayAsEmpty : System.Text.Json.Serialization.JsonConverterFactory
    {
        public override bool CanConvert(Type typeToConvert) =>
            typeToConvert.IsGenericType && typeToConvert.GetGenericTypeDefinition() == typeof(System.Collections.Immutable.ImmutableArray<>);

        public override System.Text.Json.Serialization.JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
            (System.Text.Json.Serialization.JsonConverter)Activator.CreateInstance(typeof(Converter<>).MakeGenericType(typeToConvert.GetGenericArguments()[0]))!;

        private sealed class Converter<T> : System.Text.Json.Serialization.JsonConverter<System.Collections.Immutable.ImmutableArray<T>>
        {
            public override System.Collections.Immutable.ImmutableArray<T> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
                throw new NotSupportedException();

            public override void Write(Utf8JsonWriter writer, System.Collections.Immutable.ImmutableArray<T> value, JsonSerializerOptions options) =>
                JsonSerializer.Serialize(writer, value.IsDefault ? null : value.ToArray(), options);
        }
    }

    private static JsonNode? Json(CitizenState state) => JsonSerializer.SerializeToNode(state, JsonOptions);

    // Paths whose values differ, array positions written as [] so that a field added to every message counts once.
    private static void Compare(JsonNode? built, JsonNode? read, string path, SortedSet<string> differences)
    {
        switch (built, read)
        {
            case (JsonObject a, JsonObject b):
                foreach (var name in a.Select(p => p.Key).Union(b.Select(p => p.Key)))
                {
                    Compare(a[name], b[name], path.Length == 0 ? name : $"{path}.{name}", differences);
                }
                break;
            case (JsonArray a, JsonArray b) when a.Count == b.Count:
                for (var i = 0; i < a.Count; i++)
                {
                    Compare(a[i], b[i], $"{path}[]", differences);
                }
                break;
            default:
                if (!JsonNode.DeepEquals(built, read))
                {
                    differences.Add(path);
                }
                break;
        }
    }

    [Fact]
    public void Citizen_state_with_history_pages_life_cycle_and_limits_written_on_2026_11_29_is_read_by_this_one()
    {
        var bytes = File.ReadAllBytes(Path.Combine(FixtureDirectory, "citizen-state-v2.bin"));

        var state = Serializer().Deserialize<CitizenState>(new BinaryData(bytes))!;

        Assert.Equal((ConversationStatus.Snoozed, new DateTimeOffset(2026, 12, 1, 7, 0, 0, TimeSpan.Zero)), (state.Status, state.SnoozedUntil));
        Assert.Equal((1, "uk", InboxSection.Citizens, true), (state.ArchivedPages, state.Language, state.Section, state.Flooding));
        Assert.Equal(("Spielplatz", true), (state.Category, state.CategoryChosenByStaff));
        Assert.Contains(state.Events, e => e.Kind == ConversationEventKind.StatusChanged && e.Actor == "staff-02" && e.To!.StartsWith("Snoozed", StringComparison.Ordinal));
        Assert.Equal(FixtureStateV2().InboundBucket, state.InboundBucket);
        Assert.True(state.HasProcessed("wamid.v2.59"));
        Assert.Equal(1, state.ArchivedOutbound["wamid.v2.out1"].Page);
        Assert.Equal("Повідомлення 59", state.LastInboundPreview);
    }

    /// <summary>How the second fixture was made (issue 4's shape: pages, events, digests, buckets, language).</summary>
    internal static CitizenState FixtureStateV2()
    {
        var at = new DateTimeOffset(2026, 11, 29, 9, 0, 0, TimeSpan.Zero);
        var rules = new GoldbachActors.Grains.Domain.ConversationRules(TimeSpan.FromDays(3), TimeSpan.FromMinutes(10));
        var flood = new GoldbachActors.Contracts.Configuration.RateLimitOptions { Burst = 20, Every = TimeSpan.FromSeconds(30) };
        var state = new CitizenState();
        for (var i = 0; i < 60; i++)
        {
            state.TryRecord(new InboundMessage($"wamid.v2.{i}", at.AddSeconds(i), "text", $"Повідомлення {i}", "+380501234567", "Олена"), at.AddSeconds(i), rules);
            state.TakeInboundToken(flood, at.AddSeconds(i));
            if (i == 0)
            {
                var ack = state.QueueAcknowledgementIfDue("Дякуємо!", at, rules)!;
                state.Update(ack with { State = DeliveryState.Delivered, WhatsAppMessageId = "wamid.v2.out1" });
            }
        }
        while (state.NextPageToArchive() is { } page)
        {
            state.CommitArchive(page, at.AddMinutes(2));
        }
        state.ChooseCategory("Spielplatz", "staff-01", at.AddMinutes(3));
        state.ChangeStatus(new StatusChange(ConversationStatus.Snoozed, StaffActor.Agent("staff-02"), new DateTimeOffset(2026, 12, 1, 7, 0, 0, TimeSpan.Zero)), at.AddMinutes(4), at.AddDays(1));
        return state;
    }

    [Fact]
    public void Citizen_state_with_lists_consent_and_broadcasts_written_on_2026_11_29_is_read_by_this_one()
    {
        var bytes = File.ReadAllBytes(Path.Combine(FixtureDirectory, "citizen-state-v3.bin"));

        var state = Serializer().Deserialize<CitizenState>(new BinaryData(bytes))!;

        Assert.Equal(("kitzrettung", "de"), (state.Memberships.Single().ListId, state.Memberships.Single().Language));
        Assert.Equal(("ukraine-info", ConsentAction.Left, ConsentChannel.Keyword), (state.ConsentHistory[2].ListId, state.ConsentHistory[2].Action, state.ConsentHistory[2].Channel));
        Assert.Equal(("chefin", "am Telefon gebeten"), (state.ConsentHistory[0].StaffId, state.ConsentHistory[0].Note));
        Assert.True(state.MarketingStopped);
        Assert.Equal(["einsatz-1"], state.HandledBroadcasts);
        Assert.Equal(["106540352242922/4915112345678"], state.FoldedKeys);
        var template = state.Outbound.Single(m => m.Kind == OutboundKind.BroadcastTemplate);
        Assert.Equal(("neuigkeiten_liste", "de", "Kitzrettung"), (template.TemplateName, template.TemplateLanguage, template.TemplateParameters.Single()));
        Assert.Equal((DeliveryState.Queued, "einsatz-1"), (state.Outbound.Single(m => m.Kind == OutboundKind.Broadcast).State, state.Outbound.Single(m => m.Kind == OutboundKind.Broadcast).BroadcastId));
        Assert.Equal("einsatz-1", state.Inbound[^1].ReplyToBroadcast);
        // The answer released the held text: today's code sees the citizen's part queued again.
        Assert.Equal(RecipientState.Queued, state.BroadcastDeliveryOf("einsatz-1")!.State);
    }

    /// <summary>How the third fixture was made (issue 10's shape: lists, consent, broadcasts, folded identities).</summary>
    internal static CitizenState FixtureStateV3()
    {
        var at = new DateTimeOffset(2026, 11, 29, 9, 0, 0, TimeSpan.Zero);
        var state = new CitizenState();
        state.Join(new ConsentRecord("kitzrettung", ConsentAction.Joined, at, ConsentChannel.Staff, "chefin", "de", "am Telefon gebeten"));
        state.Join(new ConsentRecord("ukraine-info", ConsentAction.Joined, at.AddMinutes(1), ConsentChannel.Keyword, null, "uk", null));
        state.Leave(new ConsentRecord("ukraine-info", ConsentAction.Left, at.AddMinutes(2), ConsentChannel.Keyword, null, null, null));
        state.SetMarketingStopped(true, at.AddMinutes(3));
        state.QueueBroadcast("einsatz-1", "Morgen 5 Uhr Einsatz", new OutboundTemplate("neuigkeiten_liste", "de", ["Kitzrettung"]), at.AddMinutes(4));
        state.Update(state.Outbound[0] with { State = DeliveryState.Read, WhatsAppMessageId = "wamid.v3.t" });
        var answer = new InboundMessage("wamid.v3.a", at.AddMinutes(30), "text", "Bin dabei", "+4915112345678", "Erika") { ReplyToBroadcast = "einsatz-1" };
        state.TryRecord(answer, at.AddMinutes(30));
        state.FoldedKeys.Add("106540352242922/4915112345678");
        return state;
    }

    [Fact]
    public void Citizen_state_of_an_erasure_half_way_written_on_2026_11_29_is_read_by_this_one_and_the_erasure_can_go_on()
    {
        var bytes = File.ReadAllBytes(Path.Combine(FixtureDirectory, "citizen-state-v4.bin"));

        var state = Serializer().Deserialize<CitizenState>(new BinaryData(bytes))!;

        var pending = state.Erasure!;
        Assert.Equal(("e-v4", "chefin", ErasureReason.Request), (pending.Erasure.ErasureId, pending.Erasure.StaffId, pending.Erasure.Reason));
        Assert.Equal(["106540352242922/DE.v4", "106540352242922/DE.v4old", "106540352242922/4915112345678"], pending.Keys.ToArray());
        Assert.Equal(["106540352242922/DE.v4/wamid.v4.p"], pending.BlobNames.ToArray());
        Assert.Equal((2, 1, false), (pending.Messages, pending.HistoryPages, pending.KeepConsent));
        Assert.Empty(pending.ListsToSweep);
        Assert.False(state.Exists);
        // DataProtectionTests writes this state through the real grain storage and finishes the erasure.
    }

    /// <summary>How the fourth fixture was made (issue 11's shape: an erasure planned, not yet swept).</summary>
    internal static CitizenState FixtureStateV4()
    {
        var at = new DateTimeOffset(2026, 11, 29, 9, 0, 0, TimeSpan.Zero);
        var state = new CitizenState();
        state.TryRecord(new InboundMessage("wamid.v4.p", at, "image", null, "+4915112345678", "Erika")
        {
            Media = new MediaAttachment { Kind = "image", MediaId = "m1", Status = MediaStatus.Stored, BlobName = "106540352242922/DE.v4/wamid.v4.p" },
        }, at);
        state.ChangeStatus(new StatusChange(ConversationStatus.Resolved, StaffActor.Agent("sb-1")), at.AddHours(1), at.AddDays(1));
        state.FormerKeys.Add("106540352242922/DE.v4old");
        state.ArchivedPages = 1;
        var archived = new HistoryPage(1, [new InboundMessage("wamid.v4.0", at.AddDays(-1), "text", "alt", null, null)], [], []);
        return state.BeginErasure(CitizenKey.Create("106540352242922", "DE.v4"),
            new CitizenErasure("e-v4", "chefin", ErasureReason.Request, at.AddDays(2)), keepConsent: false, [archived]);
    }
}

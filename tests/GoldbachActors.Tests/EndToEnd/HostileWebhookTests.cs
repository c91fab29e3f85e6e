using System.Net;
using System.Text;
using GoldbachActors.StaffApi.V1;
using GoldbachActors.Testing;
using GoldbachActors.Tests.Infrastructure;
using Grpc.Core;

namespace GoldbachActors.Tests.EndToEnd;

/// <summary>
/// A fuzz test through the real HTTP endpoint: thousands of mutated and hostile bodies (truncated, bytes flipped,
/// invalid UTF-8, escaped surrogates, wrong types, deep nesting, huge strings), most of them correctly signed so that
/// they reach the parser. Never a 5xx, and a rejected body stores nothing.
/// </summary>
[Collection(LocalSystemCollection.Name)]
public sealed class HostileWebhookTests(LocalSystem system)
{
    private const int Cases = 2000;

    private static readonly Func<Random, byte[], byte[]>[] Mutations =
    [
        (r, b) => b[..r.Next(b.Length)],
        (r, b) => { var c = (byte[])b.Clone(); for (var i = 0; i < 1 + r.Next(4); i++) { c[r.Next(c.Length)] = (byte)r.Next(256); } return c; },
        (r, b) => Insert(b, r, [0xC3, 0x28, 0xFF, 0xFE]),
        (r, b) => Replace(b, "\"timestamp\":\"", "\"timestamp\":{\"x\":\""),
        (r, b) => Replace(b, "\"messages\":[", "\"messages\":{\"a\":["),
        (r, b) => Replace(b, "\"text\":{\"body\":\"", "\"text\":[\"body\",\""),
        (r, b) => Replace(b, "\"entry\":[", "\"entry\":[" + new string('[', 200 + r.Next(400))),
        (r, b) => Replace(b, "\"body\":\"", "\"body\":\"" + new string('x', 50_000 + r.Next(200_000))),
        (r, b) => Replace(b, "\"body\":\"", "\"body\":\"\\ud83d\\ude2e \\ud800 \\udfff "),
        (r, b) => Replace(b, "\"id\":\"wamid", "\"id\":1e999,\"idx\":\"wamid"),
        (r, b) => Replace(b, "\"from\":\"", "\"from\":null,\"f\":\""),
        (r, b) => Replace(b, "\"phone_number_id\":\"", "\"phone_number_id\":[\""),
        (r, b) => Replace(b, "\"object\":\"whatsapp_business_account\"", "\"object\":\"whatsapp_business_account\",\"object\":\"page\""),
        (r, b) => Replace(b, "\"type\":\"text\"", "\"type\":\"" + (char)('a' + r.Next(26)) + "\""),
        (r, b) => [.. b, .. Encoding.UTF8.GetBytes(" trailing")],
        (r, b) => Replace(b, "\"contacts\":[", "\"contacts\":[null,1,\"x\","),
    ];

    private static byte[] Insert(byte[] body, Random random, byte[] bytes)
    {
        var at = random.Next(body.Length);
        return [.. body[..at], .. bytes, .. body[at..]];
    }

    private static byte[] Replace(byte[] body, string find, string replacement) =>
        Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(body).Replace(find, replacement, StringComparison.Ordinal));

    [Fact]
    public async Task Thousands_of_mutated_and_hostile_bodies_never_get_a_5xx_and_rejected_ones_store_nothing()
    {
        var random = new Random(20261129);
        var cases = Enumerable.Range(0, Cases).Select(i =>
        {
            var citizen = new Citizen($"+4917{i:D9}");
            var body = Payloads.Messages(citizen, $"{citizen.From($"wamid.fuzz{i}")},\"type\":\"text\",\"text\":{{\"body\":\"Fuzz {i}\"}}");
            var mutated = Mutations[random.Next(Mutations.Length)](random, body);
            var signature = random.Next(20) switch
            {
                0 => null,
                1 => "sha256=" + new string('0', 64),
                _ => "",
            };
            return (Citizen: citizen, Body: mutated, Signature: signature);
        }).ToList();

        var statuses = new HttpStatusCode[Cases];
        await Parallel.ForEachAsync(Enumerable.Range(0, Cases), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
        {
            using var response = await system.PostWebhookAsync(cases[i].Body, cases[i].Signature);
            statuses[i] = response.StatusCode;
        });

        var unexpected = statuses.Where(s => s is not (HttpStatusCode.OK or HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized or HttpStatusCode.RequestEntityTooLarge)).ToList();
        Assert.Empty(unexpected);
        Assert.Contains(HttpStatusCode.OK, statuses);
        Assert.Contains(HttpStatusCode.BadRequest, statuses);
        Assert.Contains(HttpStatusCode.Unauthorized, statuses);

        var staff = system.Staff();
        var rejected = Enumerable.Range(0, Cases).Where(i => statuses[i] != HttpStatusCode.OK).ToList();
        await Parallel.ForEachAsync(rejected, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
        {
            var error = await Assert.ThrowsAsync<RpcException>(() => staff.GetConversationAsync(
                new GetConversationRequest { Name = cases[i].Citizen.ConversationName }).ResponseAsync);
            Assert.Equal(StatusCode.NotFound, error.StatusCode);
        });

        using var health = await system.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }
}

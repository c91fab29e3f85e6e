// A local push service that speaks the real Web Push protocol, for ./run.sh and the tests (never production).
//
// It plays both ends a browser's push service connects: it issues subscriptions (a P-256 key pair and an auth secret
// per subscription, as a browser makes them), and it accepts the application server's pushes as RFC 8030 says:
// POST to the subscription's endpoint with TTL, Content-Encoding: aes128gcm (RFC 8291) and Authorization: vapid
// (RFC 8292). It verifies the VAPID JWT against the key in the header and the key the subscription was made with,
// decrypts the payload with the subscription's keys, and keeps what arrived for the tests to read. On demand it
// answers 404, 410 (the subscription is then gone), 429 (with Retry-After) or 500, or answers slowly.
//
//   POST /subscriptions {applicationServerKey}         → {id, endpoint, keys: {p256dh, auth}}
//   POST /push/{id}                                    → 201 (or the mode's answer)
//   PUT  /subscriptions/{id}/mode {status, delayMs, times} the next answers (times: how many; default all)
//   GET  /subscriptions/{id}/messages                  → {messages: [{at, ttl, urgency, topic, payload}], rejections}
//   GET  /messages                                     → every subscription's messages (the benchmark counts them)
//   GET  /health
//
// Port: --port N, or PUSH_SERVICE_PORT (default 7065).
import http from "node:http";
import crypto from "node:crypto";
import ece from "http_ece";
import { importJWK, jwtVerify, decodeProtectedHeader } from "jose";

const portArgument = process.argv.indexOf("--port");
const port = Number(portArgument > 0 ? process.argv[portArgument + 1] : process.env.PUSH_SERVICE_PORT ?? 7065);
const maxBody = 4096; // RFC 8030 §7.2: a push service must accept at least 4096 octets; we accept exactly that
const subscriptions = new Map();

const b64u = (buffer) => Buffer.from(buffer).toString("base64url");

function createSubscription(applicationServerKey) {
  const ecdh = crypto.createECDH("prime256v1");
  ecdh.generateKeys();
  const id = crypto.randomBytes(12).toString("base64url");
  const subscription = {
    id,
    ecdh,
    auth: crypto.randomBytes(16),
    applicationServerKey,
    messages: [],
    rejections: [],
    mode: { status: 201, delayMs: 0, times: Infinity },
  };
  subscriptions.set(id, subscription);
  return {
    id,
    endpoint: `http://127.0.0.1:${port}/push/${id}`,
    keys: { p256dh: b64u(ecdh.getPublicKey()), auth: b64u(subscription.auth) },
  };
}

// RFC 8292 §3: "vapid t=<jwt>, k=<key>"; the JWT is ES256 over the 65-octet key in k.
async function verifyVapid(header, subscription) {
  const match = /^vapid\s+(.+)$/i.exec(header ?? "");
  if (!match) {
    return [401, "Authorization: vapid t=…, k=… fehlt"];
  }
  const params = Object.fromEntries(match[1].split(",").map((p) => p.trim().split("=")).map(([k, ...v]) => [k, v.join("=")]));
  if (!params.t || !params.k) {
    return [401, "vapid needs t and k"];
  }
  const raw = Buffer.from(params.k, "base64url");
  if (raw.length !== 65 || raw[0] !== 4) {
    return [401, "k is no uncompressed P-256 public key"];
  }
  if (subscription.applicationServerKey && params.k !== subscription.applicationServerKey) {
    return [403, "k is not the applicationServerKey the subscription was made with"];
  }
  try {
    if (decodeProtectedHeader(params.t).alg !== "ES256") {
      return [401, "the VAPID JWT must be ES256"];
    }
    const key = await importJWK({ kty: "EC", crv: "P-256", x: b64u(raw.subarray(1, 33)), y: b64u(raw.subarray(33)) }, "ES256");
    const { payload } = await jwtVerify(params.t, key, { algorithms: ["ES256"] });
    const now = Math.floor(Date.now() / 1000);
    // Lib.Net.Http.WebPush drops a non-default port from aud (see the reference): compare scheme and host.
    const aud = new URL(payload.aud);
    if (aud.protocol !== "http:" || aud.hostname !== "127.0.0.1") {
      return [403, `aud ${payload.aud} is not this push service's origin`];
    }
    if (typeof payload.exp !== "number" || payload.exp > now + 24 * 3600) {
      return [403, "exp must be at most 24 hours ahead"];
    }
    if (typeof payload.sub !== "string" || !/^(mailto:|https:)/.test(payload.sub)) {
      return [403, "sub must be a mailto: or https: URI"];
    }
    return null;
  } catch (error) {
    return [403, `VAPID JWT refused: ${error.code ?? error.message}`];
  }
}

function decrypt(body, subscription) {
  return ece
    .decrypt(body, { version: "aes128gcm", privateKey: subscription.ecdh, authSecret: b64u(subscription.auth) })
    .toString("utf8");
}

async function push(request, response, subscription, body) {
  const reject = (status, reason) => {
    subscription.rejections.push({ at: new Date().toISOString(), status, reason });
    send(response, status, { error: reason });
  };
  if (!/^\d+$/.test(request.headers.ttl ?? "")) {
    return reject(400, "TTL header missing (RFC 8030 §5.2)");
  }
  if (request.headers["content-encoding"] !== "aes128gcm") {
    return reject(400, "Content-Encoding must be aes128gcm (RFC 8291)");
  }
  const refusal = await verifyVapid(request.headers.authorization, subscription);
  if (refusal) {
    return reject(...refusal);
  }
  let payload;
  try {
    payload = decrypt(body, subscription);
  } catch (error) {
    return reject(400, `payload does not decrypt: ${error.message}`);
  }
  const mode = subscription.mode;
  if (mode.delayMs > 0) {
    await new Promise((resolve) => setTimeout(resolve, mode.delayMs));
  }
  const status = mode.status;
  if (mode.times !== Infinity && --mode.times <= 0) {
    subscription.mode = { status: 201, delayMs: 0, times: Infinity };
  }
  if (status === 201) {
    subscription.messages.push({
      at: new Date().toISOString(),
      ttl: Number(request.headers.ttl),
      urgency: request.headers.urgency ?? "normal",
      topic: request.headers.topic ?? null,
      payload,
    });
    response.writeHead(201, { Location: `/messages/${subscription.id}/${subscription.messages.length}`, TTL: request.headers.ttl });
    return response.end();
  }
  if (status === 410 || status === 404) {
    subscriptions.delete(subscription.id);
  }
  subscription.rejections.push({ at: new Date().toISOString(), status, reason: "on demand" });
  response.writeHead(status, status === 429 ? { "Retry-After": "1" } : {});
  response.end();
}

function send(response, status, value) {
  response.writeHead(status, { "Content-Type": "application/json" });
  response.end(JSON.stringify(value));
}

async function readBody(request) {
  const chunks = [];
  let length = 0;
  for await (const chunk of request) {
    length += chunk.length;
    if (length > maxBody) {
      return null;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

const server = http.createServer(async (request, response) => {
  try {
    const url = new URL(request.url, `http://127.0.0.1:${port}`);
    const parts = url.pathname.split("/").filter(Boolean);
    const body = await readBody(request);
    if (body === null) {
      return send(response, 413, { error: `body larger than ${maxBody} octets` });
    }
    if (request.method === "GET" && url.pathname === "/health") {
      return send(response, 200, { subscriptions: subscriptions.size });
    }
    if (request.method === "POST" && url.pathname === "/subscriptions") {
      const { applicationServerKey } = body.length ? JSON.parse(body.toString("utf8")) : {};
      return send(response, 201, createSubscription(applicationServerKey ?? null));
    }
    if (request.method === "GET" && url.pathname === "/messages") {
      return send(response, 200, {
        messages: [...subscriptions.values()].flatMap((s) => s.messages.map((m) => ({ subscription: s.id, ...m }))),
      });
    }
    const subscription = subscriptions.get(parts[1]);
    if (request.method === "POST" && parts[0] === "push") {
      // An unknown or deleted subscription: 404, as a push service answers for one that expired.
      return subscription ? await push(request, response, subscription, body) : send(response, 404, { error: "no such subscription" });
    }
    if (parts[0] === "subscriptions" && subscription && request.method === "PUT" && parts[2] === "mode") {
      const { status = 201, delayMs = 0, times } = JSON.parse(body.toString("utf8"));
      subscription.mode = { status, delayMs, times: times ?? Infinity };
      return send(response, 200, subscription.mode);
    }
    if (parts[0] === "subscriptions" && subscription && request.method === "GET" && parts[2] === "messages") {
      return send(response, 200, { messages: subscription.messages, rejections: subscription.rejections });
    }
    if (parts[0] === "subscriptions" && request.method === "GET" && parts[2] === "messages") {
      return send(response, 404, { error: "no such subscription (gone after 404 or 410)" });
    }
    send(response, 404, { error: "not found" });
  } catch (error) {
    send(response, 400, { error: error.message });
  }
});

server.listen(port, "127.0.0.1", () => console.log(`push service listening on http://127.0.0.1:${port}`));
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => server.close(() => process.exit(0)));
}

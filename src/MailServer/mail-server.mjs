// A local SMTP server for ./run.sh and the tests (never production): nodemailer's smtp-server speaks SMTP (RFC 5321,
// with EHLO, SIZE, 8BITMIME, SMTPUTF8, AUTH PLAIN/LOGIN), mailparser reads what arrives, and a small HTTP side shows it.
// It keeps every message in memory, as received (the raw source) and parsed.
//
//   SMTP on --smtp-port (default 7025); with --user U --password P, AUTH is required and checked
//   GET  /                        the received messages as a page (for people: ./run.sh prints its address)
//   GET  /messages                → {messages: [{id, at, envelope: {from, to}, messageId, from, to, subject, text, html,
//                                    headers, raw}], rejections: [{at, code, stage}]}
//   PUT  /mode {code, times}      the next `times` transactions (default 1) are answered with SMTP `code` at RCPT
//                                 (e.g. 451: try again later; 550: refused), then it accepts again
//   DELETE /messages              forgets everything received
//   GET  /health
//
// HTTP on --port (default 7026).
import http from "node:http";
import { SMTPServer } from "smtp-server";
import { simpleParser } from "mailparser";

const argument = (name, fallback) => {
  const index = process.argv.indexOf(name);
  return index > 0 ? process.argv[index + 1] : fallback;
};
const smtpPort = Number(argument("--smtp-port", process.env.MAIL_SERVER_SMTP_PORT ?? 7025));
const httpPort = Number(argument("--port", process.env.MAIL_SERVER_PORT ?? 7026));
const user = argument("--user", undefined);
const password = argument("--password", undefined);
const maxSize = 10 * 1024 * 1024;

const messages = [];
const rejections = [];
let mode = { code: 0, times: 0 };

const smtp = new SMTPServer({
  name: "mail.goldbach.localhost",
  banner: "Goldbach local mail server (development only)",
  size: maxSize,
  disabledCommands: ["STARTTLS"],
  authOptional: !user,
  allowInsecureAuth: true, // loopback only; production mail goes through the town's relay with TLS
  authMethods: ["PLAIN", "LOGIN"],
  onAuth(auth, _session, callback) {
    if (user && auth.username === user && auth.password === password) {
      return callback(null, { user: auth.username });
    }
    return callback(Object.assign(new Error("Invalid username or password"), { responseCode: 535 }));
  },
  onRcptTo(address, _session, callback) {
    if (mode.times > 0) {
      mode.times -= 1;
      rejections.push({ at: new Date().toISOString(), code: mode.code, stage: "RCPT" });
      return callback(Object.assign(new Error(mode.code >= 500 ? "Mailbox unavailable" : "Try again later"), { responseCode: mode.code }));
    }
    return callback();
  },
  onData(stream, session, callback) {
    const chunks = [];
    stream.on("data", (chunk) => chunks.push(chunk));
    stream.on("end", async () => {
      if (stream.sizeExceeded) {
        return callback(Object.assign(new Error("Message too large"), { responseCode: 552 }));
      }
      const raw = Buffer.concat(chunks);
      try {
        const parsed = await simpleParser(raw);
        messages.push({
          id: messages.length + 1,
          at: new Date().toISOString(),
          envelope: { from: session.envelope.mailFrom?.address ?? null, to: session.envelope.rcptTo.map((r) => r.address) },
          messageId: parsed.messageId ?? null,
          from: parsed.from?.text ?? null,
          to: parsed.to ? [].concat(parsed.to).map((t) => t.text).join(", ") : null,
          subject: parsed.subject ?? null,
          text: parsed.text ?? null,
          html: typeof parsed.html === "string" ? parsed.html : null,
          headers: Object.fromEntries(parsed.headerLines.map((h) => [h.key, h.line.slice(h.line.indexOf(":") + 1).trim()])),
          raw: raw.toString("utf8"),
        });
        callback();
      } catch (error) {
        callback(Object.assign(new Error(`Unreadable message: ${error.message}`), { responseCode: 554 }));
      }
    });
  },
});
smtp.on("error", (error) => console.error("smtp:", error.message));
smtp.listen(smtpPort, "127.0.0.1");

const escape = (text) => String(text ?? "").replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);

function page() {
  const items = messages.slice().reverse().map((m) => `
    <article>
      <h2>${escape(m.subject)}</h2>
      <p>An ${escape(m.to)} · von ${escape(m.from)} · ${escape(m.at)}</p>
      <pre>${escape(m.text)}</pre>
    </article>`).join("");
  return `<!doctype html><html lang="de"><head><meta charset="utf-8"><title>Lokaler Mailserver</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#111}
article{border-top:1px solid #888;padding:.5rem 0}pre{white-space:pre-wrap;font:inherit}</style></head>
<body><main><h1>Lokaler Mailserver (nur Entwicklung)</h1>
<p>${messages.length} Nachricht(en), SMTP auf 127.0.0.1:${smtpPort}.</p>${items || "<p>Noch keine Nachricht.</p>"}</main></body></html>`;
}

function readJson(request) {
  return new Promise((resolve, reject) => {
    let body = "";
    request.on("data", (chunk) => {
      body += chunk;
      if (body.length > 4096) {
        reject(new Error("body too large"));
        request.destroy();
      }
    });
    request.on("end", () => {
      try {
        resolve(body ? JSON.parse(body) : {});
      } catch (error) {
        reject(error);
      }
    });
  });
}

const send = (response, status, body, type = "application/json; charset=utf-8") => {
  response.writeHead(status, { "Content-Type": type });
  response.end(type.startsWith("application/json") ? JSON.stringify(body) : body);
};

http.createServer(async (request, response) => {
  const path = new URL(request.url, "http://localhost").pathname;
  try {
    if (request.method === "GET" && path === "/health") {
      return send(response, 200, { status: "ok", smtpPort });
    }
    if (request.method === "GET" && path === "/") {
      return send(response, 200, page(), "text/html; charset=utf-8");
    }
    if (request.method === "GET" && path === "/messages") {
      return send(response, 200, { messages, rejections });
    }
    if (request.method === "DELETE" && path === "/messages") {
      messages.length = 0;
      rejections.length = 0;
      return send(response, 204, "", "text/plain");
    }
    if (request.method === "PUT" && path === "/mode") {
      const body = await readJson(request);
      const code = Number(body.code);
      if (!(code >= 400 && code < 600)) {
        return send(response, 400, { error: "code must be an SMTP reply code from 400 to 599" });
      }
      mode = { code, times: Number.isInteger(body.times) && body.times > 0 ? body.times : 1 };
      return send(response, 200, mode);
    }
    return send(response, 404, { error: `no ${request.method} ${path}` });
  } catch (error) {
    return send(response, 400, { error: error.message });
  }
}).listen(httpPort, "127.0.0.1");

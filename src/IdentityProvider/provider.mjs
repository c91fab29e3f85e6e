// The local identity provider: a real OpenID provider (the certified npm package oidc-provider), for ./run.sh and the
// tests, never for production (a town's Entra ID or Keycloak signs its staff in there; see docs/operations.md).
//
//   node src/IdentityProvider/provider.mjs --port 5180 [--issuer http://localhost:5180] [--audience urn:goldbach:staff]
//        [--redirect http://localhost:5080/] [--access-token-ttl 600] [--keys-file .data/idp-keys.json]
//
// Demo staff sign in with a password on the provider's own login page. Their tokens carry "roles" (the IdP's role
// names, which the gateway maps to agent, supervisor and admin) and "groups" (which the gateway maps to a tenant).
// Access tokens are JWTs for the audience, a resource indicator (RFC 8707: an absolute URI; RS256, typ at+jwt), with a refresh token for the web inbox and the CLI.
// POST /dev/rotate-keys puts a new signing key in front (the old one stays published until the next rotation), as a
// real provider rotates; the keys are written to --keys-file so that tests can sign with them.
import { createServer } from "node:http";
import { generateKeyPairSync, randomUUID } from "node:crypto";
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { parseArgs } from "node:util";
import Provider from "oidc-provider";

const { values: args } = parseArgs({
  options: {
    port: { type: "string", default: "5180" },
    issuer: { type: "string" },
    audience: { type: "string", default: "urn:goldbach:staff" },
    redirect: { type: "string", multiple: true, default: [] },
    "access-token-ttl": { type: "string", default: "600" },
    "keys-file": { type: "string" },
  },
});
const port = Number(args.port);
const issuer = args.issuer ?? `http://localhost:${port}`;
const audience = args.audience;
const accessTokenTtl = Number(args["access-token-ttl"]);

// The demo staff of Markt Goldbach (and one of a neighbouring town, one without a role). Passwords are for this
// local provider only.
export const staff = {
  vorzimmer: { password: "vorzimmer-demo", name: "Vorzimmer", roles: ["goldbach-supervisor"], groups: ["markt-goldbach"] },
  bauhof: { password: "bauhof-demo", name: "Bauhof", roles: ["goldbach-agent"], groups: ["markt-goldbach"] },
  // Department staff: the Bauhof's own account sees the Bauhof's requests, nothing of the inbox.
  "bauhof-team": { password: "bauhof-team-demo", name: "Bauhof-Team", roles: ["goldbach-agent"], groups: ["markt-goldbach", "abteilung-bauhof"] },
  "it-admin": { password: "it-admin-demo", name: "IT-Administration", roles: ["goldbach-admin"], groups: ["markt-goldbach"] },
  praktikum: { password: "praktikum-demo", name: "Praktikum", roles: [], groups: ["markt-goldbach"] },
  nachbarort: { password: "nachbarort-demo", name: "Nachbarort", roles: ["goldbach-supervisor"], groups: ["gemeinde-nachbarort"] },
};
const subjectOf = (login) => `staff-${login}`;
const loginOf = (sub) => Object.keys(staff).find((login) => subjectOf(login) === sub);

function newKey() {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return { ...privateKey.export({ format: "jwk" }), kid: randomUUID(), use: "sig", alg: "RS256" };
}

let keys = args["keys-file"] && existsSync(args["keys-file"]) ? JSON.parse(readFileSync(args["keys-file"], "utf8")).keys : [newKey()];
const saveKeys = () => args["keys-file"] && writeFileSync(args["keys-file"], JSON.stringify({ keys }), { mode: 0o600 });

const redirects = args.redirect.length > 0 ? args.redirect : ["http://localhost:5080/"];
const callbacks = redirects.map((origin) => new URL("auth/callback", origin).href);

function build() {
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: "goldbach-inbox",
        token_endpoint_auth_method: "none",
        application_type: "web",
        redirect_uris: callbacks,
        post_logout_redirect_uris: redirects,
        grant_types: ["authorization_code", "refresh_token"],
        response_types: ["code"],
      },
      {
        client_id: "goldbach-cli",
        token_endpoint_auth_method: "none",
        application_type: "native",
        redirect_uris: ["http://127.0.0.1/callback"],
        grant_types: ["urn:ietf:params:oauth:grant-type:device_code", "refresh_token"],
        response_types: [],
      },
    ],
    jwks: { keys },
    async findAccount(ctx, sub) {
      const login = loginOf(sub);
      if (!login) return undefined;
      const person = staff[login];
      return {
        accountId: sub,
        async claims() {
          return { sub, name: person.name, preferred_username: login, roles: person.roles, groups: person.groups };
        },
      };
    },
    claims: { openid: ["sub"], profile: ["name", "preferred_username", "roles", "groups"] },
    scopes: ["openid", "profile", "offline_access", "staff"],
    ttl: { AccessToken: accessTokenTtl, IdToken: accessTokenTtl, RefreshToken: 8 * 3600, DeviceCode: 600, Session: 8 * 3600, Grant: 8 * 3600, Interaction: 3600 },
    issueRefreshToken: async (ctx, client) => client.grantTypeAllowed("refresh_token"),
    // First-party clients of the town: the staff member consents by signing in.
    async loadExistingGrant(ctx) {
      const grantId = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) {
        const found = await ctx.oidc.provider.Grant.find(grantId);
        if (found) return found;
      }
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
      grant.addOIDCScope("openid profile offline_access");
      grant.addOIDCClaims(["name", "preferred_username", "roles", "groups"]);
      grant.addResourceScope(audience, "staff");
      await grant.save();
      return grant;
    },
    // The roles and groups go into the access token too: the gateway reads them there.
    async extraTokenClaims(ctx, token) {
      const login = loginOf(token.accountId);
      return login ? { name: staff[login].name, roles: staff[login].roles, groups: staff[login].groups } : undefined;
    },
    features: {
      devInteractions: { enabled: false },
      deviceFlow: { enabled: true, userCodeInputSource: deviceInputPage, userCodeConfirmSource: deviceConfirmPage, successSource: deviceSuccessPage },
      revocation: { enabled: true },
      rpInitiatedLogout: { enabled: true, logoutSource, postLogoutSuccessSource },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => audience,
        useGrantedResource: () => true,
        getResourceServerInfo: (ctx, resource) => {
          if (resource !== audience) throw new Provider.errors.InvalidTarget();
          return { scope: "staff", audience, accessTokenFormat: "jwt", accessTokenTTL: accessTokenTtl, jwt: { sign: { alg: "RS256" } } };
        },
      },
    },
    pkce: { required: () => true },
    clientBasedCORS: () => true,
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    renderError: async (ctx, out) => {
      ctx.type = "html";
      ctx.body = page("Anmeldung nicht möglich", `<p role="alert">${escape(out.error_description ?? out.error)}</p>`);
    },
  });
  provider.proxy = true;
  return provider;
}

const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const page = (title, body) => `<!doctype html><html lang="de"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>${escape(title)} – Markt Goldbach</title>
<style>body{font:1rem/1.5 system-ui,sans-serif;max-width:26rem;margin:3rem auto;padding:0 1rem;color:#1a1a1a}
label{display:block;margin-top:1rem}input{font:inherit;width:100%;padding:.5rem;border:1px solid #555;border-radius:4px;box-sizing:border-box}
button{font:inherit;margin-top:1.5rem;padding:.6rem 1.2rem;background:#0b4f8a;color:#fff;border:0;border-radius:4px}
[role=alert]{color:#a00000}</style></head><body><main><h1>${escape(title)}</h1>${body}</main></body></html>`;

function loginPage(uid, error, login = "") {
  return page("Anmelden", `<p>Markt Goldbach, Posteingang der Verwaltung.</p>
${error ? `<p role="alert" id="error">${escape(error)}</p>` : ""}
<form method="post" action="/interaction/${escape(uid)}/login"${error ? ' aria-describedby="error"' : ""}>
<label for="login">Benutzername</label><input id="login" name="login" autocomplete="username" required value="${escape(login)}">
<label for="password">Passwort</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Anmelden</button></form>`);
}

// The device flow's pages (RFC 8628), in German: the provider's forms carry the CSRF token, the fields are ours.
const hidden = (form, name) => form.match(new RegExp(`name="${name}" value="([^"]*)"`))?.[1] ?? "";

async function deviceInputPage(ctx, form, out, err) {
  ctx.body = page("Gerät anmelden", `<p>Geben Sie den Code ein, den das Gerät (z. B. goldbach login) anzeigt.</p>
${err ? '<p role="alert" id="error">Der Code ist ungültig oder abgelaufen.</p>' : ""}
<form method="post" action="${escape(ctx.oidc.urlFor("code_verification"))}"${err ? ' aria-describedby="error"' : ""}>
<input type="hidden" name="xsrf" value="${escape(hidden(form, "xsrf"))}">
<label for="user_code">Code vom Gerät</label><input id="user_code" name="user_code" autocomplete="off" required>
<button type="submit">Weiter</button></form>`);
}

async function deviceConfirmPage(ctx, form, client, deviceInfo, userCode) {
  ctx.body = page("Gerät anmelden", `<p>Das Gerät mit dem Code <strong>${escape(userCode)}</strong> anmelden?</p>
<form method="post" action="${escape(ctx.oidc.urlFor("code_verification"))}">
<input type="hidden" name="xsrf" value="${escape(hidden(form, "xsrf"))}">
<input type="hidden" name="user_code" value="${escape(hidden(form, "user_code"))}">
<input type="hidden" name="confirm" value="yes">
<button type="submit">Anmelden</button></form>`);
}

async function deviceSuccessPage(ctx) {
  ctx.body = page("Angemeldet", "<p>Das Gerät ist angemeldet. Sie können dieses Fenster schließen.</p>");
}

// Signing out (RP-initiated logout): the provider's form carries the CSRF token; a script submits it at once, as
// Keycloak does when the app names the session (id_token_hint); without JavaScript the button does.
async function logoutSource(ctx, form) {
  ctx.body = page("Abmelden", `<p>Sie werden beim Anmeldedienst abgemeldet …</p>${form}
<button type="submit" form="op.logoutForm" name="logout" value="yes">Abmelden</button>
<script>document.getElementById("op.logoutForm").insertAdjacentHTML("beforeend", '<input type="hidden" name="logout" value="yes">');
document.getElementById("op.logoutForm").submit();</script>`);
}

async function postLogoutSuccessSource(ctx) {
  ctx.body = page("Abgemeldet", "<p>Sie sind abgemeldet. Sie können dieses Fenster schließen.</p>");
}

async function readForm(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
}

let provider = build();
let handle = provider.callback();
saveKeys();

const server = createServer(async (req, res) => {
  try {
    const url = new URL(req.url, issuer);
    const interaction = url.pathname.match(/^\/interaction\/([\w-]+)(\/login)?$/);
    if (req.method === "POST" && url.pathname === "/dev/rotate-keys") {
      keys = [newKey(), keys[0]];
      saveKeys();
      provider = build();
      handle = provider.callback();
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ kid: keys[0].kid }));
      return;
    }
    if (interaction) {
      const details = await provider.interactionDetails(req, res);
      if (details.prompt.name === "consent") {
        // The town's own clients: signing in is the consent (offline_access too, for the refresh token).
        const grant = details.grantId
          ? await provider.Grant.find(details.grantId)
          : new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
        grant.addOIDCScope("openid profile offline_access");
        grant.addOIDCClaims(["name", "preferred_username", "roles", "groups"]);
        grant.addResourceScope(audience, "staff");
        await provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true });
        return;
      }
      if (req.method === "GET") {
        res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(loginPage(details.uid));
        return;
      }
      const form = await readForm(req);
      const login = form.get("login") ?? "";
      const person = staff[login];
      if (!person || person.password !== form.get("password")) {
        res.writeHead(200, { "content-type": "text/html; charset=utf-8" })
          .end(loginPage(details.uid, "Benutzername oder Passwort ist falsch.", login));
        return;
      }
      await provider.interactionFinished(req, res, { login: { accountId: subjectOf(login) } }, { mergeWithLastSubmission: false });
      return;
    }
    handle(req, res);
  } catch (error) {
    res.writeHead(400, { "content-type": "text/plain; charset=utf-8" }).end(`Anmeldung fehlgeschlagen: ${error.message}`);
  }
});
server.listen(port, () => console.log(`identity provider ${issuer} (audience ${audience})`));
process.on("SIGTERM", () => server.close(() => process.exit(0)));

// Confirms a device sign-in (RFC 8628) at the local OpenID provider as a staff member does in a browser: the
// verification page, the provider's forms, the login. For the run-command smoke test (goldbach login).
//   node tests/smoke/confirm-device.mjs <verification address> <login> <password>
const [address, login, password] = process.argv.slice(2);
const cookies = new Map();

async function open(url, body) {
  for (let hop = 0; hop < 10; hop++) {
    const response = await fetch(url, {
      method: body ? "POST" : "GET",
      body,
      redirect: "manual",
      headers: {
        cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join("; "),
        ...(body ? { "content-type": "application/x-www-form-urlencoded" } : {}),
      },
    });
    for (const cookie of response.headers.getSetCookie()) {
      const pair = cookie.split(";")[0];
      cookies.set(pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1));
    }
    if (response.status >= 300 && response.status < 400) {
      url = new URL(response.headers.get("location"), url).href;
      body = undefined;
      continue;
    }
    return { url, page: await response.text() };
  }
  throw new Error(`too many redirects from ${url}`);
}

let { url, page } = await open(address);
for (let step = 0; step < 8; step++) {
  if (page.includes("Das Gerät ist angemeldet.")) {
    process.exit(0);
  }
  const action = page.match(/<form method="post" action="([^"]+)"/)?.[1];
  if (!action) {
    console.error(`no form at ${url}: ${page.match(/role="alert"[^>]*>([^<]*)</)?.[1] ?? page.slice(0, 200)}`);
    process.exit(1);
  }
  const fields = new URLSearchParams([...page.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1], m[2]]));
  if (page.includes('name="password"')) {
    fields.set("login", login);
    fields.set("password", password);
  }
  ({ url, page } = await open(new URL(action.replaceAll("&amp;", "&"), url).href, fields.toString()));
}
console.error("the device sign-in did not finish");
process.exit(1);

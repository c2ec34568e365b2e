// Goes through the authorization code flow (with PKCE and a checked state)
// at server.mjs like a browser: the authorization request, oidc-provider's
// own login and consent pages, the redirect with the code, and the code's
// exchange at the token endpoint. Prints the token response (JSON) on stdout.
//
//   node authorize.mjs ISSUER CLIENT_ID CLIENT_SECRET|- LOGIN [SCOPE]
import crypto from 'node:crypto';

const [issuer, clientId, secretArg, login, scopeArg] = process.argv.slice(2);
if (!issuer || !clientId || !secretArg || !login) {
  console.error('usage: node authorize.mjs ISSUER CLIENT_ID CLIENT_SECRET|- LOGIN [SCOPE]');
  process.exit(2);
}
const secret = secretArg === '-' ? null : secretArg;
const scope = scopeArg || 'openid offline_access smtp.send';
const redirect = 'http://127.0.0.1/callback';
const verifier = crypto.randomBytes(32).toString('base64url');
const challenge = crypto.createHash('sha256').update(verifier).digest('base64url');
const state = crypto.randomBytes(16).toString('base64url');

const jar = new Map();
function keepCookies(res) {
  for (const line of res.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const eq = pair.indexOf('=');
    jar.set(pair.slice(0, eq).trim(), pair.slice(eq + 1));
  }
}
const cookieHeader = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');

async function go(url, init = {}) {
  const res = await fetch(url, {
    ...init, redirect: 'manual', headers: { ...(init.headers || {}), cookie: cookieHeader() },
  });
  keepCookies(res);
  return res;
}

let url = `${issuer}/auth?${new URLSearchParams({
  client_id: clientId, response_type: 'code', redirect_uri: redirect, scope, state,
  code_challenge: challenge, code_challenge_method: 'S256', prompt: 'consent',
})}`;
let code = null;
for (let step = 0; step < 20 && !code; step++) {
  const res = await go(url);
  const location = res.headers.get('location');
  if (location) {
    const next = new URL(location, url);
    if (next.href.startsWith(redirect)) {
      if (next.searchParams.get('state') !== state) throw new Error('state mismatch');
      if (next.searchParams.get('error')) throw new Error(`authorization failed: ${next.search}`);
      code = next.searchParams.get('code');
      break;
    }
    url = next.href;
    continue;
  }
  const page = await res.text();
  // oidc-provider's development pages: a login form, then a consent form
  const action = /<form[^>]*action="([^"]+)"/.exec(page);
  if (!action) throw new Error(`unexpected page at ${url}: ${res.status} ${page.slice(0, 300)}`);
  const prompt = /name="prompt" value="([^"]+)"/.exec(page)?.[1];
  const body = new URLSearchParams({ prompt });
  if (prompt === 'login') {
    body.set('login', login);
    body.set('password', 'any');
  }
  const submitted = await go(new URL(action[1], url).href, {
    method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  url = new URL(submitted.headers.get('location'), url).href;
}
if (!code) throw new Error('no authorization code');

const form = new URLSearchParams({
  grant_type: 'authorization_code', code, redirect_uri: redirect, code_verifier: verifier, client_id: clientId,
});
if (secret) form.set('client_secret', secret);
const token = await fetch(`${issuer}/token`, {
  method: 'POST', body: form, headers: { 'content-type': 'application/x-www-form-urlencoded' },
});
const json = await token.json();
if (!token.ok || !json.refresh_token) throw new Error(`token exchange failed: ${JSON.stringify(json)}`);
process.stdout.write(JSON.stringify(json));

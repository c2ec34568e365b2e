// A real OAuth 2.0 authorization server for php-smtp's tests: oidc-provider
// (a certified OpenID Connect / OAuth 2.0 implementation) on a free loopback
// port, configured like the providers the extension talks to in production:
// short-lived access tokens, refresh tokens rotated on every use (as
// Microsoft's are), the client credentials grant for a custom scope
// (Microsoft's app-only SMTP), revocation and introspection (which the test
// SMTP server, tests/server/smtpd.py, uses to check the tokens it is given).
//
//   node server.mjs --ready-file PATH [--host 127.0.0.1] [--access-ttl 60] [--watch-stdin]
//
// Once listening it writes the issuer URL to PATH (atomically). The token
// endpoint is ISSUER/token, introspection ISSUER/token/introspection,
// revocation ISSUER/token/revocation, authorization ISSUER/auth with
// oidc-provider's own development login and consent pages (authorize.mjs
// goes through them like a browser would).
//
// Clients (all secrets are test values):
//   smtp-app      confidential: authorization_code + refresh_token + client_credentials,
//                 secret "smtp-app-secret", redirect http://127.0.0.1/callback
//   smtp-public   public (no secret): authorization_code + refresh_token
//   smtp-server   the SMTP server's own client for introspection, secret "smtp-server-secret"
//
// GET ISSUER/_test/stats gives {"token_requests": {"refresh_token": n, ...}}:
// every token the endpoint issued, by grant type (for the measurements).
import Provider from 'oidc-provider';
import fs from 'node:fs';
import http from 'node:http';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const host = opt('host', '127.0.0.1');
const readyFile = opt('ready-file');
const accessTtl = Number(opt('access-ttl', '60'));
if (!readyFile || !(accessTtl > 0)) {
  console.error('usage: node server.mjs --ready-file PATH [--host 127.0.0.1] [--access-ttl SECONDS] [--watch-stdin]');
  process.exit(2);
}

const RESOURCE = 'urn:php-smtp:smtp';
const SMTP_SCOPE = 'smtp.send';
const stats = {};

const server = http.createServer();
await new Promise((resolve) => server.listen(0, host, resolve));
const { port } = server.address();
const issuer = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: 'smtp-app',
      client_secret: 'smtp-app-secret',
      grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
      redirect_uris: ['http://127.0.0.1/callback'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_post',
      scope: `openid offline_access ${SMTP_SCOPE}`,
    },
    {
      client_id: 'smtp-public',
      grant_types: ['authorization_code', 'refresh_token'],
      redirect_uris: ['http://127.0.0.1/callback'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      scope: `openid offline_access ${SMTP_SCOPE}`,
    },
    {
      client_id: 'smtp-server',
      client_secret: 'smtp-server-secret',
      grant_types: [],
      redirect_uris: [],
      response_types: [],
      token_endpoint_auth_method: 'client_secret_post',
    },
  ],
  async findAccount(ctx, sub) {
    return { accountId: sub, async claims() { return { sub, email: sub }; } };
  },
  scopes: ['openid', 'offline_access', SMTP_SCOPE],
  pkce: { required: () => true },
  // every refresh returns a new refresh token and retires the old one
  rotateRefreshToken: true,
  issueRefreshToken: async (ctx, client, code) => client.grantTypeAllowed('refresh_token')
    && code.scopes.has('offline_access'),
  ttl: {
    AccessToken: accessTtl,
    ClientCredentials: accessTtl,
    RefreshToken: 3600,
    AuthorizationCode: 60,
    Interaction: 600,
    Session: 600,
    Grant: 3600,
  },
  features: {
    devInteractions: { enabled: true },
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    revocation: { enabled: true },
    resourceIndicators: {
      enabled: true,
      // a custom scope (like https://outlook.office.com/SMTP.Send) lives at a
      // resource server: every token here is for the SMTP server
      defaultResource: () => RESOURCE,
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({
        scope: SMTP_SCOPE,
        audience: RESOURCE,
        accessTokenTTL: accessTtl,
        accessTokenFormat: 'opaque',
      }),
    },
  },
  // the development pages want a session cookie key
  cookies: { keys: ['php-smtp-test-cookie-key'] },
});
provider.proxy = false;

provider.on('grant.success', (ctx) => {
  const type = ctx.oidc.params.grant_type;
  stats[type] = (stats[type] || 0) + 1;
});
provider.on('server_error', (ctx, error) => console.error('server_error', error));

const callback = provider.callback();
server.on('request', (req, res) => {
  if (req.url === '/_test/stats') {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ token_requests: stats }));
    return;
  }
  callback(req, res);
});

fs.writeFileSync(`${readyFile}.tmp`, issuer);
fs.renameSync(`${readyFile}.tmp`, readyFile);

const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
if (args.includes('--watch-stdin')) {
  process.stdin.on('end', () => process.exit(0));
  process.stdin.resume();
}
setTimeout(() => process.exit(0), 900 * 1000).unref();

<?php
/*
 * Token requests per 1,000 sends from one process (issue 15's measurement).
 *
 *   php -d extension=$(scripts/build.sh) bench/oauth_token_requests.php [sends] [access-ttl-seconds]
 *
 * A real authorization server (tests/oauth-server: oidc-provider, scripts/oauth-deps.sh)
 * issues access tokens that live access-ttl seconds (default 10) and rotates the
 * refresh token on every refresh; the capture SMTP server (tests/server/smtpd.py)
 * checks every token by introspection. One process sends `sends` messages
 * (default 1,000), each in a session of its own (keepalive off: every send
 * authenticates, the worst case for a token cache), with the refresh token
 * grant, then again with client credentials. The goal: one token request per
 * token lifetime, whatever the number of sends.
 */
require __DIR__ . '/../tests/inc/server.inc';
require __DIR__ . '/../tests/inc/oauth.inc';

$sends = (int) ($argv[1] ?? 1000);
$ttl = (int) ($argv[2] ?? 10);
$as = OAuthTestServer::start(accessTtl: $ttl);
$srv = SmtpTestServer::start(['tls' => 'starttls', 'auth' => 'ann@example.org:unused', 'require_auth' => true,
	'oauth_introspect' => $as->introspectionUrl()]);
$tokens = $as->authorize('ann@example.org');

$rotations = 0;
foreach (['refresh_token' => $as->grant($tokens['refresh_token'], ['on_refresh_token' => function () use (&$rotations) { $rotations++; }]),
	'client_credentials' => $as->clientCredentials()] as $grant => $oauth) {
	$before = $as->tokenRequests()[$grant] ?? 0;
	$mailer = new Smtp\Mailer($srv->config(['username' => 'ann@example.org', 'auth' => 'xoauth2', 'keepalive' => false,
		'oauth' => $oauth]));
	$start = microtime(true);
	for ($i = 0; $i < $sends; $i++) {
		$mailer->sendRaw('ann@example.org', 'bob@example.net', "Subject: $i\r\n\r\nx\r\n");
	}
	$seconds = microtime(true) - $start;
	$requests = ($as->tokenRequests()[$grant] ?? 0) - $before;
	printf("%-18s %d sends in %.1f s (%d sessions, each authenticated): %d token requests; token lifetime %d s, so %d lifetimes passed => %.2f requests per lifetime, %.2f per 1,000 sends\n",
		$grant, $sends, $seconds, $sends, $requests, $ttl, (int) ceil($seconds / $ttl), $requests / ceil($seconds / $ttl),
		$requests * 1000 / $sends);
}
$refused = 0;
foreach ($srv->sessions() as $s) {
	foreach ($s['auth_attempts'] as $a) {
		$refused += $a['ok'] ? 0 : 1;
	}
}
echo "rotated refresh tokens handed back: $rotations; tokens the SMTP server refused: $refused\n";

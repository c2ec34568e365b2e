--TEST--
OAuth: a cached access token is reused until shortly before it expires; one that expired between two sends is refreshed once, and the rotated refresh token is handed back and used from then on
--EXTENSIONS--
smtp
--FILE--
<?php
require __DIR__ . '/../inc/server.inc';
require __DIR__ . '/../inc/oauth.inc';
$as = OAuthTestServer::start(accessTtl: 3);
$srv = SmtpTestServer::start(['tls' => 'starttls', 'auth' => 'ann@example.org:unused', 'require_auth' => true,
	'oauth_introspect' => $as->introspectionUrl()]);
$tokens = $as->authorize('ann@example.org');
$handedBack = [];
$store = function (string $new) use (&$handedBack) { $handedBack[] = $new; };
$config = fn() => $srv->config(['username' => 'ann@example.org', 'auth' => 'xoauth2', 'keepalive' => false,
	'oauth' => $as->grant($tokens['refresh_token'], ['on_refresh_token' => $store])]);

$mailer = new Smtp\Mailer($config());
for ($i = 1; $i <= 3; $i++) {
	$mailer->sendRaw('ann@example.org', 'bob@example.net', "Subject: $i\r\n\r\nx\r\n");
}
echo "3 sends (3 sessions) within the token's life: ", json_encode($as->tokenRequests()), "\n";

sleep(3); /* the access token expires */
$mailer->sendRaw('ann@example.org', 'bob@example.net', "Subject: 4\r\n\r\nx\r\n");
echo "after it expired: ", json_encode($as->tokenRequests()), "\n";
echo "refresh tokens handed back: ", count($handedBack), ", each new: ",
	var_export(count(array_unique([...$handedBack, $tokens['refresh_token']])) === count($handedBack) + 1, true), "\n";

/* the first refresh token was rotated away: the provider no longer takes it */
echo "original refresh token still active: ", var_export($as->introspect($tokens['refresh_token'])['active'] ?? false, true), "\n";

/* a new Mailer given the ORIGINAL refresh token (a caller that did not store the
 * rotated one yet) still works: the cache refreshes with the rotated one */
sleep(3);
$mailer2 = new Smtp\Mailer($config());
$mailer2->sendRaw('ann@example.org', 'bob@example.net', "Subject: 5\r\n\r\nx\r\n");
echo "new Mailer, original refresh token, after expiry: ", json_encode($as->tokenRequests()), "\n";

/* a Mailer given the newest refresh token finds the cached access token */
$mailer3 = new Smtp\Mailer($srv->config(['username' => 'ann@example.org', 'auth' => 'xoauth2',
	'oauth' => $as->grant(end($handedBack))]));
$mailer3->sendRaw('ann@example.org', 'bob@example.net', "Subject: 6\r\n\r\nx\r\n");
echo "stored rotated token: ", json_encode($as->tokenRequests()), "\n";
echo "messages: ", count($srv->waitForMessages(6)), "\n";
$refused = 0;
foreach ($srv->sessions() as $s) {
	foreach ($s['auth_attempts'] as $a) {
		$refused += $a['ok'] ? 0 : 1;
	}
}
echo "tokens the SMTP server refused: $refused\n";
?>
--EXPECT--
3 sends (3 sessions) within the token's life: {"authorization_code":1,"refresh_token":1}
after it expired: {"authorization_code":1,"refresh_token":2}
refresh tokens handed back: 2, each new: true
original refresh token still active: false
new Mailer, original refresh token, after expiry: {"authorization_code":1,"refresh_token":3}
stored rotated token: {"authorization_code":1,"refresh_token":3}
messages: 6
tokens the SMTP server refused: 0

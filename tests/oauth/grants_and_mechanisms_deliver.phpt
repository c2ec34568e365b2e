--TEST--
OAuth: the refresh token grant and the client credentials grant, each with XOAUTH2 and OAUTHBEARER, log in at a server that checks the tokens at a real authorization server
--EXTENSIONS--
smtp
--FILE--
<?php
require __DIR__ . '/../inc/server.inc';
require __DIR__ . '/../inc/oauth.inc';
$as = OAuthTestServer::start();
$srv = SmtpTestServer::start(['tls' => 'starttls', 'auth' => 'ann@example.org:unused', 'require_auth' => true,
	'auth_mechs' => ['PLAIN', 'XOAUTH2', 'OAUTHBEARER'], 'oauth_introspect' => $as->introspectionUrl()]);
$tokens = $as->authorize('ann@example.org');

$cases = [
	'refresh token, xoauth2' => ['xoauth2', $as->grant($tokens['refresh_token'])],
	'refresh token, oauthbearer' => ['oauthbearer', $as->grant($tokens['refresh_token'])],
	'client credentials, xoauth2' => ['xoauth2', $as->clientCredentials()],
	'client credentials, oauthbearer' => ['oauthbearer', $as->clientCredentials()],
	'public client (no secret), xoauth2' => ['xoauth2', null],
];
$public = $as->authorize('ann@example.org', 'smtp-public', null);
$cases['public client (no secret), xoauth2'][1] = ['token_url' => $as->tokenUrl, 'client_id' => 'smtp-public',
	'refresh_token' => $public['refresh_token'], 'scope' => 'smtp.send'];
$rotated = [];
foreach ($cases as $name => [$auth, $oauth]) {
	$oauth['on_refresh_token'] = function (string $new) use (&$rotated) { $rotated[] = $new; };
	$mailer = new Smtp\Mailer($srv->config(['username' => 'ann@example.org', 'auth' => $auth, 'oauth' => $oauth]));
	$receipt = $mailer->sendRaw('ann@example.org', 'bob@example.net', "Subject: $name\r\n\r\nhello\r\n");
	$authLine = array_values(array_filter($mailer->transcript(), fn($l) => str_starts_with($l, 'C: AUTH')))[0];
	echo "$name: ", $receipt->response, " | ", $authLine, "\n";
}
$messages = $srv->waitForMessages(count($cases));
foreach ($srv->sessions() as $session) {
	$a = $session['auth_attempts'][0];
	echo $a['mechanism'], ' as ', $a['user'], ' ok=', var_export($a['ok'], true), "\n";
}
echo "messages: ", count($messages), "\n";
echo "rotated refresh tokens handed back: ", count($rotated), "\n";
echo "token requests: ", json_encode($as->tokenRequests()), "\n";
?>
--EXPECTF--
refresh token, xoauth2: 250 %s | C: AUTH XOAUTH2 ***
refresh token, oauthbearer: 250 %s | C: AUTH OAUTHBEARER ***
client credentials, xoauth2: 250 %s | C: AUTH XOAUTH2 ***
client credentials, oauthbearer: 250 %s | C: AUTH OAUTHBEARER ***
public client (no secret), xoauth2: 250 %s | C: AUTH XOAUTH2 ***
XOAUTH2 as ann@example.org ok=true
OAUTHBEARER as ann@example.org ok=true
XOAUTH2 as ann@example.org ok=true
OAUTHBEARER as ann@example.org ok=true
XOAUTH2 as ann@example.org ok=true
messages: 5
rotated refresh tokens handed back: 2
token requests: {"authorization_code":2,"refresh_token":2,"client_credentials":1}

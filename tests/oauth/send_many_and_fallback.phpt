--TEST--
OAuth: sendMany authenticates each of its sessions with one cached token; a fallback relay with its own OAuth client takes over when the first relay fails temporarily
--EXTENSIONS--
smtp
--FILE--
<?php
require __DIR__ . '/../inc/server.inc';
require __DIR__ . '/../inc/oauth.inc';
$as = OAuthTestServer::start();
$srv = SmtpTestServer::start(['tls' => 'starttls', 'auth' => 'ann@example.org:unused', 'require_auth' => true,
	'auth_mechs' => ['XOAUTH2', 'OAUTHBEARER'], 'oauth_introspect' => $as->introspectionUrl()]);
$tokens = $as->authorize('ann@example.org');
$mailer = new Smtp\Mailer($srv->config(['username' => 'ann@example.org', 'auth' => 'oauthbearer',
	'oauth' => $as->grant($tokens['refresh_token'])]));
$messages = [];
for ($i = 0; $i < 8; $i++) {
	$messages["m$i"] = (new Smtp\Message())->from('ann@example.org')->to("r$i@example.net")->subject("many $i")->text('x');
}
$results = $mailer->sendMany($messages, concurrency: 4);
echo "receipts: ", count(array_filter($results, fn($r) => $r instanceof Smtp\Receipt)), "\n";
$srv->waitForMessages(8);
$sessions = $srv->sessions();
echo "sessions: ", count($sessions), ", each authenticated: ",
	var_export(count(array_filter($sessions, fn($s) => ($s['auth_attempts'][0]['ok'] ?? false) === true)) === count($sessions), true), "\n";
echo "token requests: ", json_encode($as->tokenRequests()), "\n";

/* the primary relay is busy (454 to AUTH: temporary); the fallback has its own client credentials */
$busy = SmtpTestServer::start(['tls' => 'starttls', 'auth' => 'ann@example.org:x',
	'fault' => ['reply' => ['AUTH' => '454 4.7.0 Temporary authentication failure']]]);
$backup = SmtpTestServer::start(['tls' => 'starttls', 'auth' => 'ann@example.org:unused', 'require_auth' => true,
	'oauth_introspect' => $as->introspectionUrl()]);
$mailer = new Smtp\Mailer($busy->config(['username' => 'ann@example.org', 'token' => 'primary-token',
	'fallback' => $backup->config(['username' => 'ann@example.org', 'oauth' => $as->clientCredentials()])]));
$receipt = $mailer->sendRaw('ann@example.org', 'bob@example.net', "Subject: fallback\r\n\r\nx\r\n");
echo "via fallback: ", $receipt->response, "; backup got ", count($backup->waitForMessages(1)), "\n";
echo "transcript names the switch: ", var_export((bool) preg_grep('/trying the fallback relay/', $mailer->transcript()), true), "\n";
?>
--EXPECTF--
receipts: 8
sessions: 4, each authenticated: true
token requests: {"authorization_code":1,"refresh_token":1}
via fallback: 250 %s; backup got 1
transcript names the switch: true

--TEST--
OAuth: a token endpoint that cannot be reached is a temporary failure: with a spool the message is queued (and goes out once the endpoint is back), without one the AuthenticationException says temporary
--EXTENSIONS--
smtp
--FILE--
<?php
require __DIR__ . '/../inc/server.inc';
require __DIR__ . '/../inc/oauth.inc';
$srv = SmtpTestServer::start(['tls' => 'starttls', 'auth' => 'ann@example.org:unused', 'require_auth' => true]);
$down = 'http://127.0.0.1:' . SmtpTestServer::unusedPort() . '/token';
$oauth = ['token_url' => $down, 'client_id' => 'smtp-app', 'client_secret' => 'smtp-app-secret', 'scope' => 'smtp.send'];

try {
	(new Smtp\Mailer($srv->config(['username' => 'ann@example.org', 'oauth' => $oauth])))
		->sendRaw('ann@example.org', 'bob@example.net', "Subject: 1\r\n\r\nx\r\n");
	echo "sent?!\n";
} catch (Smtp\Exception $e) {
	echo get_class($e), " temporary=", var_export($e->temporary, true), " code=", $e->smtpCode, "\n";
	echo $e->getMessage(), "\n";
}

$dir = sys_get_temp_dir() . '/smtp-oauth-down-' . getmypid();
@mkdir($dir, 0700);
$receipt = (new Smtp\Mailer($srv->config(['username' => 'ann@example.org', 'oauth' => $oauth, 'spool' => $dir])))
	->sendRaw('ann@example.org', 'bob@example.net', "Subject: queued\r\n\r\nx\r\n");
$spool = new Smtp\Spool($dir);
echo "queued=", var_export($receipt->queued, true), " in the spool: ", $spool->count(), "\n";
echo "sessions opened at the SMTP server: ", count($srv->sessions()), " (AUTH attempts: ",
	array_sum(array_map(fn($s) => count($s['auth_attempts']), $srv->sessions())), ")\n";

/* the endpoint is back: the spool's flush delivers */
$as = OAuthTestServer::start();
$srv2 = SmtpTestServer::start(['tls' => 'starttls', 'auth' => 'ann@example.org:unused', 'require_auth' => true,
	'oauth_introspect' => $as->introspectionUrl()]);
$summary = $spool->flush(new Smtp\Mailer($srv2->config(['username' => 'ann@example.org',
	'oauth' => $as->clientCredentials()])), force: true);
echo "after the flush: ", $spool->count(), " queued, delivered: ", count($srv2->waitForMessages(1)), "\n";
$spool->purge();
$spool->purge(failed: true);
?>
--EXPECTF--
Smtp\AuthenticationException temporary=true code=0
The token endpoint http://127.0.0.1:%d/token could not be reached: Failed to connect to 127.0.0.1 port %d after %d ms: Could%s connect to server
queued=true in the spool: 1
sessions opened at the SMTP server: 2 (AUTH attempts: 0)
after the flush: 0 queued, delivered: 1

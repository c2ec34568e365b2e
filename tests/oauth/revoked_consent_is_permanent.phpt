--TEST--
OAuth: after the user withdrew consent (refresh token revoked) the cached token is refused, the refresh gets invalid_grant, and the send fails for good with an AuthenticationException that says to reconnect
--EXTENSIONS--
smtp
--FILE--
<?php
require __DIR__ . '/../inc/server.inc';
require __DIR__ . '/../inc/oauth.inc';
$as = OAuthTestServer::start();
$srv = SmtpTestServer::start(['tls' => 'starttls', 'auth' => 'ann@example.org:unused', 'require_auth' => true,
	'oauth_introspect' => $as->introspectionUrl()]);
$tokens = $as->authorize('ann@example.org');
$spoolDir = sys_get_temp_dir() . '/smtp-oauth-spool-' . getmypid();
@mkdir($spoolDir, 0700);
$mailer = new Smtp\Mailer($srv->config(['username' => 'ann@example.org', 'auth' => 'xoauth2', 'keepalive' => false,
	'spool' => $spoolDir, 'oauth' => $as->grant($tokens['refresh_token'])]));
$mailer->sendRaw('ann@example.org', 'bob@example.net', "Subject: 1\r\n\r\nx\r\n");
echo "before: sent\n";

$as->revoke($tokens['refresh_token']);
try {
	$mailer->sendRaw('ann@example.org', 'bob@example.net', "Subject: 2\r\n\r\nx\r\n");
	echo "sent?!\n";
} catch (Smtp\AuthenticationException $e) {
	echo get_class($e), " temporary=", var_export($e->temporary, true), "\n", $e->getMessage(), "\n";
	$t = $e->transcript;
	echo implode("\n", array_slice($t, array_search('C: AUTH XOAUTH2 ***', $t, true))), "\n";
}
$spool = new Smtp\Spool($spoolDir);
echo "queued in the spool: ", $spool->count(), "\n";
echo "token requests: ", json_encode($as->tokenRequests()), "\n";
$spool->purge();
$spool->purge(failed: true);
?>
--EXPECTF--
before: sent
Smtp\AuthenticationException temporary=false
The token endpoint http://127.0.0.1:%d/token refused to issue an access token (HTTP 400, invalid_grant: grant request is invalid): the refresh token was revoked or has expired (consent withdrawn, password changed, or unused too long): reconnect the account to get a new one
C: AUTH XOAUTH2 ***
S: 334 eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiYmVhcmVyIiwic2NvcGUiOiJodHRwczovL21haWwuZ29vZ2xlLmNvbS8ifQ==
C: ***
S: 535-5.7.8 Username and Password not accepted. For more information, go to
S: 535 5.7.8  https://support.google.com/mail/?p=BadCredentials
* the server refused the token: asking for a fresh one
* The token endpoint http://127.0.0.1:%d/token refused to issue an access token (HTTP 400, invalid_grant: grant request is invalid): the refresh token was revoked or has expired (consent withdrawn, password changed, or unused too long): reconnect the account to get a new one
queued in the spool: 0
token requests: {"authorization_code":1,"refresh_token":1}

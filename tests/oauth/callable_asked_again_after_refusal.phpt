--TEST--
OAuth: a token callable is asked with false, and once more with true after the server refused its token (the Google-style error challenge answered: an empty line for XOAUTH2, %x01 for OAUTHBEARER); a string token that is refused fails with the provider's words
--EXTENSIONS--
smtp
--FILE--
<?php
require __DIR__ . '/../inc/server.inc';
$srv = SmtpTestServer::start(['tls' => 'starttls', 'auth' => 'ann@example.org:fresh-token-2', 'require_auth' => true,
	'auth_mechs' => ['XOAUTH2', 'OAUTHBEARER']]);
foreach (['xoauth2', 'oauthbearer'] as $auth) {
	$asked = [];
	$token = function (bool $refresh) use (&$asked) {
		$asked[] = $refresh;
		return $refresh ? 'fresh-token-2' : 'stale-token-1';
	};
	$mailer = new Smtp\Mailer($srv->config(['username' => 'ann@example.org', 'auth' => $auth, 'token' => $token]));
	$receipt = $mailer->sendRaw('ann@example.org', 'bob@example.net', "Subject: $auth\r\n\r\nx\r\n");
	echo "$auth: asked ", json_encode($asked), ", ", $receipt->response, "\n";
	$t = $mailer->transcript();
	echo "  ", implode("\n  ", array_slice($t, array_search('C: AUTH ' . strtoupper($auth) . ' ***', $t, true), 8)), "\n";
}
$answers = [];
foreach (explode("\n", file_get_contents($srv->dir . '/log.jsonl')) as $line) {
	$e = json_decode($line, true);
	if (($e['event'] ?? '') === 'oauth_error_answer') {
		$answers[] = bin2hex(base64_decode($e['answer']));
	}
}
echo "answers to the error challenges (hex): ", json_encode($answers), "\n";

/* a string cannot be refreshed: the provider's words and a hint */
try {
	(new Smtp\Mailer($srv->config(['username' => 'ann@example.org', 'auth' => 'xoauth2', 'token' => 'expired-token'])))
		->sendRaw('ann@example.org', 'bob@example.net', "Subject: s\r\n\r\nx\r\n");
} catch (Smtp\AuthenticationException $e) {
	echo get_class($e), " ", $e->smtpCode, " ", $e->enhancedStatus, " temporary=", var_export($e->temporary, true), "\n";
	echo $e->getMessage(), "\n";
}
/* a callable whose fresh token is refused too */
try {
	(new Smtp\Mailer($srv->config(['username' => 'ann@example.org', 'auth' => 'xoauth2', 'token' => fn(bool $r) => "bad-$r"])))
		->sendRaw('ann@example.org', 'bob@example.net', "Subject: s\r\n\r\nx\r\n");
} catch (Smtp\AuthenticationException $e) {
	echo $e->getMessage(), "\n";
}
/* a callable that returns no string */
try {
	(new Smtp\Mailer($srv->config(['username' => 'ann@example.org', 'auth' => 'xoauth2', 'token' => fn(bool $r) => null])))
		->sendRaw('ann@example.org', 'bob@example.net', "Subject: s\r\n\r\nx\r\n");
} catch (Smtp\Exception $e) {
	echo get_class($e), ": ", $e->getMessage(), "\n";
}
/* a callable that throws: its exception comes through */
try {
	(new Smtp\Mailer($srv->config(['username' => 'ann@example.org', 'auth' => 'xoauth2',
		'token' => function (bool $r) { throw new LogicException('vault is sealed'); }])))
		->sendRaw('ann@example.org', 'bob@example.net', "Subject: s\r\n\r\nx\r\n");
} catch (Throwable $e) {
	echo get_class($e), ": ", $e->getMessage(), "\n";
}
?>
--EXPECTF--
xoauth2: asked [false,true], 250 %s
  C: AUTH XOAUTH2 ***
  S: 334 eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiYmVhcmVyIiwic2NvcGUiOiJodHRwczovL21haWwuZ29vZ2xlLmNvbS8ifQ==
  C: ***
  S: 535-5.7.8 Username and Password not accepted. For more information, go to
  S: 535 5.7.8  https://support.google.com/mail/?p=BadCredentials
  * the server refused the token: asking for a fresh one
  C: AUTH XOAUTH2 ***
  S: 235 2.7.0 Authentication successful
oauthbearer: asked [false,true], 250 %s
  C: AUTH OAUTHBEARER ***
  S: 334 eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIiwic2NvcGUiOiJzbXRwLnNlbmQifQ==
  C: ***
  S: 535-5.7.8 Username and Password not accepted. For more information, go to
  S: 535 5.7.8  https://support.google.com/mail/?p=BadCredentials
  * the server refused the token: asking for a fresh one
  C: AUTH OAUTHBEARER ***
  S: 235 2.7.0 Authentication successful
answers to the error challenges (hex): ["","01"]
Smtp\AuthenticationException 535 5.7.8 temporary=false
Authentication (XOAUTH2) failed: 535 5.7.8 Username and Password not accepted. For more information, go to
5.7.8  https://support.google.com/mail/?p=BadCredentials; the provider said: {"status":"401","schemes":"bearer","scope":"https://mail.google.com/"} (the token may have expired: give a callable or "oauth" so that a fresh one can be fetched)
Authentication (XOAUTH2) failed: 535 5.7.8 Username and Password not accepted. For more information, go to
5.7.8  https://support.google.com/mail/?p=BadCredentials; the provider said: {"status":"401","schemes":"bearer","scope":"https://mail.google.com/"}; a freshly issued token was refused too
Smtp\Exception: The token callable must return a non-empty access token string without control characters, null returned
LogicException: vault is sealed

--TEST--
Mailer: AUTH auto, PLAIN, LOGIN, CRAM-MD5 and XOAUTH2 log in after STARTTLS, never before
--EXTENSIONS--
smtp
--FILE--
<?php
require __DIR__ . '/../inc/server.inc';
$srv = SmtpTestServer::start(['tls' => 'starttls', 'auth' => 'ann@example.org:s3cr3t-p4ss']);
foreach (['auto', 'plain', 'login', 'cram-md5', 'xoauth2'] as $auth) {
	$mailer = new Smtp\Mailer($srv->config(['username' => 'ann@example.org', 'password' => 's3cr3t-p4ss', 'auth' => $auth]));
	$mailer->sendRaw('ann@example.org', 'b@y.test', "Subject: $auth\r\n\r\nx\r\n");
}
$messages = $srv->waitForMessages(5);
foreach ($srv->sessions() as $i => $session) {
	$auth = $session['auth_attempts'][0];
	$authLines = array_filter($session['lines'], fn($l) => str_starts_with(strtoupper($l['line']), 'AUTH') || $l['kind'] === 'auth');
	$allOverTls = !in_array(false, array_column($authLines, 'tls'), true);
	printf("%d: %s as %s ok=%s all AUTH lines over TLS=%s message auth_user=%s\n", $i, $auth['mechanism'], $auth['user'],
		var_export($auth['ok'], true), var_export($allOverTls, true), $messages[$i]['auth_user']);
}
?>
--EXPECT--
0: CRAM-MD5 as ann@example.org ok=true all AUTH lines over TLS=true message auth_user=ann@example.org
1: PLAIN as ann@example.org ok=true all AUTH lines over TLS=true message auth_user=ann@example.org
2: LOGIN as ann@example.org ok=true all AUTH lines over TLS=true message auth_user=ann@example.org
3: CRAM-MD5 as ann@example.org ok=true all AUTH lines over TLS=true message auth_user=ann@example.org
4: XOAUTH2 as ann@example.org ok=true all AUTH lines over TLS=true message auth_user=ann@example.org

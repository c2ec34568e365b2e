--TEST--
Mailer: a username is set but the server offers no AUTH: AuthenticationException, no MAIL FROM (libcurl would send unauthenticated)
--EXTENSIONS--
smtp
--FILE--
<?php
require __DIR__ . '/../inc/server.inc';
$srv = SmtpTestServer::start(['tls' => 'starttls', 'auth' => 'user:secret', 'fault' => ['no_auth' => true]]);
try {
	(new Smtp\Mailer($srv->dsn(['user' => 'user', 'pass' => 'secret'])))->sendRaw('a@x.test', 'b@y.test', "x\r\n");
	echo "sent!\n";
} catch (Smtp\AuthenticationException $e) {
	echo $e->getMessage(), "\n";
}
$commands = $srv->waitForSessions(1)[0]['commands'];
echo count(preg_grep('/^MAIL/i', $commands)), " MAIL commands; ", count($srv->messages()), " messages\n";
?>
--EXPECTF--
127.0.0.1:%d does not offer AUTH after STARTTLS, but a username is set: refusing to send without authenticating
0 MAIL commands; 0 messages

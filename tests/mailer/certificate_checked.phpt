--TEST--
Mailer: a certificate for the wrong host or from an unknown CA is refused; verify_peer=false only when asked
--EXTENSIONS--
smtp
--FILE--
<?php
require __DIR__ . '/../inc/server.inc';
foreach (['wronghost' => 'starttls', 'selfsigned' => 'implicit'] as $cert => $tls) {
	$srv = SmtpTestServer::start(['tls' => $tls, 'cert' => $cert, 'auth' => 'user:secret']);
	try {
		(new Smtp\Mailer($srv->dsn(['user' => 'user', 'pass' => 'secret'])))->sendRaw('a@x.test', 'b@y.test', "x\r\n");
		echo "$cert: sent!\n";
	} catch (Smtp\TlsException $e) {
		echo "$cert: ", get_class($e), "\n";
	}
	$commands = array_merge(...array_column($srv->waitForSessions(1), 'commands'));
	echo "  AUTH or MAIL at the server: ", count(preg_grep('/^(AUTH|MAIL)/i', $commands)), "\n";
	$r = (new Smtp\Mailer($srv->dsn(['user' => 'user', 'pass' => 'secret', 'verify_peer' => false])))->sendRaw('a@x.test', 'b@y.test', "x\r\n");
	echo "  with verify_peer=false: ", $r->response, "\n";
}
?>
--EXPECT--
wronghost: Smtp\TlsException
  AUTH or MAIL at the server: 0
  with verify_peer=false: 250 2.0.0 OK: queued as 0001
selfsigned: Smtp\TlsException
  AUTH or MAIL at the server: 0
  with verify_peer=false: 250 2.0.0 OK: queued as 0001

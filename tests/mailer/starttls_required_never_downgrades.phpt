--TEST--
Mailer: no STARTTLS offered, or STARTTLS refused, gives TlsException before any AUTH or MAIL
--EXTENSIONS--
smtp
--FILE--
<?php
require __DIR__ . '/../inc/server.inc';
$faults = ['not offered' => ['no_starttls' => true], 'refused 454' => ['starttls_reply' => 454]];
foreach ($faults as $label => $fault) {
	$srv = SmtpTestServer::start(['tls' => 'starttls', 'auth' => 'user:secret', 'auth_plaintext' => true, 'fault' => $fault]);
	try {
		(new Smtp\Mailer($srv->dsn(['user' => 'user', 'pass' => 'secret'])))->sendRaw('a@x.test', 'b@y.test', "x\r\n");
		echo "$label: sent!\n";
	} catch (Smtp\TlsException $e) {
		printf("%s: %s code=%d temporary=%s\n", $label, get_class($e), $e->smtpCode, var_export($e->temporary, true));
	}
	$commands = $srv->waitForSessions(1)[0]['commands'];
	printf("  AUTH or MAIL at the server: %d; commands: %s\n", count(preg_grep('/^(AUTH|MAIL)/i', $commands)), implode(' | ', $commands));
}
?>
--EXPECTF--
not offered: Smtp\TlsException code=0 temporary=false
  AUTH or MAIL at the server: 0; commands: EHLO %s%A
refused 454: Smtp\TlsException code=454 temporary=true
  AUTH or MAIL at the server: 0; commands: EHLO %s | STARTTLS%A

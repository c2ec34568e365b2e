--TEST--
Mailer: refused port, 421 greeting, hang-up in DATA: ConnectionException, temporary, nothing delivered
--EXTENSIONS--
smtp
--FILE--
<?php
require __DIR__ . '/../inc/server.inc';
function attempt(string $label, $config): void {
	try {
		(new Smtp\Mailer($config))->sendRaw('a@x.test', 'b@y.test', "Subject: x\r\n\r\n" . str_repeat("line\r\n", 100));
		echo "$label: sent!\n";
	} catch (Smtp\Exception $e) {
		printf("%s: %s code=%d temporary=%s transcript=%s\n", $label, get_class($e), $e->smtpCode,
			var_export($e->temporary, true), count($e->transcript) > 0 ? 'yes' : 'no');
	}
}
attempt('refused port', 'smtp://127.0.0.1:' . SmtpTestServer::unusedPort() . '?encryption=none');
$srv = SmtpTestServer::start(['fault' => ['greeting' => 421]]);
attempt('421 greeting', $srv->dsn());
$srv = SmtpTestServer::start(['fault' => ['disconnect_in_data' => 50]]);
attempt('hang-up in DATA', $srv->dsn());
$srv->waitForSessions(1);
echo "delivered: ", count($srv->messages()), "\n";
?>
--EXPECT--
refused port: Smtp\ConnectionException code=0 temporary=true transcript=yes
421 greeting: Smtp\ConnectionException code=421 temporary=true transcript=yes
hang-up in DATA: Smtp\ConnectionException code=0 temporary=true transcript=yes
delivered: 0

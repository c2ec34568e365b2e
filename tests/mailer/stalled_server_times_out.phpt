--TEST--
Mailer: a server that stalls (greeting, after MAIL, at the end of DATA) or trickles cannot hold PHP past timeout + 1 s
--EXTENSIONS--
smtp
--FILE--
<?php
require __DIR__ . '/../inc/server.inc';
foreach ([['stall' => 'greeting'], ['stall' => 'MAIL'], ['stall' => 'DOT'], ['trickle' => 0.5]] as $fault) {
	$srv = SmtpTestServer::start(['fault' => $fault]);
	$mailer = new Smtp\Mailer($srv->dsn(['timeout' => 1]));
	$start = microtime(true);
	try {
		$mailer->sendRaw('a@x.test', 'b@y.test', "Subject: x\r\n\r\nbody\r\n");
		echo "sent!\n";
	} catch (Smtp\ConnectionException $e) {
		$elapsed = microtime(true) - $start;
		printf("%s: %s temporary=%s within timeout+1s=%s\n", json_encode($fault), get_class($e),
			var_export($e->temporary, true), var_export($elapsed < 2.0, true));
	}
}
?>
--EXPECT--
{"stall":"greeting"}: Smtp\ConnectionException temporary=true within timeout+1s=true
{"stall":"MAIL"}: Smtp\ConnectionException temporary=true within timeout+1s=true
{"stall":"DOT"}: Smtp\ConnectionException temporary=true within timeout+1s=true
{"trickle":0.5}: Smtp\ConnectionException temporary=true within timeout+1s=true

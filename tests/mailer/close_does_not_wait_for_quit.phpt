--TEST--
Mailer: close() and the end of the script say QUIT but do not wait for its reply (a stalled server cannot hold PHP)
--EXTENSIONS--
smtp
--FILE--
<?php
require __DIR__ . '/../inc/server.inc';
$srv = SmtpTestServer::start(['fault' => ['stall' => 'QUIT']]);
$mailer = new Smtp\Mailer($srv->config(['timeout' => 5]));
$mailer->sendRaw('a@x.test', 'b@y.test', "Subject: x\r\n\r\nbody\r\n");
$start = microtime(true);
$mailer->close();
printf("close() returned in under 0.5 s: %s\n", var_export(microtime(true) - $start < 0.5, true));
$mailer->sendRaw('a@x.test', 'b@y.test', "Subject: y\r\n\r\nbody\r\n");
$start = microtime(true);
unset($mailer);
printf("destruction returned in under 0.5 s: %s\n", var_export(microtime(true) - $start < 0.5, true));
foreach ($srv->waitForSessions(2) as $session) {
	echo end($session['commands']), "\n";
}
?>
--EXPECT--
close() returned in under 0.5 s: true
destruction returned in under 0.5 s: true
QUIT
QUIT

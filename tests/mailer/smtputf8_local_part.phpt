--TEST--
A non-ASCII local part: with SMTPUTF8 offered, MAIL FROM carries SMTPUTF8 and the address arrives as UTF-8 (the domain as A-labels); without it, the message fails with a clear error before MAIL FROM, through send() and sendMany(), and the other messages go
--EXTENSIONS--
smtp
--FILE--
<?php
require __DIR__ . '/../inc/server.inc';
foreach ([true, false] as $offered) {
	echo "-- SMTPUTF8 ", $offered ? "offered" : "not offered", "\n";
	$srv = SmtpTestServer::start(['smtputf8' => $offered]);
	$mailer = new Smtp\Mailer($srv->config());
	$utf8 = (new Smtp\Message())->from('shop@x.test')->to('khách@ví-dụ.vn')->subject('utf8')->text('x');
	try {
		$accepted = $mailer->send($utf8)->accepted;
		echo "send: Receipt for ", json_encode($accepted, JSON_UNESCAPED_UNICODE), "\n";
	} catch (Smtp\Exception $e) {
		printf("send: %s: %s\n", get_class($e), preg_replace('/:\d+ /', ':PORT ', $e->getMessage()));
	}
	$ascii = (new Smtp\Message())->from('shop@x.test')->to('ann@y.test')->subject('ascii')->text('x');
	foreach ($mailer->sendMany([$utf8, $ascii], concurrency: 1) as $r) { /* one session: a fixed order of arrival */
		echo "  sendMany: ", $r instanceof Smtp\Receipt ? 'Receipt' : get_class($r), "\n";
	}
	$mailer->close();
	$received = $srv->waitForMessages($offered ? 3 : 1);
	foreach ($received as $m) {
		echo "  arrived: MAIL options ", json_encode($m['mail_options']), ", RCPT ", json_encode($m['rcpt_tos'], JSON_UNESCAPED_UNICODE), "\n";
	}
	$commands = array_merge(...array_column($srv->waitForSessions(1), 'commands'));
	echo "  MAIL FROM commands: ", count(array_filter($commands, fn($c) => str_starts_with($c, 'MAIL'))), "\n";
	$srv->stop();
}
?>
--EXPECT--
-- SMTPUTF8 offered
send: Receipt for ["khách@xn--v-d-rma6749a.vn"]
  sendMany: Receipt
  sendMany: Receipt
  arrived: MAIL options ["BODY=8BITMIME","SMTPUTF8"], RCPT ["khách@xn--v-d-rma6749a.vn"]
  arrived: MAIL options ["BODY=8BITMIME","SMTPUTF8"], RCPT ["khách@xn--v-d-rma6749a.vn"]
  arrived: MAIL options [], RCPT ["ann@y.test"]
  MAIL FROM commands: 3
-- SMTPUTF8 not offered
send: Smtp\Exception: An address has a non-ASCII local part, and 127.0.0.1:PORT does not offer SMTPUTF8
  sendMany: Smtp\Exception
  sendMany: Receipt
  arrived: MAIL options [], RCPT ["ann@y.test"]
  MAIL FROM commands: 1

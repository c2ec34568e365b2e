--TEST--
Mailer: plaintext, STARTTLS and implicit TLS each deliver the exact bytes, over TLS when asked
--EXTENSIONS--
smtp
--FILE--
<?php
require __DIR__ . '/../inc/server.inc';
$data = "From: a@x.test\r\nTo: b@y.test\r\nSubject: mode\r\nMessage-ID: <m1@x.test>\r\n\r\nHello.\r\n";
foreach (['none', 'starttls', 'implicit'] as $tls) {
	$srv = SmtpTestServer::start(['tls' => $tls]);
	$mailer = new Smtp\Mailer($srv->dsn());
	$receipt = $mailer->sendRaw('a@x.test', 'b@y.test', $data);
	$got = $srv->waitForMessages(1)[0];
	printf("%s: tls=%s data-exact=%s from=%s to=%s id=%s accepted=%s response=%s\n", $tls,
		var_export($got['tls'], true), var_export($got['data'] === $data, true), $got['mail_from'],
		implode(',', $got['rcpt_tos']), $receipt->messageId, implode(',', $receipt->accepted), $receipt->response);
	$sessions = $srv->sessions(); /* the mailer still holds the connection: no QUIT yet */
	$plain = array_column(array_filter($sessions[0]['lines'], fn($l) => !$l['tls']), 'line');
	echo "  commands before TLS: ", implode(' | ', preg_replace(['/^EHLO \S+$/', '/ SIZE=\d+$/'], ['EHLO', ''], $plain)), "\n";
}
?>
--EXPECT--
none: tls=false data-exact=true from=a@x.test to=b@y.test id=m1@x.test accepted=b@y.test response=250 2.0.0 OK: queued as 0001
  commands before TLS: EHLO | MAIL FROM:<a@x.test> | RCPT TO:<b@y.test> | DATA
starttls: tls=true data-exact=true from=a@x.test to=b@y.test id=m1@x.test accepted=b@y.test response=250 2.0.0 OK: queued as 0001
  commands before TLS: EHLO | STARTTLS
implicit: tls=true data-exact=true from=a@x.test to=b@y.test id=m1@x.test accepted=b@y.test response=250 2.0.0 OK: queued as 0001
  commands before TLS: 

--TEST--
3,000 recipients in one message (more RCPT TO lines than one 128 KB write holds), with and without PIPELINING, through sendRaw and sendMany: every one accepted, the next message on the session unaffected
--EXTENSIONS--
smtp
--FILE--
<?php
require __DIR__ . '/../inc/server.inc';
$rcpts = [];
for ($i = 0; $i < 3000; $i++) {
	$rcpts[] = sprintf('recipient-number-%05d-with-a-long-local-part@a-rather-long-domain-name.example', $i);
}
foreach ([true, false] as $pipelining) {
	$srv = SmtpTestServer::start(['pipelining' => $pipelining, 'fault' => ['reject_rcpt' => [$rcpts[1234] => 550]]]);
	$mailer = new Smtp\Mailer($srv->config());
	$r = $mailer->sendRaw('a@x.test', $rcpts, "Subject: many\r\n\r\nbody\r\n");
	printf("pipelining=%s sendRaw: accepted %d, rejected %s\n", var_export($pipelining, true), count($r->accepted),
		implode(',', array_keys($r->rejected)) === $rcpts[1234] ? 'the one refused' : '?');
	$big = (new Smtp\Message())->from('a@x.test')->subject('big')->text('y');
	foreach (array_slice($rcpts, 0, 1500) as $address) {
		$big->bcc($address);
	}
	$results = $mailer->sendMany([$big, (new Smtp\Message())->from('a@x.test')->to('z@y.test')->subject('small')->text('y')], 1);
	echo "  sendMany: ", count($results[0]->accepted), " accepted, then ", get_class($results[1]), "\n";
	$received = $srv->waitForMessages(3);
	echo "  the server took ", implode(' + ', array_map(fn($m) => count($m['rcpt_tos']), $received)), " recipients\n";
	$srv->stop();
}
?>
--EXPECT--
pipelining=true sendRaw: accepted 2999, rejected the one refused
  sendMany: 1499 accepted, then Smtp\Receipt
  the server took 2999 + 1499 + 1 recipients
pipelining=false sendRaw: accepted 2999, rejected the one refused
  sendMany: 1499 accepted, then Smtp\Receipt
  the server took 2999 + 1499 + 1 recipients

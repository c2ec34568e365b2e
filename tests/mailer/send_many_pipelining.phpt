--TEST--
sendMany speaks the mail transaction itself: pipelined when the server offers PIPELINING, one command at a time when it does not; bytes exact, dots stuffed, a refused transaction reset so the next message on the session goes
--EXTENSIONS--
smtp
--FILE--
<?php
require __DIR__ . '/../inc/server.inc';

function batch(string $tag): array
{
	$messages = [];
	for ($i = 0; $i < 12; $i++) {
		$messages["m$i"] = (new Smtp\Message())->from('shop@x.test')->to("n$i@y.test")->subject("$tag $i")
			->text(".leading dot\n.\nmiddle\n..two dots\nend $i");
	}
	/* one recipient refused, one accepted: a Receipt; all refused: an exception, and the session goes on */
	$messages['partial'] = (new Smtp\Message())->from('shop@x.test')->to('gone@y.test')->cc('ok@y.test')->subject("$tag partial")->text('p');
	$messages['nobody'] = (new Smtp\Message())->from('shop@x.test')->to('gone@y.test')->subject("$tag nobody")->text('n');
	$messages['after'] = (new Smtp\Message())->from('shop@x.test')->to('after@y.test')->subject("$tag after")->text('a');
	return $messages;
}

foreach ([true, false] as $pipelining) {
	$tag = $pipelining ? 'pipelined' : 'lockstep';
	echo "-- $tag\n";
	$srv = SmtpTestServer::start(['pipelining' => $pipelining,
		'fault' => ['reject_rcpt' => ['gone@y.test' => '550 5.1.1 <gone@y.test> no such user']]]);
	$mailer = new Smtp\Mailer($srv->config());
	$messages = batch($tag);
	$results = $mailer->sendMany($messages, concurrency: $pipelining ? 3 : 1);
	$receipts = array_filter($results, fn($r) => $r instanceof Smtp\Receipt);
	echo count($receipts), " receipts\n";
	echo 'partial: ', json_encode($results['partial']->accepted), ' ', json_encode(array_keys($results['partial']->rejected)), "\n";
	echo 'nobody: ', get_class($results['nobody']), ' ', $results['nobody']->smtpCode, "\n";
	echo 'after: ', $results['after'] instanceof Smtp\Receipt ? 'Receipt' : get_class($results['after']) . ' ' . $results['after']->getMessage(), "\n";
	$mailer->close();

	$received = $srv->waitForMessages(14);
	$bySubject = [];
	foreach ($received as $m) {
		preg_match('/^Subject: (.*)\r$/m', $m['data'], $s);
		$bySubject[$s[1]] = ($bySubject[$s[1]] ?? 0) + 1;
	}
	echo count($received), " arrived, each once: ", var_export(max($bySubject) === 1, true), "\n";
	/* byte for byte what toString() renders, the dot lines restored by the server */
	$exact = 0;
	foreach ($received as $m) {
		preg_match('/^Subject: ' . $tag . ' (\d+)\r$/m', $m['data'], $s);
		if ($s && $m['data'] === $messages['m' . $s[1]]->toString()) {
			$exact++;
		}
	}
	echo "byte-exact: $exact\n";
	$first = array_values(array_filter($received, fn($m) => str_contains($m['data'], "Subject: $tag 0\r\n")))[0];
	echo "stuffed lines seen by the server: ", $first['stuffed_lines'], "\n";
	$sessions = $srv->waitForSessions(1);
	$pipelined = array_sum(array_column($sessions, 'pipelined'));
	echo "sessions: ", count($sessions), ", pipelined commands: ", $pipelined > 0 ? 'some' : 'none', "\n";
	$rsets = count(array_filter(array_merge(...array_column($sessions, 'commands')), fn($c) => $c === 'RSET'));
	echo "RSET after the refused transaction: ", var_export($rsets >= 1, true), "\n";
	$srv->stop();
}
?>
--EXPECT--
-- pipelined
14 receipts
partial: ["ok@y.test"] ["gone@y.test"]
nobody: Smtp\RecipientException 550
after: Receipt
14 arrived, each once: true
byte-exact: 12
stuffed lines seen by the server: 3
sessions: 3, pipelined commands: some
RSET after the refused transaction: true
-- lockstep
14 receipts
partial: ["ok@y.test"] ["gone@y.test"]
nobody: Smtp\RecipientException 550
after: Receipt
14 arrived, each once: true
byte-exact: 12
stuffed lines seen by the server: 3
sessions: 1, pipelined commands: none
RSET after the refused transaction: true

--TEST--
CHUNKING (RFC 3030): with CHUNKING and PIPELINING offered the message goes as BDAT, pipelined with MAIL and RCPT in one write, not dot-stuffed, byte-exact; large messages in several chunks, LAST on the final one; DATA as before without CHUNKING or without PIPELINING
--EXTENSIONS--
smtp
--FILE--
<?php
require __DIR__ . '/../inc/server.inc';

function dotty(string $subject): Smtp\Message
{
	return (new Smtp\Message())->from('shop@x.test')->to('a@y.test')->subject($subject)
		->text(".leading dot\n.\nmiddle\n..two dots\nend");
}

foreach ([['chunking' => true], ['chunking' => false], ['chunking' => true, 'pipelining' => false]] as $options) {
	echo "-- ", json_encode($options), "\n";
	$srv = SmtpTestServer::start($options);
	$mailer = new Smtp\Mailer($srv->config());
	$m = dotty('one');
	$receipt = $mailer->send($m);
	$bdat = array_values(array_filter($mailer->transcript(), fn($l) => str_starts_with($l, 'C: BDAT')));
	echo "transcript BDAT lines: ", json_encode($bdat === [] ? [] : [preg_replace('/\d+/', 'N', $bdat[0])]), "\n";
	$mailer->close();
	$got = $srv->waitForMessages(1)[0];
	echo "transfer: $got[transfer], chunks: ", count($got['chunks'] ?? []), ", byte-exact: ",
		var_export($got['data'] === $m->toString(), true), ", stuffed lines: $got[stuffed_lines]\n";
	if ($got['transfer'] === 'BDAT') {
		echo "one chunk of the message's size: ", var_export($got['chunks'] === [strlen($m->toString())], true), "\n";
	}
	$commands = $srv->waitForSessions(1)[0]['commands'];
	echo "commands: ", implode(', ', array_map(fn($c) => preg_replace(['/^EHLO .*/', '/<[^>]*>/', '/\d+/'], ['EHLO', '<>', 'N'], $c), $commands)), "\n";
	/* MAIL and RCPT arrived with more bytes behind them: one write */
	echo "envelope pipelined: ", $srv->waitForSessions(1)[0]['pipelined'], "\n";
	$srv->stop();
}

echo "-- a 3 MB attachment: several chunks, LAST on the final one\n";
$srv = SmtpTestServer::start(['chunking' => true]);
$file = tempnam(sys_get_temp_dir(), 'smtp-bdat');
file_put_contents($file, random_bytes(3 << 20));
$m = dotty('big')->attach($file, 'big.bin');
$mailer = new Smtp\Mailer($srv->config());
$mailer->send($m);
$lines = $mailer->transcript();
$mailer->close();
$got = $srv->waitForMessages(1)[0];
echo "byte-exact: ", var_export($got['data'] === $m->toString(), true), "\n";
echo "chunks: ", count($got['chunks']) > 20 ? 'many' : count($got['chunks']), ", each at most 128 KB: ",
	var_export(max($got['chunks']) <= 128 * 1024, true), ", they add up: ", var_export(array_sum($got['chunks']) === $got['size'], true), "\n";
$bdat = array_values(array_filter($lines, fn($l) => str_starts_with($l, 'C: BDAT')));
echo "only the last says LAST: ", var_export(str_ends_with(end($bdat), ' LAST')
	&& count(array_filter($bdat, fn($l) => str_ends_with($l, ' LAST'))) === 1, true), "\n";
unlink($file);
$srv->stop();

echo "-- sendMany over 3 sessions: each message once, byte-exact; a partly and a wholly refused one\n";
$srv = SmtpTestServer::start(['chunking' => true,
	'fault' => ['reject_rcpt' => ['gone@y.test' => '550 5.1.1 <gone@y.test> no such user']]]);
$messages = [];
for ($i = 0; $i < 12; $i++) {
	$messages["m$i"] = dotty("many $i")->to("n$i@y.test");
}
$messages['partial'] = (new Smtp\Message())->from('shop@x.test')->to('gone@y.test')->cc('ok@y.test')->subject('partial')->text('p');
$messages['nobody'] = (new Smtp\Message())->from('shop@x.test')->to('gone@y.test')->subject('nobody')->text('n');
$messages['after'] = (new Smtp\Message())->from('shop@x.test')->to('after@y.test')->subject('after')->text('a');
$mailer = new Smtp\Mailer($srv->config());
$results = $mailer->sendMany($messages, concurrency: 3);
$mailer->close();
echo count(array_filter($results, fn($r) => $r instanceof Smtp\Receipt)), " receipts\n";
echo 'partial: ', json_encode($results['partial']->accepted), ' ', json_encode(array_keys($results['partial']->rejected)), "\n";
echo 'nobody: ', get_class($results['nobody']), ' ', $results['nobody']->smtpCode, "\n";
echo 'after: ', $results['after'] instanceof Smtp\Receipt ? 'Receipt' : get_class($results['after']), "\n";
$received = $srv->waitForMessages(14);
usleep(100000);
$received = $srv->messages();
$subjects = array_map(fn($m) => preg_match('/^Subject: (.*)\r$/m', $m['data'], $s) ? $s[1] : '?', $received);
echo count($received), " arrived, duplicates: ", count($subjects) - count(array_unique($subjects)), "\n";
$exact = 0;
foreach ($received as $got) {
	if (preg_match('/^Subject: many (\d+)\r$/m', $got['data'], $s) && $got['data'] === $messages['m' . $s[1]]->toString()) {
		$exact++;
	}
}
echo "byte-exact: $exact, all by BDAT: ", var_export(array_unique(array_column($received, 'transfer')) === ['BDAT'], true), "\n";
$commands = array_merge(...array_column($srv->waitForSessions(1), 'commands'));
echo "RSET after the refused transaction: ", var_export(in_array('RSET', $commands, true), true), "\n";
echo "DATA never: ", var_export(!in_array('DATA', $commands, true), true), "\n";
?>
--EXPECT--
-- {"chunking":true}
transcript BDAT lines: ["C: BDAT N LAST"]
transfer: BDAT, chunks: 1, byte-exact: true, stuffed lines: 0
one chunk of the message's size: true
commands: EHLO, MAIL FROM:<>, RCPT TO:<>, BDAT N LAST, QUIT
envelope pipelined: 2
-- {"chunking":false}
transcript BDAT lines: []
transfer: DATA, chunks: 0, byte-exact: true, stuffed lines: 3
commands: EHLO, MAIL FROM:<>, RCPT TO:<>, DATA, QUIT
envelope pipelined: 2
-- {"chunking":true,"pipelining":false}
transcript BDAT lines: []
transfer: DATA, chunks: 0, byte-exact: true, stuffed lines: 3
commands: EHLO, MAIL FROM:<>, RCPT TO:<>, DATA, QUIT
envelope pipelined: 0
-- a 3 MB attachment: several chunks, LAST on the final one
byte-exact: true
chunks: many, each at most 128 KB: true, they add up: true
only the last says LAST: true
-- sendMany over 3 sessions: each message once, byte-exact; a partly and a wholly refused one
14 receipts
partial: ["ok@y.test"] ["gone@y.test"]
nobody: Smtp\RecipientException 550
after: Receipt
14 arrived, duplicates: 0
byte-exact: 12, all by BDAT: true
RSET after the refused transaction: true
DATA never: true

--TEST--
sendMany when the server misbehaves: hangs up after each message, mid-DATA, stalls, says 421, refuses DATA or the message, is down, rejects the password; every message gets a Receipt or its own clear error, none is sent twice
--EXTENSIONS--
smtp
--FILE--
<?php
require __DIR__ . '/../inc/server.inc';

function batch(int $n, string $tag): array
{
	$messages = [];
	for ($i = 0; $i < $n; $i++) {
		$messages[] = (new Smtp\Message())->from('shop@x.test')->to("n$i@y.test")->subject("$tag $i")->text("body $i");
	}
	return $messages;
}

function show(array $results): void
{
	foreach ($results as $key => $r) {
		echo "  $key: ", $r instanceof Smtp\Receipt ? 'Receipt'
			: get_class($r) . ' code=' . $r->smtpCode . ' temporary=' . var_export($r->temporary, true), "\n";
	}
}

function arrived(SmtpTestServer $srv, int $expect): void
{
	$received = $srv->waitForMessages($expect);
	usleep(200000);
	$received = $srv->messages();
	$subjects = array_map(fn($m) => preg_match('/^Subject: (.*)\r$/m', $m['data'], $s) ? $s[1] : '?', $received);
	echo "  arrived: ", count($received), ", duplicates: ", count($subjects) - count(array_unique($subjects)), "\n";
}

echo "-- the server hangs up after every message: the next ones go on new sessions\n";
$srv = SmtpTestServer::start(['fault' => ['close_after_message' => true]]);
$results = (new Smtp\Mailer($srv->config()))->sendMany(batch(10, 'close'), concurrency: 3);
echo "  receipts: ", count(array_filter($results, fn($r) => $r instanceof Smtp\Receipt)), " of 10\n";
arrived($srv, 10);

echo "-- the first session hangs up in the middle of DATA\n";
$srv = SmtpTestServer::start(['fault' => ['disconnect_in_data' => 20, 'sessions' => 1]]);
$results = (new Smtp\Mailer($srv->config()))->sendMany(batch(4, 'drop'), concurrency: 1);
show($results);
echo "  ", $results[0]->getMessage(), "\n";
arrived($srv, 3);

echo "-- the first session never answers the end of DATA (timeout 1 s)\n";
$srv = SmtpTestServer::start(['fault' => ['stall' => 'DOT', 'sessions' => 1]]);
$start = microtime(true);
$results = (new Smtp\Mailer($srv->config(['timeout' => 1])))->sendMany(batch(3, 'stall'), concurrency: 1);
$took = microtime(true) - $start;
show($results);
printf("  gave up in time: %s\n", var_export($took < 5, true)); /* one timeout, not one per message */
arrived($srv, 2);

echo "-- the first session answers MAIL with 421: on a fresh connection that is the answer; the rest go on a new session\n";
$srv = SmtpTestServer::start(['fault' => ['reply' => ['MAIL' => 421], 'sessions' => 1]]);
$results = (new Smtp\Mailer($srv->config()))->sendMany(batch(3, '421'), concurrency: 1);
show($results);
arrived($srv, 2);

echo "-- DATA refused for everyone\n";
$srv = SmtpTestServer::start(['fault' => ['reply' => ['DATA' => '554 5.7.1 no thanks']]]);
$results = (new Smtp\Mailer($srv->config()))->sendMany(batch(2, 'data'), concurrency: 1);
show($results);
echo "  ", $results[1]->getMessage(), "\n";

echo "-- the first message refused at the end of DATA (451), the second taken\n";
$srv = SmtpTestServer::start(['fault' => ['data_reply' => 451, 'data_reply_count' => 1]]);
$results = (new Smtp\Mailer($srv->config()))->sendMany(batch(2, 'dot'), concurrency: 1);
show($results);
arrived($srv, 1);

echo "-- DATA answered 354 although every recipient was refused: only the final dot goes\n";
$srv = SmtpTestServer::start(['fault' => ['reject_rcpt' => ['gone@y.test' => 550], 'reply' => ['DATA' => '354 go ahead anyway']]]);
$lone = (new Smtp\Message())->from('shop@x.test')->to('gone@y.test')->subject('nobody')->text('never sent');
$results = (new Smtp\Mailer($srv->config()))->sendMany([$lone], concurrency: 1);
show($results);
$sent = array_filter($results[0]->transcript, fn($l) => str_starts_with($l, 'C: '));
echo "  after DATA: ", json_encode(array_slice(array_values($sent), -1)), "\n";

echo "-- nobody listens\n";
$port = SmtpTestServer::unusedPort();
$start = microtime(true);
$results = (new Smtp\Mailer(['host' => '127.0.0.1', 'port' => $port, 'encryption' => 'none', 'timeout' => 2]))
	->sendMany(batch(5, 'down'), concurrency: 2);
show(array_slice($results, 0, 2));
echo "  all five failed: ", var_export(count(array_filter($results, fn($r) => $r instanceof Smtp\ConnectionException)) === 5, true), "\n";
printf("  quickly: %s\n", var_export(microtime(true) - $start < 3, true)); /* not one connect per message */

echo "-- wrong password: nothing is sent, the credentials never show\n";
$srv = SmtpTestServer::start(['tls' => 'starttls', 'auth' => 'user:secret']);
$results = (new Smtp\Mailer($srv->config(['username' => 'user', 'password' => 'wrong-pass'])))
	->sendMany(batch(3, 'auth'), concurrency: 2);
show($results);
$text = implode("\n", $results[2]->transcript) . $results[2]->getMessage();
echo "  password in transcript: ", var_export(str_contains($text, 'wrong-pass'), true), "\n";

echo "-- a debug callable that throws stops the batch with its exception\n";
$srv = SmtpTestServer::start();
$lines = 0;
$mailer = new Smtp\Mailer($srv->config(['debug' => function (string $line) use (&$lines) {
	if (++$lines === 12) {
		throw new RuntimeException('enough');
	}
}]));
try {
	$mailer->sendMany(batch(5, 'debug'), concurrency: 1);
	echo "  no exception\n";
} catch (RuntimeException $e) {
	echo "  ", get_class($e), ': ', $e->getMessage(), "\n";
}
echo "  the mailer still works: ", get_class($mailer->sendMany(batch(1, 'again'))[0]), "\n";
?>
--EXPECTF--
-- the server hangs up after every message: the next ones go on new sessions
  receipts: 10 of 10
  arrived: 10, duplicates: 0
-- the first session hangs up in the middle of DATA
  0: Smtp\ConnectionException code=0 temporary=true
  1: Receipt
  2: Receipt
  3: Receipt
  Connection to 127.0.0.1:%d failed while sending the message: the server closed the connection
  arrived: 3, duplicates: 0
-- the first session never answers the end of DATA (timeout 1 s)
  0: Smtp\ConnectionException code=0 temporary=true
  1: Receipt
  2: Receipt
  gave up in time: true
  arrived: 2, duplicates: 0
-- the first session answers MAIL with 421: on a fresh connection that is the answer; the rest go on a new session
  0: Smtp\Exception code=421 temporary=true
  1: Receipt
  2: Receipt
  arrived: 2, duplicates: 0
-- DATA refused for everyone
  0: Smtp\Exception code=554 temporary=false
  1: Smtp\Exception code=554 temporary=false
  The server refused while starting the message (DATA): 554 5.7.1 no thanks
-- the first message refused at the end of DATA (451), the second taken
  0: Smtp\Exception code=451 temporary=true
  1: Receipt
  arrived: 1, duplicates: 0
-- DATA answered 354 although every recipient was refused: only the final dot goes
  0: Smtp\RecipientException code=550 temporary=false
  after DATA: ["C: ."]
-- nobody listens
  0: Smtp\ConnectionException code=0 temporary=true
  1: Smtp\ConnectionException code=0 temporary=true
  all five failed: true
  quickly: true
-- wrong password: nothing is sent, the credentials never show
  0: Smtp\AuthenticationException code=535 temporary=false
  1: Smtp\AuthenticationException code=535 temporary=false
  2: Smtp\AuthenticationException code=535 temporary=false
  password in transcript: false
-- a debug callable that throws stops the batch with its exception
  RuntimeException: enough
  the mailer still works: Smtp\Receipt

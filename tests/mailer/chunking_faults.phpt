--TEST--
CHUNKING faults: a chunk refused between chunks (4xx, 5xx), LAST refused, every recipient refused, a hang-up in the middle of a chunk, a server that hangs up after every message, a kept session the server closed; each message gets a Receipt or its own clear error, the failed transaction is reset, none is sent twice
--EXTENSIONS--
smtp
--FILE--
<?php
require __DIR__ . '/../inc/server.inc';

$file = tempnam(sys_get_temp_dir(), 'smtp-bdat');
file_put_contents($file, random_bytes(1 << 20)); /* ~1.4 MB encoded: 11 chunks or more */

function big(string $subject): Smtp\Message
{
	global $file;
	return (new Smtp\Message())->from('shop@x.test')->to('a@y.test')->subject($subject)->text('see attached')->attach($file, 'x.bin');
}

function small(string $subject): Smtp\Message
{
	return (new Smtp\Message())->from('shop@x.test')->to('a@y.test')->subject($subject)->text("body of $subject");
}

function show(array $results): void
{
	foreach ($results as $key => $r) {
		echo "  $key: ", $r instanceof Smtp\Receipt ? 'Receipt'
			: get_class($r) . ' code=' . $r->smtpCode . ' temporary=' . var_export($r->temporary, true) . ' "' . $r->getMessage() . '"', "\n";
	}
}

function arrived(SmtpTestServer $srv, int $expect): void
{
	$srv->waitForMessages($expect);
	usleep(200000);
	$subjects = array_map(fn($m) => preg_match('/^Subject: (.*)\r$/m', $m['data'], $s) ? $s[1] : '?', $srv->messages());
	echo "  arrived: ", implode(', ', $subjects), "; duplicates: ", count($subjects) - count(array_unique($subjects)), "\n";
}

function commands(SmtpTestServer $srv): array
{
	return array_merge(...array_column($srv->waitForSessions(1), 'commands'));
}

echo "-- the 3rd chunk is refused with 452: the message fails (temporary), the transaction is reset, the next message goes on the same session\n";
$srv = SmtpTestServer::start(['chunking' => true, 'fault' => ['bdat_reply' => [3 => 452]]]);
$mailer = new Smtp\Mailer($srv->config());
$results = $mailer->sendMany(['big' => big('big'), 'next' => small('next')], concurrency: 1);
$mailer->close();
show($results);
arrived($srv, 1);
$commands = commands($srv);
$rset = array_search('RSET', $commands, true);
echo "  RSET before the next MAIL: ", var_export($rset !== false && $rset < array_keys($commands, 'MAIL FROM:<shop@x.test>', true)[1], true), "\n";
echo "  sessions: ", count($srv->sessions()), "\n";

echo "-- the 1st chunk is refused with 554: permanent; the chunks already on their way are discarded by the server\n";
$huge = tempnam(sys_get_temp_dir(), 'smtp-bdat');
$h = fopen($huge, 'wb');
for ($i = 0; $i < 24; $i++) {
	fwrite($h, random_bytes(1 << 20));
}
fclose($h);
$srv = SmtpTestServer::start(['chunking' => true, 'fault' => ['bdat_reply' => [1 => 554]]]);
$mailer = new Smtp\Mailer($srv->config());
try {
	$mailer->send(small('refused')->attach($huge, 'huge.bin'));
} catch (Smtp\Exception $e) {
	echo "  ", get_class($e), " code=", $e->smtpCode, " temporary=", var_export($e->temporary, true), "\n";
	/* RFC 3030 2: after a refused chunk no further BDAT is sent (24 MB cannot all be on its way) */
	$lines = $e->transcript;
	$refusal = array_search('S: 554 5.7.1 Message rejected', $lines, true);
	$later = array_filter(array_slice($lines, $refusal), fn($l) => str_starts_with($l, 'C: BDAT'));
	echo "  BDAT after the refusal: ", count($later), ", LAST never sent: ",
		var_export(!preg_grep('/^C: BDAT \d+ LAST$/', $lines), true), "\n";
}
unlink($huge);
$mailer->send(small('after'));
echo "  the next message goes after RSET: ", var_export(in_array('C: RSET', $mailer->transcript(), true), true), "\n";
$mailer->close();
arrived($srv, 1);

echo "-- BDAT LAST refused (451 at the end), then every recipient refused\n";
$srv = SmtpTestServer::start(['chunking' => true, 'fault' => ['data_reply' => 451, 'data_reply_count' => 1,
	'reject_rcpt' => ['gone@y.test']]]);
$mailer = new Smtp\Mailer($srv->config());
foreach ([small('last refused'), small('nobody')->to('gone@y.test'), small('fine')] as $i => $m) {
	if ($i === 1) {
		$m = (new Smtp\Message())->from('shop@x.test')->to('gone@y.test')->subject('nobody')->text('n');
	}
	try {
		$mailer->send($m);
		echo "  Receipt\n";
	} catch (Smtp\Exception $e) {
		echo "  ", get_class($e), " code=", $e->smtpCode, " temporary=", var_export($e->temporary, true), "\n";
	}
}
$mailer->close();
arrived($srv, 1);
echo "  one session: ", count($srv->sessions()), "\n";

echo "-- the first session hangs up in the middle of a chunk: that message fails and is not retried; the rest go on a new session\n";
$srv = SmtpTestServer::start(['chunking' => true, 'fault' => ['disconnect_in_bdat' => 300000, 'sessions' => 1]]);
$mailer = new Smtp\Mailer($srv->config());
$results = $mailer->sendMany(['big' => big('cut'), 'a' => small('a'), 'b' => small('b')], concurrency: 1);
$mailer->close();
/* Whether our next write meets the reset or our next read meets the EOF first is the
 * kernel's race: both wordings name the same outcome (a temporary connection failure). */
$big = $results['big'];
echo "  big: ", get_class($big), " temporary=", var_export($big->temporary ?? null, true), " while sending, lost connection: ",
	var_export((bool) preg_match('/failed while sending the message: (the server closed the connection|the connection broke while sending)$/', $big->getMessage()), true), "\n";
unset($results['big']);
show($results);
arrived($srv, 2);

echo "-- the server hangs up after every message: 10 messages over 3 sessions, none twice\n";
$srv = SmtpTestServer::start(['chunking' => true, 'fault' => ['close_after_message' => true]]);
$batch = [];
for ($i = 0; $i < 10; $i++) {
	$batch[] = small("close $i");
}
$results = (new Smtp\Mailer($srv->config()))->sendMany($batch, concurrency: 3);
/* A server that closes with our next commands unread resets the connection, and
 * the reset can overtake its last reply: such a message failed with a connection
 * error though it may have arrived (it is never sent again to find out). */
$unclear = array_filter($results, fn($r) => $r instanceof Smtp\ConnectionException && str_contains($r->getMessage(), 'the connection broke'));
echo "  receipts or 'may have arrived': ", count(array_filter($results, fn($r) => $r instanceof Smtp\Receipt)) + count($unclear), " of 10\n";
$srv->waitForMessages(10);
usleep(200000);
$subjects = array_map(fn($m) => preg_match('/^Subject: (.*)\r$/m', $m['data'], $s) ? $s[1] : '?', $srv->messages());
$receipted = array_map(fn($k) => "close $k", array_keys(array_filter($results, fn($r) => $r instanceof Smtp\Receipt)));
echo "  duplicates: ", count($subjects) - count(array_unique($subjects)), ", every receipt arrived: ",
	var_export(!array_diff($receipted, $subjects), true), "\n";

echo "-- a kept-alive session the server closed in between: the next message sees it before sending and goes on a new one\n";
$srv = SmtpTestServer::start(['chunking' => true, 'fault' => ['idle_timeout' => 0.3]]);
$mailer = new Smtp\Mailer($srv->config());
$mailer->send(small('first'));
usleep(800000);
$mailer->send(small('second'));
echo "  ", implode("\n  ", array_filter($mailer->transcript(), fn($l) => str_starts_with($l, 'S: 421') || str_contains($l, 'kept-alive'))), "\n";
$mailer->close();
arrived($srv, 2);
unlink($file);
?>
--EXPECTF--
-- the 3rd chunk is refused with 452: the message fails (temporary), the transaction is reset, the next message goes on the same session
  big: Smtp\Exception code=452 temporary=true "The server refused while sending the message: 452 4.3.1 Insufficient system storage"
  next: Receipt
  arrived: next; duplicates: 0
  RSET before the next MAIL: true
  sessions: 1
-- the 1st chunk is refused with 554: permanent; the chunks already on their way are discarded by the server
  Smtp\Exception code=554 temporary=false
  BDAT after the refusal: 0, LAST never sent: true
  the next message goes after RSET: true
  arrived: after; duplicates: 0
-- BDAT LAST refused (451 at the end), then every recipient refused
  Smtp\Exception code=451 temporary=true
  Smtp\RecipientException code=550 temporary=false
  Receipt
  arrived: fine; duplicates: 0
  one session: 1
-- the first session hangs up in the middle of a chunk: that message fails and is not retried; the rest go on a new session
  big: Smtp\ConnectionException temporary=true while sending, lost connection: true
  a: Receipt
  b: Receipt
  arrived: a, b; duplicates: 0
-- the server hangs up after every message: 10 messages over 3 sessions, none twice
  receipts or 'may have arrived': 10 of 10
  duplicates: 0, every receipt arrived: true
-- a kept-alive session the server closed in between: the next message sees it before sending and goes on a new one
  S: 421 4.4.2 smtp.test Error: timeout exceeded
  * kept-alive connection was closed by the server; reconnecting
  arrived: first, second; duplicates: 0

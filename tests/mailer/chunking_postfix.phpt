--TEST--
CHUNKING against a real Postfix (Debian's, a private instance on a free port relaying to our capture server): BDAT pipelined with the envelope, large messages in chunks, a message over Postfix's size limit refused and the session going on, every message delivered once and intact
--EXTENSIONS--
smtp
--SKIPIF--
<?php
if (!is_executable('/usr/sbin/postfix')) die('skip postfix is not installed (scripts/deps.sh core)');
if (trim((string) shell_exec('id -u')) !== '0') die('skip a private Postfix needs root');
?>
--FILE--
<?php
require __DIR__ . '/../inc/server.inc';

$relay = SmtpTestServer::start();
$dir = sys_get_temp_dir() . '/smtp-postfix-' . bin2hex(random_bytes(6));
$script = dirname(__DIR__) . '/server/postfix_chunking.sh';
$port = trim((string) shell_exec('env -u LD_PRELOAD -u ASAN_OPTIONS -u LSAN_OPTIONS -u UBSAN_OPTIONS ' . escapeshellarg($script) . ' start ' . escapeshellarg($dir) . " $relay->port 2>&1"), "\n");
register_shutdown_function(function () use ($script, $dir) {
	shell_exec('env -u LD_PRELOAD ' . escapeshellarg($script) . ' stop ' . escapeshellarg($dir));
	shell_exec('rm -rf ' . escapeshellarg($dir));
});
if (!ctype_digit($port)) {
	die("Postfix did not start: $port\n");
}

$file = tempnam(sys_get_temp_dir(), 'smtp-bdat');
file_put_contents($file, random_bytes(1 << 20)); /* ~1.4 MB encoded: several chunks */
$messages = [
	'dots' => (new Smtp\Message())->from('shop@x.test')->to('a@y.test')->subject('dots')->text(".leading dot\n.\nmiddle\n..two dots\nend"),
	'big' => (new Smtp\Message())->from('shop@x.test')->to('b@y.test')->subject('big')->text('see attached')->attach($file, 'x.bin'),
];
for ($i = 0; $i < 6; $i++) {
	$messages["m$i"] = (new Smtp\Message())->from('shop@x.test')->to("n$i@y.test")->subject("many $i")->text("body $i");
}

$mailer = new Smtp\Mailer(['host' => '127.0.0.1', 'port' => (int) $port, 'encryption' => 'none']);
$receipt = $mailer->send($messages['dots']);
$lines = $mailer->transcript();
echo "offered: ", var_export(in_array('S: 250-PIPELINING', $lines, true) && (in_array('S: 250 CHUNKING', $lines, true) || in_array('S: 250-CHUNKING', $lines, true)), true), "\n";
echo "sent as: ", implode(', ', array_map(fn($l) => preg_replace(['/<[^>]*>/', '/\d+/'], ['<>', 'N'], $l), preg_grep('/^C: (MAIL|RCPT|BDAT|DATA)/', $lines))), "\n";
echo "reply: ", preg_replace(['/queued as \w+/', '/\d+ bytes/'], ['queued as X', 'N bytes'], $receipt->response), "\n";

$receipt = $mailer->send($messages['big']);
$bdat = preg_grep('/^C: BDAT/', $mailer->transcript());
echo "big: ", count($bdat) > 5 ? 'several' : count($bdat), " chunks, LAST once: ", count(preg_grep('/ LAST$/', $bdat)), "\n";

/* over message_size_limit: refused (at MAIL for its SIZE, or at a chunk), and the session goes on */
$huge = tempnam(sys_get_temp_dir(), 'smtp-bdat');
file_put_contents($huge, random_bytes(4 << 20));
try {
	$mailer->send((new Smtp\Message())->from('shop@x.test')->to('c@y.test')->subject('huge')->text('x')->attach($huge, 'h.bin'));
	echo "huge: sent?\n";
} catch (Smtp\Exception $e) {
	echo "huge: ", $e->smtpCode, " ", $e->enhancedStatus, "\n";
}
unlink($huge);

$many = array_filter($messages, fn($k) => str_starts_with($k, 'm'), ARRAY_FILTER_USE_KEY);
$results = $mailer->sendMany($many, concurrency: 2);
echo "sendMany: ", count(array_filter($results, fn($r) => $r instanceof Smtp\Receipt)), " receipts of ", count($many), "\n";
$mailer->close();

/* Postfix relays to the capture server: each arrives once, our bytes intact after its Received: field */
$received = $relay->waitForMessages(8, 30);
$subjects = array_map(fn($m) => preg_match('/^Subject: (.*)\r$/m', $m['data'], $s) ? $s[1] : '?', $received);
sort($subjects);
echo "relayed: ", implode(', ', $subjects), "\n";
$intact = 0;
foreach ($received as $m) {
	preg_match('/^Subject: (.*)\r$/m', $m['data'], $s);
	$key = ['dots' => 'dots', 'big' => 'big'][$s[1]] ?? 'm' . substr($s[1], 5);
	$intact += str_ends_with($m['data'], "\r\n" . $messages[$key]->toString()) ? 1 : 0;
}
echo "intact: $intact\n";
unlink($file);
?>
--EXPECT--
offered: true
sent as: C: MAIL FROM:<>, C: RCPT TO:<>, C: BDAT N LAST
reply: 250 2.0.0 Ok: N bytes queued as X
big: several chunks, LAST once: 1
huge: 552 5.3.4
sendMany: 6 receipts of 6
relayed: big, dots, many 0, many 1, many 2, many 3, many 4, many 5
intact: 8

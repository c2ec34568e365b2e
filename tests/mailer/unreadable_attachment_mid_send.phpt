--TEST--
An attachment that fails to read half-way through the message (/proc/self/mem: opens, then EIO): the connection is dropped before the final dot, so the server keeps nothing; the message fails with the file's error, the next ones go, through send() and sendMany()
--EXTENSIONS--
smtp
--SKIPIF--
<?php if (!is_readable('/proc/self/mem')) die('skip needs /proc/self/mem'); ?>
--FILE--
<?php
require __DIR__ . '/../inc/server.inc';
$srv = SmtpTestServer::start();
$mailer = new Smtp\Mailer($srv->config());
$bad = (new Smtp\Message())->from('shop@x.test')->to('ann@y.test')->subject('bad')->text(str_repeat("line\n", 100))
	->attach('/proc/self/mem', 'memory.bin');
$good = fn($n) => (new Smtp\Message())->from('shop@x.test')->to('ann@y.test')->subject("good $n")->text('x');
try {
	$mailer->send($bad);
	echo "sent?!\n";
} catch (Smtp\Exception $e) {
	echo "send: ", get_class($e), " temporary=", var_export($e->temporary, true), ": ", $e->getMessage(), "\n";
}
echo "send after it: ", get_class($mailer->send($good(0))), "\n";
foreach ($mailer->sendMany([$good(1), $bad, $good(2)], 1) as $r) {
	echo "  sendMany: ", $r instanceof Smtp\Receipt ? 'Receipt' : get_class($r), "\n";
}
$mailer->close();
$srv->waitForSessions(1);
$subjects = array_map(fn($m) => preg_match('/^Subject: (.*)\r$/m', $m['data'], $s) ? $s[1] : '?', $srv->messages());
sort($subjects);
echo "arrived: ", implode(', ', $subjects), "\n";
?>
--EXPECTF--
send: Smtp\Exception temporary=false: Reading the message failed, nothing was sent: cannot read attachment /proc/%d/mem: Input/output error
send after it: Smtp\Receipt
  sendMany: Receipt
  sendMany: Smtp\Exception
  sendMany: Receipt
arrived: good 0, good 1, good 2

--TEST--
Re-entry: an error handler fired by the extension's own warning in the middle of a send (smtp.log cannot be written: raised after each message, mid-batch in sendMany) cannot close or re-use the sending Mailer, for send, sendRaw, sendMany and Spool::flush; mail() called from the handler during a mail() still sends (a mailer of its own), even after ini_set() changed the relay
--EXTENSIONS--
smtp
--INI--
smtp.override_mail=1
smtp.encryption=none
smtp.from=site@x.test
sendmail_path=/bin/false
smtp.log=/nonexistent-php-smtp-dir/smtp.log
--FILE--
<?php
require __DIR__ . '/reentry.inc';
$srv = SmtpTestServer::start([]);
$other = SmtpTestServer::start([]);
$refusing = SmtpTestServer::start(['fault' => ['data_reply' => 451]]);
$spoolDir = spool_test_dir();
$spool = new Smtp\Spool($spoolDir);

$mailer = null;
$calls = [ /* by reference: each runs against the Mailer of its round */
	'close' => function () use (&$mailer) { return $mailer->close(); },
	'send' => function () use (&$mailer) { return $mailer->send(reentry_message('inner')); },
	'sendRaw' => function () use (&$mailer) { return $mailer->sendRaw('a@x.test', 'b@y.test', "Subject: inner\r\n\r\nx\r\n"); },
	'sendMany' => function () use (&$mailer) { return $mailer->sendMany([reentry_message('inner')]); },
	'Spool::flush' => function () use (&$mailer, $spool) { return $spool->flush($mailer, force: true); },
];
$seen = [];
function on_warning(callable $action): void
{
	set_error_handler(function (int $no, string $text) use ($action) {
		global $seen;
		if (!str_contains($text, 'Could not open the mail log')) {
			$seen[] = 'another warning: ' . substr($text, 0, 28);
			return true;
		}
		try {
			$r = $action();
			$seen[] = 'returned ' . get_debug_type($r);
		} catch (Smtp\Exception $e) {
			$seen[] = str_starts_with($e->getMessage(), 'this Mailer is sending') ? 'refused' : $e->getMessage();
		}
		return true;
	});
}
function report(string $what, $result): void
{
	global $seen;
	$ok = is_array($result) ? count(array_filter($result, fn($r) => $r instanceof Smtp\Receipt)) . ' Receipts'
		: (is_string($result) ? $result : get_debug_type($result));
	$counted = array_count_values($seen);
	ksort($counted);
	echo "$what: ", $ok, '; handler: ', json_encode($counted), "\n";
	$seen = [];
}

foreach ($calls as $name => $call) {
	on_warning($call);
	$mailer = new Smtp\Mailer($srv->config());
	report("send, handler calls $name", $mailer->send(reentry_message("send $name")));
	report("sendRaw, handler calls $name", $mailer->sendRaw('a@x.test', 'b@y.test', "Subject: raw $name\r\n\r\nx\r\n"));
	report("sendMany, handler calls $name", $mailer->sendMany([reentry_message("many $name 1"),
		reentry_message("many $name 2"), reentry_message("many $name 3")], 2));
	/* a message for the flush: queued while the relay was down */
	$down = new Smtp\Mailer(spool_test_down_relay($spoolDir));
	set_error_handler(fn() => true);
	$down->sendRaw('a@x.test', 'b@y.test', "Subject: flushed $name\r\n\r\nx\r\n");
	on_warning($call);
	$summary = $spool->flush($mailer, force: true);
	report("Spool::flush, handler calls $name", "sent $summary[sent]");
	set_error_handler(fn() => true);
	$mailer->sendRaw('a@x.test', 'b@y.test', "Subject: after $name\r\n\r\nx\r\n");
}

/* mail() from the handler of a warning mail() raised while sending */
ini_set('smtp.host', $srv->host);
ini_set('smtp.port', (string) $srv->port);
on_warning(fn() => @mail('b@y.test', 'nested', 'x'));
var_dump(mail('b@y.test', 'outer', 'x'));
report('mail(), handler calls mail()', smtp_last_result()['ok']);
/* the nested call changes the relay, so mail()'s request mailer is replaced
 * while the outer mail() (a 451: a failure, spool consulted) is still using it */
ini_set('smtp.port', (string) $refusing->port);
on_warning(function () use ($other) {
	ini_set('smtp.port', (string) $other->port);
	return @mail('b@y.test', 'nested elsewhere', 'x');
});
var_dump(@mail('b@y.test', 'refused', 'x'));
report('mail() refused, handler moves the relay and calls mail()', smtp_last_result()['ok']);
restore_error_handler();

$subjects = fn($s, $n) => array_map(fn($m) => preg_match('/^Subject: (.*)$/m', $m['data'], $x) ? rtrim($x[1]) : '?',
	$s->waitForMessages($n));
$got = $subjects($srv, 5 * 7 + 2); /* five rounds of 7 (1 + 1 + 3 + 1 flushed + 1 after), 2 mail() */
echo count($got), " at the relay, ", count(array_unique($got)), " different, inner: ", count(array_keys($got, 'inner')), "\n";
echo implode(', ', $subjects($other, 1)), "\n";
?>
--EXPECT--
send, handler calls close: Smtp\Receipt; handler: {"refused":1}
sendRaw, handler calls close: Smtp\Receipt; handler: {"refused":1}
sendMany, handler calls close: 3 Receipts; handler: {"refused":3}
Spool::flush, handler calls close: sent 1; handler: {"refused":1}
send, handler calls send: Smtp\Receipt; handler: {"refused":1}
sendRaw, handler calls send: Smtp\Receipt; handler: {"refused":1}
sendMany, handler calls send: 3 Receipts; handler: {"refused":3}
Spool::flush, handler calls send: sent 1; handler: {"refused":1}
send, handler calls sendRaw: Smtp\Receipt; handler: {"refused":1}
sendRaw, handler calls sendRaw: Smtp\Receipt; handler: {"refused":1}
sendMany, handler calls sendRaw: 3 Receipts; handler: {"refused":3}
Spool::flush, handler calls sendRaw: sent 1; handler: {"refused":1}
send, handler calls sendMany: Smtp\Receipt; handler: {"refused":1}
sendRaw, handler calls sendMany: Smtp\Receipt; handler: {"refused":1}
sendMany, handler calls sendMany: 3 Receipts; handler: {"refused":3}
Spool::flush, handler calls sendMany: sent 1; handler: {"refused":1}
send, handler calls Spool::flush: Smtp\Receipt; handler: {"refused":1}
sendRaw, handler calls Spool::flush: Smtp\Receipt; handler: {"refused":1}
sendMany, handler calls Spool::flush: 3 Receipts; handler: {"refused":3}
Spool::flush, handler calls Spool::flush: sent 1; handler: {"refused":1}
bool(true)
mail(), handler calls mail(): bool; handler: {"returned bool":1}
bool(false)
mail() refused, handler moves the relay and calls mail(): bool; handler: {"another warning: mail(): SMTP delivery failed":1,"returned bool":1}
37 at the relay, 37 different, inner: 0
nested elsewhere

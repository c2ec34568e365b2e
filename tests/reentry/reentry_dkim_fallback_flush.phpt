--TEST--
Re-entry: the other send paths refuse re-entry too: a DKIM-signed send, the fallback relay (its switch line and its own session), and Spool::flush() whose debug callable calls Spool::flush(), close() or send() on the flushing Mailer; each still delivers, the signed message verifies
--EXTENSIONS--
smtp
--FILE--
<?php
require __DIR__ . '/reentry.inc';
require __DIR__ . '/../dkim/dkim.inc';
$srv = SmtpTestServer::start([]);
$spoolDir = spool_test_dir();
$spool = new Smtp\Spool($spoolDir);
$seen = [];
/* a debug callable that tries the Mailer at each line that starts with one of $at */
function trying(array $at, array $calls): Closure
{
	return function (string $line) use ($at, $calls) {
		global $seen;
		foreach ($at as $prefix) {
			if (str_starts_with($line, $prefix)) {
				foreach ($calls as $name => $call) {
					try {
						$call();
						$seen[] = "$prefix $name: returned";
					} catch (Smtp\Exception $e) {
						$seen[] = "$prefix $name: " . (str_starts_with($e->getMessage(), 'this Mailer is sending') ? 'refused' : $e->getMessage());
					}
				}
			}
		}
	};
}
$mailer = null;
$calls = [
	'close' => function () use (&$mailer) { $mailer->close(); },
	'send' => function () use (&$mailer) { $mailer->send(reentry_message('inner')); },
	'Spool::flush' => function () use (&$mailer, $spool) { $spool->flush($mailer, force: true); },
];

/* DKIM: the signature is made before the session and held while it runs */
$dkim = dkim_config('rsa');
$mailer = new Smtp\Mailer($srv->config(['dkim' => $dkim, 'debug' => trying(['C: MAIL', 'S: 354'], $calls)]));
echo get_debug_type($mailer->send(reentry_message('signed'))), "\n";

/* the fallback relay: the primary is down, the fallback takes it */
$mailer = new Smtp\Mailer(['host' => '127.0.0.1', 'port' => SmtpTestServer::unusedPort(), 'encryption' => 'none',
	'timeout' => 2, 'fallback' => $srv->config(), 'debug' => trying(['* relay', 'C: RCPT'], $calls)]);
echo get_debug_type($mailer->sendRaw('a@x.test', 'b@y.test', "Subject: via the fallback\r\n\r\nx\r\n")), "\n";

/* Spool::flush: two queued messages, the flushing Mailer's callable tries it */
$down = new Smtp\Mailer(spool_test_down_relay($spoolDir));
foreach (['flushed 1', 'flushed 2'] as $subject) {
	var_dump($down->sendRaw('a@x.test', 'b@y.test', "Subject: $subject\r\n\r\nx\r\n")->queued);
}
$mailer = new Smtp\Mailer($srv->config(['debug' => trying(['C: MAIL'], $calls)]));
$summary = $spool->flush($mailer, force: true);
echo "flush: sent $summary[sent], remaining $summary[remaining]\n";
echo "sends again: ", get_debug_type($mailer->sendRaw('a@x.test', 'b@y.test', "Subject: after\r\n\r\nx\r\n")), "\n";

$counted = array_count_values($seen);
ksort($counted);
foreach ($counted as $what => $n) {
	echo "$n x $what\n";
}
$got = [];
foreach ($srv->waitForMessages(5) as $m) {
	preg_match('/^Subject: (.*)$/m', $m['data'], $x);
	$got[rtrim($x[1])] = $m['data'];
}
ksort($got);
echo implode(', ', array_keys($got)), "\n";
$v = dkim_verify([$dkim['selector'] . '._domainkey.' . $dkim['domain'] => Smtp\Dkim::dnsRecord($dkim['key'])], $got['signed']);
echo 'DKIM: ', $v['ok'] ? 'pass' : 'FAIL', ' ', implode(' ', $v['results']), "\n";
/* the last Mailer and its debug callable reach each other (through $calls):
 * let go of it here, not as a cycle left to the end of the script */
$mailer = null;
?>
--EXPECT--
Smtp\Receipt
Smtp\Receipt
bool(true)
bool(true)
flush: sent 2, remaining 0
sends again: Smtp\Receipt
1 x * relay Spool::flush: refused
1 x * relay close: refused
1 x * relay send: refused
4 x C: MAIL Spool::flush: refused
4 x C: MAIL close: refused
4 x C: MAIL send: refused
1 x C: RCPT Spool::flush: refused
1 x C: RCPT close: refused
1 x C: RCPT send: refused
1 x S: 354 Spool::flush: refused
1 x S: 354 close: refused
1 x S: 354 send: refused
after, flushed 1, flushed 2, signed, via the fallback
DKIM: pass pass a=rsa-sha256 d=example.com s=rsa

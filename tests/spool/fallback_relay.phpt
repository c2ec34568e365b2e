--TEST--
fallback relay: refused primary or 451 at DATA -> the fallback delivers (the transcript names the switch); 554 -> thrown, fallback never contacted; both down + spool -> queued
--EXTENSIONS--
smtp
--INI--
sendmail_path=/bin/false
--FILE--
<?php
require __DIR__ . '/spool.inc';
$raw = "Subject: fb\r\nMessage-ID: <fb-1@x.test>\r\n\r\nbody\r\n";
$fallback = SmtpTestServer::start();

echo "-- primary port refused\n";
$lines = [];
$mailer = new Smtp\Mailer(['host' => '127.0.0.1', 'port' => SmtpTestServer::unusedPort(), 'encryption' => 'none',
	'timeout' => 2, 'fallback' => $fallback->config(), 'debug' => function ($l) use (&$lines) { $lines[] = $l; }]);
$r = $mailer->sendRaw('a@x.test', 'b@y.test', $raw);
var_dump($r->queued, $r->accepted, str_starts_with($r->response, '250'));
$switch = array_values(array_filter($mailer->transcript(), fn($l) => str_contains($l, 'trying the fallback relay')));
var_dump(count($switch), str_contains($switch[0], "127.0.0.1:$fallback->port"));
var_dump(in_array($switch[0], $lines, true)); /* the debug callable heard about it too */
var_dump(count($fallback->waitForMessages(1)), $fallback->messages()[0]['data'] === $raw);

echo "-- primary 451 at DATA\n";
$primary = SmtpTestServer::start(['fault' => ['data_reply' => 451]]);
$mailer = new Smtp\Mailer($primary->config(['fallback' => $fallback->dsn()]));
$message = (new Smtp\Message())->from('shop@x.test')->to('ann@y.test')->subject('via fallback')->text('hello');
$r = $mailer->send($message);
var_dump($r->queued, $r->accepted, $r->messageId === $message->messageId());
$t = $mailer->transcript();
$at = array_search(true, array_map(fn($l) => str_contains($l, 'trying the fallback relay'), $t), true);
var_dump($at !== false, str_contains(implode("\n", array_slice($t, 0, $at)), '451'));
var_dump(count($primary->messages()), count($fallback->waitForMessages(2)));
var_dump(str_contains($fallback->messages()[1]['data'], 'Subject: via fallback'));

echo "-- primary 554: permanent, the fallback is never contacted\n";
$watch = SmtpTestServer::start();
$primary554 = SmtpTestServer::start(['fault' => ['data_reply' => 554]]);
$mailer = new Smtp\Mailer($primary554->config(['fallback' => $watch->config()]));
try {
	$mailer->sendRaw('a@x.test', 'b@y.test', $raw);
	echo "no exception\n";
} catch (Smtp\Exception $e) {
	var_dump($e->smtpCode, $e->temporary);
}
usleep(200000);
var_dump(count($watch->sessions()), count($watch->messages()));

echo "-- some recipients accepted by the primary: no second relay\n";
$partial = SmtpTestServer::start(['fault' => ['reject_rcpt' => ['c@y.test' => '450 4.2.1 busy']]]);
$mailer = new Smtp\Mailer($partial->config(['fallback' => $watch->config()]));
$r = $mailer->sendRaw('a@x.test', ['b@y.test', 'c@y.test'], $raw);
var_dump($r->accepted, array_keys($r->rejected), count($watch->sessions()));

echo "-- both down, with a spool: queued\n";
$dir = spool_test_dir();
$mailer = new Smtp\Mailer(spool_test_down_relay($dir) + ['fallback' => ['host' => '127.0.0.1',
	'port' => SmtpTestServer::unusedPort(), 'encryption' => 'none', 'timeout' => 2]]);
$r = $mailer->sendRaw('a@x.test', 'b@y.test', $raw);
var_dump($r->queued, str_contains($r->response, 'fallback relay'));
$spool = new Smtp\Spool($dir);
var_dump(count($spool), str_contains($spool->messages()[0]['last_error'], 'fallback relay'));

echo "-- both down, no spool: one exception naming both\n";
$mailer = new Smtp\Mailer(['host' => '127.0.0.1', 'port' => SmtpTestServer::unusedPort(), 'encryption' => 'none',
	'timeout' => 2, 'fallback' => ['host' => '127.0.0.1', 'port' => SmtpTestServer::unusedPort(), 'encryption' => 'none']]);
try {
	$mailer->sendRaw('a@x.test', 'b@y.test', $raw);
} catch (Smtp\ConnectionException $e) {
	var_dump($e->temporary, substr_count($e->getMessage(), 'onnect') >= 2);
}
?>
--EXPECT--
-- primary port refused
bool(false)
array(1) {
  [0]=>
  string(8) "b@y.test"
}
bool(true)
int(1)
bool(true)
bool(true)
int(1)
bool(true)
-- primary 451 at DATA
bool(false)
array(1) {
  [0]=>
  string(10) "ann@y.test"
}
bool(true)
bool(true)
bool(true)
int(0)
int(2)
bool(true)
-- primary 554: permanent, the fallback is never contacted
int(554)
bool(false)
int(0)
int(0)
-- some recipients accepted by the primary: no second relay
array(1) {
  [0]=>
  string(8) "b@y.test"
}
array(1) {
  [0]=>
  string(8) "c@y.test"
}
int(0)
-- both down, with a spool: queued
bool(true)
bool(true)
int(1)
bool(true)
-- both down, no spool: one exception naming both
bool(true)
bool(true)

--TEST--
sendMany with a spool: a temporary failure of one message is queued (a queued Receipt in its slot), a 5xx stays an exception, the others are sent; with a fallback relay the temporary failure goes there instead
--EXTENSIONS--
smtp
--INI--
sendmail_path=/bin/false
--FILE--
<?php
require __DIR__ . '/spool.inc';
$dir = spool_test_dir();
$srv = SmtpTestServer::start(['fault' => ['reject_rcpt' => ['busy@y.test' => '451 4.3.0 try later', 'gone@y.test' => '550 5.1.1 no such user']]]);
$mailer = new Smtp\Mailer($srv->config(['spool' => $dir]));
$make = fn($to) => (new Smtp\Message())->from('shop@x.test')->to($to)->subject("to $to")->text('hi');
$messages = ['a' => $make('ok1@y.test'), 'b' => $make('busy@y.test'), 'c' => $make('gone@y.test'), 'd' => $make('ok2@y.test')];
$results = $mailer->sendMany($messages, concurrency: 2);
foreach ($results as $key => $r) {
	echo $key, ': ', $r instanceof Smtp\Receipt ? ($r->queued ? 'queued' : 'sent') : get_class($r) . ' ' . $r->smtpCode, "\n";
}
var_dump($results['b']->messageId === $messages['b']->messageId());
$spool = new Smtp\Spool($dir);
$queued = $spool->messages();
var_dump(count($queued), $queued[0]['recipients'], str_contains($queued[0]['last_error'], '451'));
var_dump(count($srv->waitForMessages(2)));

echo "-- with a fallback relay\n";
$fallback = SmtpTestServer::start();
$mailer = new Smtp\Mailer($srv->config(['spool' => $dir, 'fallback' => $fallback->config()]));
$results = $mailer->sendMany(['x' => $make('busy@y.test'), 'y' => $make('ok3@y.test')]);
foreach ($results as $key => $r) {
	echo $key, ': ', $r instanceof Smtp\Receipt ? ($r->queued ? 'queued' : 'sent') : get_class($r), "\n";
}
var_dump(count($spool), count($fallback->waitForMessages(1)), $fallback->messages()[0]['rcpt_tos']);

echo "-- the queued one is sent by a flush, once\n";
$s = $spool->flush(new Smtp\Mailer($fallback->config()), force: true);
echo "sent=$s[sent] remaining=$s[remaining]\n";
$last = $fallback->waitForMessages(2)[1];
var_dump($last['rcpt_tos'], substr_count($last['data'], 'Subject: to busy@y.test'));
?>
--EXPECT--
a: sent
b: queued
c: Smtp\RecipientException 550
d: sent
bool(true)
int(1)
array(1) {
  [0]=>
  string(11) "busy@y.test"
}
bool(true)
int(2)
-- with a fallback relay
x: sent
y: sent
int(1)
int(1)
array(1) {
  [0]=>
  string(11) "busy@y.test"
}
-- the queued one is sent by a flush, once
sent=1 remaining=0
array(1) {
  [0]=>
  string(11) "busy@y.test"
}
int(1)

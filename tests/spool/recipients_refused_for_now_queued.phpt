--TEST--
spool: a message that went to some recipients while others were refused for now (a 4xx to their RCPT) is not lost for them: they alone are queued, and a flush delivers to them only; a 5xx refusal is final and never queued
--EXTENSIONS--
smtp
--INI--
sendmail_path=/bin/false
--FILE--
<?php
require __DIR__ . '/spool.inc';
$dir = spool_test_dir();
$raw = "Subject: t\r\nMessage-ID: <t-2@x.test>\r\n\r\nbody\r\n";
$srv = SmtpTestServer::start(['fault' => ['sessions' => 1,
	'reject_rcpt' => ['busy@y.test' => 450, 'gone@y.test' => 550]]]);
$mailer = new Smtp\Mailer($srv->config(['spool' => $dir]));
$r = $mailer->sendRaw('a@x.test', ['ok@y.test', 'busy@y.test', 'gone@y.test'], $raw);
var_dump($r->queued, $r->accepted, $r->rejected);
echo implode("\n", preg_grep('/queued in the spool/', $mailer->transcript())), "\n";
$spool = new Smtp\Spool($dir);
$queued = $spool->messages();
var_dump(count($queued), $queued[0]['recipients'], str_starts_with($queued[0]['last_error'], '450 '));

/* the next session has no faults: the flush delivers to the one queued */
$mailer->close();
$s = $spool->flush($mailer, force: true);
echo "sent=$s[sent] deferred=$s[deferred] remaining=$s[remaining]\n";
$got = array_map(fn($m) => $m['rcpt_tos'], $srv->waitForMessages(2));
var_dump($got, $srv->messages()[1]['data'] === $raw);
?>
--EXPECTF--
bool(false)
array(1) {
  [0]=>
  string(9) "ok@y.test"
}
array(2) {
  ["busy@y.test"]=>
  string(%d) "450 4.2.1 Mailbox temporarily unavailable"
  ["gone@y.test"]=>
  string(%d) "550 5.1.1 Mailbox unavailable"
}
* 1 recipient(s) refused for now were queued in the spool as %s
int(1)
array(1) {
  [0]=>
  string(11) "busy@y.test"
}
bool(true)
sent=1 deferred=0 remaining=0
array(2) {
  [0]=>
  array(1) {
    [0]=>
    string(9) "ok@y.test"
  }
  [1]=>
  array(1) {
    [0]=>
    string(11) "busy@y.test"
  }
}
bool(true)

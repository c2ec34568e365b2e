--TEST--
spool: a 451 at the end of DATA is spooled (queued Receipt) and retried; a 554 is thrown and never spooled
--EXTENSIONS--
smtp
--INI--
sendmail_path=/bin/false
--FILE--
<?php
require __DIR__ . '/spool.inc';
$dir = spool_test_dir();
$raw = "Subject: t\r\nMessage-ID: <t-1@x.test>\r\n\r\nbody\r\n";

/* 451 for the first message only: the retry is accepted */
$srv = SmtpTestServer::start(['fault' => ['data_reply' => 451, 'data_reply_count' => 1]]);
$mailer = new Smtp\Mailer($srv->config(['spool' => $dir]));
$r = $mailer->sendRaw('a@x.test', 'b@y.test', $raw);
var_dump($r->queued, str_contains($r->response, '451'));
$spool = new Smtp\Spool($dir);
var_dump(count($spool), count($srv->messages()));
var_dump(str_contains($spool->messages()[0]['last_error'], '451 4.3.0'));
$s = $spool->flush($mailer, force: true);
echo "sent=$s[sent] deferred=$s[deferred] remaining=$s[remaining]\n";
var_dump(count($srv->waitForMessages(1)), $srv->messages()[0]['data'] === $raw);

/* 554: permanent, thrown as before, nothing spooled */
$srv2 = SmtpTestServer::start(['fault' => ['data_reply' => 554]]);
$mailer2 = new Smtp\Mailer($srv2->config(['spool' => $dir]));
try {
	$mailer2->sendRaw('a@x.test', 'b@y.test', $raw);
	echo "no exception\n";
} catch (Smtp\Exception $e) {
	var_dump(get_class($e), $e->smtpCode, $e->temporary);
}
var_dump(count($spool), spool_test_files($dir, 'queue'), spool_test_files($dir, 'tmp'));

/* a permanent failure at flush time goes to failed/ at once, with the reply */
$srv3 = SmtpTestServer::start();
$down = new Smtp\Mailer(spool_test_down_relay($dir));
var_dump($down->sendRaw('a@x.test', 'b@y.test', $raw)->queued);
$s = $spool->flush($mailer2, force: true);
echo "sent=$s[sent] deferred=$s[deferred] failed=$s[failed] remaining=$s[remaining]\n";
$failed = $spool->messages(true);
var_dump(count($failed), str_contains($failed[0]['last_error'], '554'), $failed[0]['attempts']);
?>
--EXPECT--
bool(true)
bool(true)
int(1)
int(0)
bool(true)
sent=1 deferred=0 remaining=0
int(1)
bool(true)
string(14) "Smtp\Exception"
int(554)
bool(false)
int(0)
array(0) {
}
array(0) {
}
bool(true)
sent=0 deferred=0 failed=1 remaining=0
int(1)
bool(true)
int(2)

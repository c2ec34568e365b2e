--TEST--
spool: relay down -> queued Receipt, one complete file in queue/; relay up -> flush delivers each message exactly once
--EXTENSIONS--
smtp
--INI--
sendmail_path=/bin/false
--FILE--
<?php
require __DIR__ . '/spool.inc';
$dir = spool_test_dir();

$down = new Smtp\Mailer(spool_test_down_relay($dir));
$raw = "From: a@x.test\r\nTo: b@y.test\r\nSubject: raw\r\nMessage-ID: <raw-1@x.test>\r\n\r\nline one\r\n.leading dot\r\n";
$r1 = $down->sendRaw('a@x.test', ['b@y.test', 'c@y.test'], $raw);
$message = (new Smtp\Message())->from('shop@x.test')->to('ann@y.test')->bcc('hidden@y.test')
	->subject('built')->text(str_repeat("streamed body line\n", 2000));
$r2 = $down->send($message);

var_dump($r1->queued, $r1->messageId, $r1->accepted, str_contains($r1->response, 'onnect'));
var_dump($r2->queued, $r2->messageId === $message->messageId());
var_dump(spool_test_files($dir, 'tmp'), count(spool_test_files($dir, 'queue')));
printf("dirs %o %o %o\n", fileperms("$dir/tmp") & 0777, fileperms("$dir/queue") & 0777, fileperms("$dir/failed") & 0777);

$spool = new Smtp\Spool($dir);
var_dump(count($spool), $spool->count());
$list = $spool->messages();
var_dump($list[0]['from'], $list[0]['recipients'], $list[0]['attempts'], $list[0]['next_try'] - $list[0]['queued_at']);
var_dump($list[1]['recipients']);

$srv = SmtpTestServer::start();
$up = new Smtp\Mailer($srv->config());
$s = $spool->flush($up);
echo "not due yet: sent=$s[sent] waiting=$s[waiting] remaining=$s[remaining]\n";
$s = $spool->flush($up, force: true);
echo "forced: sent=$s[sent] deferred=$s[deferred] failed=$s[failed] remaining=$s[remaining]\n";
$s = $spool->flush($up, force: true);
echo "again: sent=$s[sent] remaining=$s[remaining]\n";

$msgs = $srv->waitForMessages(2);
usleep(200000);
$msgs = $srv->messages();
var_dump(count($msgs));
var_dump($msgs[0]['mail_from'], $msgs[0]['rcpt_tos'], $msgs[0]['data'] === $raw);
var_dump($msgs[1]['rcpt_tos']);
var_dump($msgs[1]['data'] === $message->toString() || str_contains($msgs[1]['data'], 'Subject: built'));
var_dump(substr_count($msgs[1]['data'], "streamed body line"), str_contains($msgs[1]['data'], 'hidden@'));
var_dump(count($spool), spool_test_files($dir, 'queue'), spool_test_files($dir, 'failed'));
?>
--EXPECT--
bool(true)
string(12) "raw-1@x.test"
array(0) {
}
bool(true)
bool(true)
bool(true)
array(0) {
}
int(2)
dirs 700 700 700
int(2)
int(2)
string(8) "a@x.test"
array(2) {
  [0]=>
  string(8) "b@y.test"
  [1]=>
  string(8) "c@y.test"
}
int(1)
int(60)
array(2) {
  [0]=>
  string(10) "ann@y.test"
  [1]=>
  string(13) "hidden@y.test"
}
not due yet: sent=0 waiting=2 remaining=2
forced: sent=2 deferred=0 failed=0 remaining=0
again: sent=0 remaining=0
int(2)
string(8) "a@x.test"
array(2) {
  [0]=>
  string(8) "b@y.test"
  [1]=>
  string(8) "c@y.test"
}
bool(true)
array(2) {
  [0]=>
  string(10) "ann@y.test"
  [1]=>
  string(13) "hidden@y.test"
}
bool(true)
int(2000)
bool(false)
int(0)
array(0) {
}
array(0) {
}

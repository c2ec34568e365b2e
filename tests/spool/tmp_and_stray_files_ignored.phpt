--TEST--
spool: a half-written file in tmp/ (a crash mid-write) and stray names in queue/ are never sent; a damaged queued file goes to failed/
--EXTENSIONS--
smtp
--INI--
sendmail_path=/bin/false
--FILE--
<?php
require __DIR__ . '/spool.inc';
$dir = spool_test_dir();
$spool = new Smtp\Spool($dir);
$header = "php-smtp-spool 1\nfrom a@x.test\nrcpt b@y.test\nsmtputf8 0\nqueued 1\nattempts 1\nnext 1\nerror x\n\n";
file_put_contents("$dir/tmp/1700000000-000000001-1-00000000000000aa.msg", $header . "Subject: half\r\n\r\nhal");
file_put_contents("$dir/queue/.hidden.msg", $header . "Subject: hidden\r\n\r\nx\r\n");
file_put_contents("$dir/queue/notes.txt", $header . "Subject: notes\r\n\r\nx\r\n");
file_put_contents("$dir/queue/1700000000-000000002-1-00000000000000bb.msg", "php-smtp-spool 1\nfrom a@x.test\nrcpt b@y.t");
var_dump(count($spool));

$srv = SmtpTestServer::start();
$mailer = new Smtp\Mailer($srv->config());
$s = $spool->flush($mailer, force: true);
echo "sent=$s[sent] failed=$s[failed] remaining=$s[remaining]\n";
var_dump(array_values($s['errors']));
usleep(100000);
var_dump(count($srv->messages()), count($srv->sessions()));
var_dump(spool_test_files($dir, 'tmp'), spool_test_files($dir, 'queue'), spool_test_files($dir, 'failed'));
?>
--EXPECT--
int(1)
sent=0 failed=1 remaining=0
array(1) {
  [0]=>
  string(22) "truncated spool header"
}
int(0)
int(0)
array(1) {
  [0]=>
  string(43) "1700000000-000000001-1-00000000000000aa.msg"
}
array(2) {
  [0]=>
  string(11) ".hidden.msg"
  [1]=>
  string(9) "notes.txt"
}
array(1) {
  [0]=>
  string(43) "1700000000-000000002-1-00000000000000bb.msg"
}

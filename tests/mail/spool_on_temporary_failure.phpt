--TEST--
mail path: with smtp.spool_dir, a temporary failure (relay down) spools the message and mail() returns true, as sendmail on EX_TEMPFAIL; a permanent one is still false + a warning
--EXTENSIONS--
smtp
--INI--
smtp.override_mail=1
smtp.encryption=none
smtp.from=site@x.test
sendmail_path=/bin/false
--FILE--
<?php
require __DIR__ . '/../spool/spool.inc';
$dir = spool_test_dir();
ini_set('smtp.spool_dir', $dir);
ini_set('smtp.host', '127.0.0.1');
ini_set('smtp.port', (string) SmtpTestServer::unusedPort());
set_error_handler(function ($no, $str) { echo "warning: $str\n"; return true; });

var_dump(mail('ann@y.test', 'queued', "kept for later\n", "Bcc: hidden@y.test\r\nMessage-ID: <spooled-1@x.test>"));
$r = smtp_last_result();
var_dump($r['ok'], $r['queued'], $r['message_id'], str_contains($r['reply'], 'onnect'));
$spool = new Smtp\Spool($dir);
var_dump($spool->count());
$queued = $spool->messages()[0];
var_dump($queued['from'], $queued['recipients']);

/* relay up: the flush delivers it with the envelope mail() made */
$srv = SmtpTestServer::start(['fault' => ['reply' => ['RCPT' => '550 5.1.1 no such user']]]);
$good = SmtpTestServer::start();
$s = $spool->flush(new Smtp\Mailer($good->config()), force: true);
echo "flush: sent=$s[sent] remaining=$s[remaining]\n";
$m = $good->waitForMessages(1)[0];
var_dump($m['mail_from'], $m['rcpt_tos'], str_contains($m['data'], 'hidden@y.test'), str_contains($m['data'], 'kept for later'));

/* a permanent failure is not spooled */
ini_set('smtp.port', (string) $srv->port);
var_dump(mail('nobody@y.test', 'refused', 'x'));
var_dump(smtp_last_result()['queued'], $spool->count());
?>
--EXPECTF--
bool(true)
bool(true)
bool(true)
string(16) "spooled-1@x.test"
bool(true)
int(1)
string(11) "site@x.test"
array(2) {
  [0]=>
  string(10) "ann@y.test"
  [1]=>
  string(13) "hidden@y.test"
}
flush: sent=1 remaining=0
string(11) "site@x.test"
array(2) {
  [0]=>
  string(10) "ann@y.test"
  [1]=>
  string(13) "hidden@y.test"
}
bool(false)
bool(true)
warning: mail(): SMTP delivery failed: %s550 5.1.1 no such user%A
bool(false)
bool(false)
int(0)

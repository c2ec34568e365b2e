--TEST--
mail path: mb_send_mail() (encoded subject, Bcc, -f) and error_log($m, 1, $to) reach the SMTP server, not sendmail_path; a failure is false + one warning
--EXTENSIONS--
smtp
mbstring
--INI--
smtp.override_mail=1
smtp.encryption=none
sendmail_path=/bin/false
mail.add_x_header=0
--FILE--
<?php
require __DIR__ . '/../inc/server.inc';
$srv = SmtpTestServer::start();
ini_set('smtp.host', $srv->host);
ini_set('smtp.port', (string) $srv->port);
$tmpBefore = glob(sys_get_temp_dir() . '/php-smtp-mail-*');

mb_language('uni');
var_dump(mb_send_mail('Ann <ann@y.test>', 'Đơn hàng mới', "Xin chào\nline two",
	"From: Shop <shop@x.test>\r\nBcc: hidden@y.test", '-f bounce@x.test'));
var_dump(error_log('disk almost full', 1, 'admin@y.test', 'From: logger@x.test'));
/* other message types are PHP's own */
$file = tempnam(sys_get_temp_dir(), 'smtp-elog');
var_dump(error_log("to a file\n", 3, $file), file_get_contents($file));
unlink($file);

$ms = $srv->waitForMessages(2);
$m = $ms[0];
var_dump($m['mail_from'], $m['rcpt_tos']);
preg_match('/^Subject: (.*(?:\r\n[ \t].*)*)\r\n/m', $m['data'], $subject);
var_dump(mb_decode_mimeheader($subject[1]), str_contains($m['data'], 'hidden@y.test'));
var_dump(str_contains(base64_decode(explode("\r\n\r\n", $m['data'], 2)[1]) . quoted_printable_decode(explode("\r\n\r\n", $m['data'], 2)[1]), 'Xin chào'));
var_dump(smtp_last_result()['ok']);

$m = $ms[1];
var_dump($m['mail_from'], $m['rcpt_tos'], str_contains($m['data'], "Subject: PHP error_log message\r\n"),
	str_contains($m['data'], "disk almost full"));

/* the capture file never stays behind */
var_dump(glob(sys_get_temp_dir() . '/php-smtp-mail-*') == $tmpBefore);

/* relay down: false and one warning, not a silent fallback to sendmail_path */
ini_set('smtp.port', (string) SmtpTestServer::unusedPort());
set_error_handler(function ($no, $str) { echo "warning: ", substr($str, 0, 40), "\n"; return true; });
var_dump(mb_send_mail('ann@y.test', 'down', 'x', 'From: a@x.test'));
var_dump(error_log('down', 1, 'admin@y.test', 'From: a@x.test'));
?>
--EXPECTF--
bool(true)
bool(true)
bool(true)
string(10) "to a file
"
string(13) "bounce@x.test"
array(2) {
  [0]=>
  string(10) "ann@y.test"
  [1]=>
  string(13) "hidden@y.test"
}
string(17) "Đơn hàng mới"
bool(false)
bool(true)
bool(true)
string(13) "logger@x.test"
array(1) {
  [0]=>
  string(12) "admin@y.test"
}
bool(true)
bool(true)
bool(true)
warning: mb_send_mail(): SMTP delivery failed: Co
bool(false)
warning: error_log(): SMTP delivery failed: Conne
bool(false)

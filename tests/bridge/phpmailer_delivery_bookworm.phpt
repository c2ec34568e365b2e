--TEST--
PHPMailer 6.6 (Debian 12): NativeSmtp\PHPMailer with isSMTP() delivers HTML, text, attachment, Cc and Bcc as PHPMailer built them; SMTPKeepAlive; callbacks; SMTPDebug without the password
--EXTENSIONS--
smtp
--FILE--
<?php
require __DIR__ . '/bridge.inc';
bridge_load('phpmailer', 'bookworm');
require __DIR__ . '/phpmailer_delivery.inc';
?>
--EXPECT--
bool(true)
bool(true)
bool(true)
3 messages, 1 session(s)
string(14) "bounces@x.test"
bool(true)
string(4) "user"
ann@y.test bob@y.test cc@y.test hidden@z.test
bytes as PHPMailer built them: true
a Bcc field: false
Đơn hàng mới | Ann <ann@y.test>, bob@y.test | cc@y.test
text/plain - "Hello Ann\r\n.\r\nbye"
text/html - "<p>Hello <b>Ann<\/b><\/p>"
application/octet-stream data.bin true
receipt: true true
callbacks: ann@y.test=true id, bob@y.test=true id, cc@y.test=true id, hidden@z.test=true id (12)
debug shows the session: true
no password: true
3 session(s) after two more without SMTPKeepAlive

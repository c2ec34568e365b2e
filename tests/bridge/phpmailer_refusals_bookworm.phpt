--TEST--
PHPMailer 6.6 (Debian 12): refused recipients are reported as PHPMailer reports them (ErrorInfo, exception, callbacks), with and without SMTPKeepAlive
--EXTENSIONS--
smtp
--FILE--
<?php
require __DIR__ . '/bridge.inc';
bridge_load('phpmailer', 'bookworm');
require __DIR__ . '/phpmailer_refusals.inc';
?>
--EXPECT--
bool(false)
SMTP Error: The following recipients failed: bad@y.test: 550 5.1.1 <bad@y.test> no such user, worse@y.test: 553 5.1.3 <worse@y.test> bad address
callbacks: ok@y.test=true, bad@y.test=false, worse@y.test=false
receipt: ok@y.test
1 message to ok@y.test
bool(false)
bool(true)
PHPMailer\PHPMailer\Exception STOP_CONTINUE
SMTP Error: The following recipients failed: bad@y.test: 550 5.1.1 <bad@y.test> no such user
ErrorInfo the same: true
previous: Smtp\RecipientException 550
callbacks: bad@y.test=false
2 message(s) in all

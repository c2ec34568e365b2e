--TEST--
PHPMailer 7.1 (Debian sid): a 535 is PHPMailer's authentication error; a server without STARTTLS is refused; no password in any output
--EXTENSIONS--
smtp
--FILE--
<?php
require __DIR__ . '/bridge.inc';
bridge_load('phpmailer', 'sid');
require __DIR__ . '/phpmailer_failures.inc';
?>
--EXPECT--
bool(false)
SMTP Error: Could not authenticate. Authentication failed: 535 5.7.8 Authentication credentials invalid
Smtp\AuthenticationException 535 STOP_CRITICAL
0 messages
debug shows the 535: true
SMTPSecure 'tls': false SMTP Error: Could not connect to SMTP host. TLS is required but 127.0.0.1:PORT did not start it: STARTTLS not supported.
SMTPSecure '': false SMTP Error: Could not connect to SMTP host. TLS is required but 127.0.0.1:PORT did not start it: STARTTLS not supported. (SMTPAutoTLS asks for STARTTLS and a server that does not offer it is refused: set SMTPAutoTLS = false for a relay without TLS)
commands the server saw: EHLO, EHLO
no password: true

--TEST--
Symfony Mailer 7.4 (Debian sid): a 535 is Symfony's authentication TransportException; a server without STARTTLS is refused; no password in any text
--EXTENSIONS--
smtp
--FILE--
<?php
require __DIR__ . '/bridge.inc';
bridge_load('symfony', 'sid');
require __DIR__ . '/symfony_failures.inc';
?>
--EXPECT--
Symfony\Component\Mailer\Exception\TransportException 535
Failed to authenticate on SMTP server with username "user": Authentication failed: 535 5.7.8 Authentication credentials invalid
debug has the 535: true
no password: true
0 messages
Symfony\Component\Mailer\Exception\TransportException 0
TLS is required but 127.0.0.1:PORT did not start it: STARTTLS not supported.
previous: Smtp\TlsException
no password: true
commands the server saw: EHLO

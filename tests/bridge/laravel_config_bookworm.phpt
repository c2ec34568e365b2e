--TEST--
Symfony Mailer 5.4 (Debian 12): the transport Laravel's native-smtp mailer gets from a config/mail.php array sends; the service provider registers it
--EXTENSIONS--
smtp
--FILE--
<?php
require __DIR__ . '/bridge.inc';
bridge_load('symfony', 'bookworm');
require __DIR__ . '/laravel_config.inc';
?>
--EXPECT--
NativeSmtp\Symfony\NativeSmtpTransport native+smtp://127.0.0.1:PORT
certificate checked: true
sent: user tls true
{"scheme":"smtps","port":465} => native+smtps://mail.example:465 -
{"encryption":"ssl"} => native+smtps://mail.example:- -
{"encryption":"tls","port":465} => native+smtps://mail.example:465 -
{"encryption":"none","port":25} => native+smtp://mail.example:25 none
{"encryption":null} => native+smtp://mail.example:- -
[] => native+smtp://mail.example:- -
no host = the INI relay: default
registered: native-smtp
sent through the registered creator: laravel.example ann@y.test

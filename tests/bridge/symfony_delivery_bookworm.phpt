--TEST--
Symfony Mailer 5.4 (Debian 12): native+smtp:// delivers HTML, text, attachment, Cc and Bcc as Symfony built them, over one kept-alive session, with our Message-ID, transcript and Symfony's events
--EXTENSIONS--
smtp
--FILE--
<?php
require __DIR__ . '/bridge.inc';
bridge_load('symfony', 'bookworm');
require __DIR__ . '/symfony_delivery.inc';
?>
--EXPECT--
native+smtp://127.0.0.1:PORT
3 messages, 1 session(s)
string(11) "shop@x.test"
bool(true)
string(4) "user"
ann@y.test bob@y.test cc@y.test hidden@z.test
bytes as Symfony built them: true
a Bcc field: false
Đơn hàng mới | Ann <ann@y.test>, bob@y.test | cc@y.test
text/plain - "Hello Ann\r\n.\r\nbye"
text/html - "<p>Hello <b>Ann<\/b><\/p>"
application/octet-stream data.bin true
message id: true
second message id differs: true
raw: bounce@x.test -> r@y.test raw-1@x.test true
debug has the reply: true
debug has AUTH: true
no password: true
events: true
listener envelope: changed@x.test -> only@y.test
1 session(s)

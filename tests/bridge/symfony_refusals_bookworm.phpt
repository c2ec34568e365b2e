--TEST--
Symfony Mailer 5.4 (Debian 12): refused recipients become TransportExceptions with the reply code (RecipientsRejectedException after the others got it)
--EXTENSIONS--
smtp
--FILE--
<?php
require __DIR__ . '/bridge.inc';
bridge_load('symfony', 'bookworm');
require __DIR__ . '/symfony_refusals.inc';
?>
--EXPECT--
NativeSmtp\Symfony\RecipientsRejectedException 550 transport exception: true
The server refused 2 recipient(s) and accepted the message for the other 1: bad@y.test: 550 5.1.1 <bad@y.test> no such user; worse@y.test: 553 5.1.3 <worse@y.test> bad address
array(2) {
  ["bad@y.test"]=>
  string(35) "550 5.1.1 <bad@y.test> no such user"
  ["worse@y.test"]=>
  string(36) "553 5.1.3 <worse@y.test> bad address"
}
array(1) {
  [0]=>
  string(9) "ok@y.test"
}
sent message id: true
debug: true
1 message to ok@y.test
class as Symfony throws it: true code 550
The server accepted none of the recipients: 550 5.1.1 <bad@y.test> no such user
previous: Smtp\RecipientException
debug: true
1 message(s) in all
events: true

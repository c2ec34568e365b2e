--TEST--
mail(): a lone CR in additional headers ends a line as it does on the wire, so a Bcc field behind one is seen: it goes to the envelope and never into the data (it leaked into every copy before); a NUL right after a line break is refused like any NUL
--EXTENSIONS--
smtp
--INI--
smtp.override_mail=1
smtp.encryption="none"
sendmail_path=/bin/false
mail.add_x_header=0
smtp.from=a@x.test
--FILE--
<?php
require __DIR__ . '/../inc/server.inc';
$srv = SmtpTestServer::start();
ini_set('smtp.host', $srv->host);
ini_set('smtp.port', (string) $srv->port);

var_dump(mail('to@x.test', 'lone CR', 'body', "From: a@x.test\rBcc: secret@y.test\rX-After: 1"));
$m = $srv->waitForMessages(1)[0];
echo "envelope: ", implode(' ', $m['rcpt_tos']), "\n";
var_dump(stripos($m['data'], 'secret') === false, str_contains($m['data'], "\r\nX-After: 1\r\n"), $m['bare_cr']);

var_dump(mail('to@x.test', 'NUL', 'body', "X-A: 1\n\0X-B: 2"));
echo "sent: ", count($srv->messages()), "\n";
?>
--EXPECTF--
bool(true)
envelope: to@x.test secret@y.test
bool(true)
bool(true)
int(0)

Warning: mail(): SMTP delivery failed: Multiple or malformed newlines found in additional_header in %s on line %d
bool(false)
sent: 1

--TEST--
mail path: a bare smtp.encryption=none (which PHP's INI parser turns into "") means plaintext, not the STARTTLS default
--EXTENSIONS--
smtp
--INI--
smtp.override_mail=1
smtp.encryption=none
smtp.from=site@x.test
sendmail_path=/bin/false
--FILE--
<?php
require __DIR__ . '/../inc/server.inc';
var_dump(ini_get('smtp.encryption'));
$srv = SmtpTestServer::start();
ini_set('smtp.host', $srv->host);
ini_set('smtp.port', (string) $srv->port);
var_dump(mail('to@y.test', 'plain', 'over plaintext'));
$m = $srv->waitForMessages(1)[0];
var_dump($m['tls'], $m['rcpt_tos']);
$r = (new Smtp\Mailer(['host' => $srv->host, 'port' => $srv->port]))->sendRaw('a@x.test', 'b@y.test', "Subject: s\r\n\r\nx\r\n");
var_dump(str_starts_with($r->response, '250'));

?>
--EXPECT--
string(0) ""
bool(true)
bool(false)
array(1) {
  [0]=>
  string(9) "to@y.test"
}
bool(true)

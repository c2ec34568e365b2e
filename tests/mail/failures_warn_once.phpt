--TEST--
mail(): a refused message and a refused connection each give false and exactly one warning with the reason; never sendmail
--EXTENSIONS--
smtp
--INI--
smtp.override_mail=1
smtp.encryption="none"
smtp.timeout=5
sendmail_path=/bin/false
--FILE--
<?php
require __DIR__ . '/../inc/server.inc';
$srv = SmtpTestServer::start(['fault' => ['data_reply' => '554 5.7.1 Spam score too high']]);
ini_set('smtp.host', $srv->host);
ini_set('smtp.port', (string) $srv->port);

$warnings = [];
set_error_handler(function ($no, $str) use (&$warnings) { $warnings[] = $str; return true; });

var_dump(mail('to@y.test', 'refused', 'body', 'From: a@x.test'));
var_dump(count($warnings), $warnings[0]);
$r = smtp_last_result();
var_dump($r['ok'], $r['code'], $r['error'] === substr($warnings[0], strlen('mail(): SMTP delivery failed: ')));

$warnings = [];
ini_set('smtp.port', (string) SmtpTestServer::unusedPort());
var_dump(mail('to@y.test', 'no server', 'body', 'From: a@x.test'));
var_dump(count($warnings), (bool) preg_match('/^mail\(\): SMTP delivery failed: Connection to 127\.0\.0\.1:\d+ failed/', $warnings[0]));
var_dump(smtp_last_result()['ok']);

$warnings = [];
var_dump(mail('not an address', 'bad', 'body', 'From: a@x.test'));
var_dump(count($warnings), str_starts_with($warnings[0], 'mail(): SMTP delivery failed: invalid address "not an address"'));

$warnings = [];
var_dump(mail('to@y.test', 'injected', 'body', "From: a@x.test\r\n\r\nBcc: evil@z.test"));
var_dump($warnings);
var_dump(count($srv->messages()));
?>
--EXPECTF--
bool(false)
int(1)
string(%d) "mail(): SMTP delivery failed: %s: 554 5.7.1 Spam score too high"
bool(false)
int(554)
bool(true)
bool(false)
int(1)
bool(true)
bool(false)
bool(false)
int(1)
bool(true)
bool(false)
array(1) {
  [0]=>
  string(87) "mail(): SMTP delivery failed: Multiple or malformed newlines found in additional_header"
}
int(0)

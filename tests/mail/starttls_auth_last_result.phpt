--TEST--
mail(): over STARTTLS with AUTH from the INI; smtp_last_result() has the reply, code and Message-ID, and its transcript never shows the password
--EXTENSIONS--
smtp
--INI--
smtp.override_mail=1
smtp.encryption=starttls
smtp.username=user
smtp.password=s3cret-Pa55
smtp.from=sender@x.test
smtp.from_name=The Sender
sendmail_path=/bin/false
--FILE--
<?php
require __DIR__ . '/../inc/server.inc';
$srv = SmtpTestServer::start(['tls' => 'starttls', 'auth' => 'user:s3cret-Pa55', 'require_auth' => true]);
ini_set('smtp.host', $srv->host);
ini_set('smtp.port', (string) $srv->port);
ini_set('smtp.cafile', $srv->cafile);

var_dump(mail('to@y.test', 'one', 'first'));
$first = implode("\n", smtp_last_result()['transcript']);
var_dump(mail('to@y.test', 'two', 'second'));
$ms = $srv->waitForMessages(2);
var_dump(count($ms), $ms[0]['tls'], $ms[0]['auth_user'], $ms[0]['mail_from'], $ms[0]['session'] === $ms[1]['session']);
var_dump(str_contains($ms[0]['data'], "From: \"The Sender\" <sender@x.test>\r\n"));

$r = smtp_last_result();
var_dump($r['ok'], $r['code'], str_starts_with($r['reply'], '250'));
var_dump(str_contains($ms[1]['data'], "Message-ID: <{$r['message_id']}>\r\n"));
/* the first session negotiated TLS and AUTH; the second reused the connection */
var_dump(str_contains($first, 'C: STARTTLS'), str_contains($first, 'C: AUTH'), str_contains(implode("\n", $r['transcript']), 'AUTH'));
var_dump(str_contains($first, 's3cret'), str_contains($first, base64_encode("\0user\0s3cret-Pa55")), str_contains($first, base64_encode('s3cret-Pa55')));

/* wrong password: one warning with the server's reply */
ini_set('smtp.password', 'wrong');
var_dump(@mail('to@y.test', 'three', 'third'));
var_dump(error_get_last()['message']);
var_dump(smtp_last_result()['code']);
?>
--EXPECTF--
bool(true)
bool(true)
int(2)
bool(true)
string(4) "user"
string(13) "sender@x.test"
bool(true)
bool(true)
bool(true)
int(250)
bool(true)
bool(true)
bool(true)
bool(true)
bool(false)
bool(false)
bool(false)
bool(false)
bool(false)
string(%d) "mail(): SMTP delivery failed: Authentication failed: 535 5.7.8 %s"
int(535)

--TEST--
mail(): over STARTTLS with AUTH from the INI; smtp_last_result() has the reply, code and Message-ID, and its transcript never shows the password
--EXTENSIONS--
smtp
--FILE--
<?php
require __DIR__ . '/../inc/server.inc';
require __DIR__ . '/../inc/child.inc';
$srv = SmtpTestServer::start(['tls' => 'starttls', 'auth' => 'user:s3cret-Pa55', 'require_auth' => true]);
/* the settings a pool's php_admin_value would give (a script's ini_set of
 * smtp.host or smtp.port would withhold the INI credentials) */
$ini = ['smtp.override_mail' => 1, 'smtp.encryption' => 'starttls', 'smtp.username' => 'user',
	'smtp.password' => 's3cret-Pa55', 'smtp.from' => 'sender@x.test', 'smtp.from_name' => '"The Sender"',
	'sendmail_path' => '/bin/false', 'smtp.host' => $srv->host, 'smtp.port' => $srv->port, 'smtp.cafile' => $srv->cafile];
$script = <<<'PHP'
var_dump(mail('to@y.test', 'one', 'first'));
$first = implode("\n", smtp_last_result()['transcript']);
var_dump(mail('to@y.test', 'two', 'second'));
$r = smtp_last_result();
var_dump($r['ok'], $r['code'], str_starts_with($r['reply'], '250'));
echo "id=", $r['message_id'], "\n";
/* the first session negotiated TLS and AUTH; the second reused the connection */
var_dump(str_contains($first, 'C: STARTTLS'), str_contains($first, 'C: AUTH'), str_contains(implode("\n", $r['transcript']), 'AUTH'));
var_dump(str_contains($first, 's3cret'), str_contains($first, base64_encode("\0user\0s3cret-Pa55")), str_contains($first, base64_encode('s3cret-Pa55')));
PHP;
$child = php_child($ini, $script);
echo $child['stdout'], $child['stderr'];
$ms = $srv->waitForMessages(2);
var_dump(count($ms), $ms[0]['tls'], $ms[0]['auth_user'], $ms[0]['mail_from'], $ms[0]['session'] === $ms[1]['session']);
var_dump(str_contains($ms[0]['data'], "From: \"The Sender\" <sender@x.test>\r\n"));
preg_match('/^id=(.*)$/m', $child['stdout'], $id);
var_dump(str_contains($ms[1]['data'], "Message-ID: <{$id[1]}>\r\n"));

/* a relay that does not take this password: one warning with the server's reply */
$other = SmtpTestServer::start(['tls' => 'starttls', 'auth' => 'user:another-password', 'require_auth' => true]);
$child = php_child(['smtp.port' => $other->port, 'smtp.cafile' => $other->cafile] + $ini,
	'var_dump(@mail("to@y.test", "three", "third")); var_dump(error_get_last()["message"]); var_dump(smtp_last_result()["code"]);');
echo $child['stdout'], $child['stderr'];
?>
--EXPECTF--
bool(true)
bool(true)
bool(true)
int(250)
bool(true)
id=%s
bool(true)
bool(true)
bool(false)
bool(false)
bool(false)
bool(false)
int(2)
bool(true)
string(4) "user"
string(13) "sender@x.test"
bool(true)
bool(true)
bool(true)
bool(false)
string(%d) "mail(): SMTP delivery failed: Authentication failed: 535 5.7.8 %s"
int(535)

--TEST--
mail(): array headers (name => value and name => list), -f envelope sender, X-PHP-Originating-Script, control characters in To/Subject
--EXTENSIONS--
smtp
--INI--
smtp.override_mail=1
smtp.encryption="none"
smtp.from=default@x.test
sendmail_path=/bin/false
mail.add_x_header=1
--FILE--
<?php
require __DIR__ . '/../inc/server.inc';
$srv = SmtpTestServer::start();
ini_set('smtp.host', $srv->host);
ini_set('smtp.port', (string) $srv->port);

$headers = [
	'From' => 'Web <web@x.test>',
	'Bcc' => 'b1@y.test, B Two <b2@y.test>',
	'X-List' => ['one', 'two'],
	'Message-ID' => '<fixed.1@x.test>',
];
/* a lone LF in Subject becomes a space, as PHP's own mail() does */
var_dump(mail("to@y.test", "Sub\nject", "body", $headers, '-f bounce@x.test -oi -X /tmp/evil.log'));
var_dump(mail("to@y.test", "Second", "body", [], '-fother@x.test'));
var_dump(mail("to@y.test", "Third", "body"));

$ms = $srv->waitForMessages(3);
var_dump($ms[0]['mail_from'], $ms[0]['rcpt_tos'], $ms[1]['mail_from'], $ms[2]['mail_from']);
var_dump(file_exists('/tmp/evil.log'));
$d = $ms[0]['data'];
parse_message($d);
var_dump(str_contains($d, "Subject: Sub ject\r\n"), str_contains($d, "X-List: one\r\nX-List: two\r\n"),
	str_contains($d, "X-PHP-Originating-Script: " . getmyuid() . ":array_headers_f_sender.php\r\n"),
	stripos($d, 'bcc') === false, stripos($d, 'b2@y.test') === false);
var_dump(smtp_last_result()['message_id'] !== '', str_contains($ms[2]['data'], "From: default@x.test\r\n"));
mail("to@y.test", "again", "body", $headers);
var_dump(smtp_last_result()['message_id']);
?>
--EXPECT--
bool(true)
bool(true)
bool(true)
string(13) "bounce@x.test"
array(3) {
  [0]=>
  string(9) "to@y.test"
  [1]=>
  string(9) "b1@y.test"
  [2]=>
  string(9) "b2@y.test"
}
string(12) "other@x.test"
string(14) "default@x.test"
bool(false)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
string(14) "fixed.1@x.test"

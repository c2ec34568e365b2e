--TEST--
mail(): string headers with Cc/Bcc display names and folding: all are envelope recipients, Bcc is not in the data
--EXTENSIONS--
smtp
--INI--
smtp.override_mail=1
smtp.encryption="none"
sendmail_path=/bin/false
mail.add_x_header=0
--FILE--
<?php
require __DIR__ . '/../inc/server.inc';
$srv = SmtpTestServer::start();
ini_set('smtp.host', $srv->host);
ini_set('smtp.port', (string) $srv->port);

var_dump(smtp_last_result());
$headers = "From: Shop <shop@x.test>\r\n"
	. "Cc: \"Doe, Jane\" <jane@z.test>,\r\n carl@z.test (Carl)\r\n"
	. "bcc: Hidden One <hidden@w.test>\r\n"
	. "X-Folded: first\r\n\tsecond\n";
var_dump(mail('Ann <ann@x.test>, bob@y.test', 'Hello there', "line one\nline two", $headers));

$m = $srv->waitForMessages(1)[0];
var_dump($m['mail_from'], $m['rcpt_tos'], $m['bare_lf']);
$data = $m['data'];
var_dump(stripos($data, 'hidden') === false, stripos($data, "\r\nbcc:") === false);
$p = parse_message($data);
echo substr($data, 0, strpos($data, "\r\nDate:") + 2);
var_dump(preg_match('/\r\nMessage-ID: <([^>]+)>\r\n/', $data, $id) === 1);
var_dump(str_ends_with($data, "\r\n\r\nline one\r\nline two\r\n"));

$r = smtp_last_result();
var_dump($r['ok'], $r['code'], $r['error'], $r['message_id'] === $id[1], $r['from'], $r['accepted'], $r['rejected']);
var_dump(str_starts_with($r['reply'], '250 '), in_array('C: RCPT TO:<hidden@w.test>', $r['transcript'], true));
?>
--EXPECT--
NULL
bool(true)
string(11) "shop@x.test"
array(5) {
  [0]=>
  string(10) "ann@x.test"
  [1]=>
  string(10) "bob@y.test"
  [2]=>
  string(11) "jane@z.test"
  [3]=>
  string(11) "carl@z.test"
  [4]=>
  string(13) "hidden@w.test"
}
int(0)
bool(true)
bool(true)
To: Ann <ann@x.test>, bob@y.test
Subject: Hello there
From: Shop <shop@x.test>
Cc: "Doe, Jane" <jane@z.test>,
 carl@z.test (Carl)
X-Folded: first
	second
bool(true)
bool(true)
bool(true)
int(250)
NULL
bool(true)
string(11) "shop@x.test"
array(5) {
  [0]=>
  string(10) "ann@x.test"
  [1]=>
  string(10) "bob@y.test"
  [2]=>
  string(11) "jane@z.test"
  [3]=>
  string(11) "carl@z.test"
  [4]=>
  string(13) "hidden@w.test"
}
array(0) {
}
bool(true)
bool(true)

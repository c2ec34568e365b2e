--TEST--
harness: parse_message() returns the structure of a valid message and lists the defects of broken ones
--FILE--
<?php
require __DIR__ . '/../inc/server.inc';

$good = "From: Shop <shop@example.com>\r\nTo: =?UTF-8?B?QW5uIMOY?= <ann@example.org>\r\n"
	. "Subject: =?UTF-8?Q?=C4=90=C6=A1n_h=C3=A0ng?=\r\nDate: Thu, 26 Nov 2026 16:00:00 +0000\r\n"
	. "Message-ID: <1@example.com>\r\nMIME-Version: 1.0\r\n"
	. "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
	. "--b1\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nh=C3=A9llo\r\n"
	. "--b1\r\nContent-Type: text/csv; name=a.csv\r\nContent-Disposition: attachment; filename=a.csv\r\n"
	. "Content-Transfer-Encoding: base64\r\n\r\n" . chunk_split(base64_encode("a,b\r\n1,2\r\n"), 76, "\r\n")
	. "--b1--\r\n";
$r = parse_message($good);
var_dump($r['defects'], $r['header']['subject'], $r['addresses']['to']);
$s = $r['structure'];
echo $s['content_type'], ': ', $s['parts'][0]['content_type'], ' "', $s['parts'][0]['text'], '", ',
	$s['parts'][1]['filename'], ' ', $s['parts'][1]['disposition'], ' ', $s['parts'][1]['sha256'] === hash('sha256', "a,b\r\n1,2\r\n") ? 'sha ok' : 'sha wrong', "\n";

$broken = [
	'bare LF' => str_replace("Subject", "X: y\nSubject", $good),
	'long line' => str_replace("h=C3=A9llo", str_repeat('x', 1000), $good),
	'8-bit header' => str_replace("Subject: =?UTF-8?Q?=C4=90=C6=A1n_h=C3=A0ng?=", "Subject: Đơn", $good),
	'two subjects' => "Subject: a\r\n" . $good,
	'no closing boundary' => str_replace("--b1--\r\n", "", $good),
	'bad base64' => str_replace("YSxiDQoxLDINCg==", "YSxiDQoxLDINCg=!", $good),
	'no Date' => str_replace("Date: Thu, 26 Nov 2026 16:00:00 +0000\r\n", "", $good),
];
foreach ($broken as $name => $raw) {
	echo $name, ': ', implode(' | ', message_defects($raw)), "\n";
}
try {
	parse_message($broken['two subjects']);
} catch (RuntimeException $e) {
	echo get_class($e), ' ', strtok($e->getMessage(), "\n"), "\n";
}
var_dump(message_defects(str_replace("Subject: =?UTF-8?Q?=C4=90=C6=A1n_h=C3=A0ng?=", "Subject: Đơn", $good), true));
?>
--EXPECT--
array(0) {
}
array(1) {
  [0]=>
  string(11) "Đơn hàng"
}
array(1) {
  [0]=>
  array(2) {
    ["name"]=>
    string(6) "Ann Ø"
    ["address"]=>
    string(15) "ann@example.org"
  }
}
multipart/mixed: text/plain "héllo", a.csv attachment sha ok
bare LF: bare LF on line 3
long line: line 13 is 1000 octets long (max 998) | message.1: quoted-printable line of 1000 characters (max 76)
8-bit header: 8-bit byte in header line 3
two subjects: message: header subject appears 2 times
no closing boundary: message: CloseBoundaryNotFoundDefect | strict parse: CloseBoundaryNotFoundDefect
bad base64: message.2: invalid base64: Only base64 data is allowed | strict parse: InvalidBase64CharactersDefect
no Date: missing Date header
RuntimeException parse_message: defects:
array(0) {
}

--TEST--
Message: a 250-character subject folds at 78 columns; body lines over 1,000 characters stay under 998 octets
--EXTENSIONS--
smtp
--FILE--
<?php
require __DIR__ . '/../inc/server.inc';
// the parser keeps CRLF and drops the CRLF before a boundary: compare lines
function lines(string $s): string { return rtrim(str_replace("\r\n", "\n", $s), "\n"); }
$ascii = trim(str_repeat('Your order number 12345 has shipped today. ', 6));
$utf8 = trim(str_repeat('Đơn hàng mới từ website ', 10));
$long = str_repeat('0123456789', 150); // 1,500 characters, no space
foreach ([$ascii, $utf8] as $subject) {
	$raw = (new Smtp\Message())->from('a@example.com')->to('b@example.org')->subject($subject)
		->text("short\n$long\nend\n")->html("<p>$long</p>")->toString();
	$r = parse_message($raw);
	var_dump(strlen($subject) > 200, $r['header']['subject'][0] === $subject);
	$head = substr($raw, 0, strpos($raw, "\r\n\r\n"));
	$max = max(array_map('strlen', explode("\r\n", $head)));
	var_dump($max <= 78);
	$max = max(array_map('strlen', explode("\r\n", $raw)));
	var_dump($max <= 998);
	var_dump(lines($r['structure']['parts'][0]['text']) === lines("short\n$long\nend\n"));
	var_dump(lines($r['structure']['parts'][1]['text']) === "<p>$long</p>");
}
?>
--EXPECT--
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)

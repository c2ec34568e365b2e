--TEST--
Message: Vietnamese subject and display names round-trip through a strict parser
--EXTENSIONS--
smtp
--FILE--
<?php
require __DIR__ . '/../inc/server.inc';
// the parser keeps CRLF and drops the CRLF before a boundary: compare lines
function lines(string $s): string { return rtrim(str_replace("\r\n", "\n", $s), "\n"); }
$m = (new Smtp\Message())
	->from('shop@example.com', 'Cửa hàng Đà Nẵng')
	->to('an@example.org', 'Nguyễn Văn An')
	->cc('binh@example.org', 'Trần Thị Bình')
	->subject('Đơn hàng mới từ website')
	->text("Xin chào Nguyễn Văn An,\nĐơn hàng của bạn đã được ghi nhận.\n");
$raw = $m->toString();
$r = parse_message($raw);
var_dump($r['header']['subject'][0]);
var_dump($r['addresses']['from'][0]['name'], $r['addresses']['to'][0]['name'], $r['addresses']['cc'][0]['name']);
var_dump(lines($r['structure']['text']) === lines("Xin chào Nguyễn Văn An,\nĐơn hàng của bạn đã được ghi nhận.\n"));
// nothing but ASCII in the header block
var_dump(mb_check_encoding(substr($raw, 0, strpos($raw, "\r\n\r\n")), 'ASCII'));
?>
--EXPECT--
string(30) "Đơn hàng mới từ website"
string(23) "Cửa hàng Đà Nẵng"
string(16) "Nguyễn Văn An"
string(18) "Trần Thị Bình"
bool(true)
bool(true)

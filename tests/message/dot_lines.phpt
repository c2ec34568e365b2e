--TEST--
Message: lines that start with "." are kept as they are (the transport dot-stuffs)
--EXTENSIONS--
smtp
--FILE--
<?php
require __DIR__ . '/../inc/server.inc';
// the parser keeps CRLF and drops the CRLF before a boundary: compare lines
function lines(string $s): string { return rtrim(str_replace("\r\n", "\n", $s), "\n"); }
$text = ".\n..two\n.leading dot\nmiddle\n.\n";
$raw = (new Smtp\Message())->from('a@example.com')->to('b@example.org')->text($text)->toString();
var_dump(str_contains($raw, "\r\n\r\n.\r\n..two\r\n.leading dot\r\nmiddle\r\n.\r\n"));
$r = parse_message($raw);
var_dump($r['structure']['cte'], lines($r['structure']['text']) === lines($text));
?>
--EXPECT--
bool(true)
string(4) "7bit"
bool(true)

--TEST--
Message: a non-ASCII domain goes out as IDNA A-labels in headers and Message-ID
--EXTENSIONS--
smtp
--FILE--
<?php
require __DIR__ . '/../inc/server.inc';
$m = (new Smtp\Message())->from('shop@bücher.example')->to('user@BÜCHER.example', 'Ü')->text('x');
$raw = $m->toString();
$r = parse_message($raw);
var_dump($r['addresses']['from'][0]['address'], $r['addresses']['to'][0]['address']);
var_dump(str_ends_with($m->messageId(), '@xn--bcher-kva.example'));
?>
--EXPECT--
string(26) "shop@xn--bcher-kva.example"
string(26) "user@xn--bcher-kva.example"
bool(true)

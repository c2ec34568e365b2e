--TEST--
Message: Bcc never appears in the written message
--EXTENSIONS--
smtp
--FILE--
<?php
require __DIR__ . '/../inc/server.inc';
$m = (new Smtp\Message())->from('a@example.com')->to('b@example.org')->bcc('hidden@example.net', 'Hidden Person')->text('x');
$raw = $m->toString();
var_dump(stripos($raw, 'hidden'), stripos($raw, 'bcc'));
$r = parse_message($raw);
var_dump(isset($r['header']['bcc']));
?>
--EXPECT--
bool(false)
bool(false)
bool(false)

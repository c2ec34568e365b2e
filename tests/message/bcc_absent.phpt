--TEST--
Message: Bcc never appears in the written message
--EXTENSIONS--
smtp
--FILE--
<?php
require __DIR__ . '/../inc/server.inc';
$m = (new Smtp\Message())->from('a@example.com')->to('b@example.org')->bcc('hidden@example.net', 'Hidden Person')->text('x');
$raw = $m->toString();
/* a Bcc field by name (the random Message-ID and boundaries may hold "bcc" as hex) */
var_dump(stripos($raw, 'hidden'), preg_match('/^bcc:/mi', $raw));
$r = parse_message($raw);
var_dump(isset($r['header']['bcc']));
?>
--EXPECT--
bool(false)
int(0)
bool(false)

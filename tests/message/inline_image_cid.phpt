--TEST--
Message: embed() gives multipart/related with the image inline under its Content-ID
--EXTENSIONS--
smtp
--FILE--
<?php
require __DIR__ . '/../inc/server.inc';
$png = tempnam(sys_get_temp_dir(), 'smtp-png');
file_put_contents($png, "\x89PNG\r\n\x1a\n" . random_bytes(2000));
$raw = (new Smtp\Message())->from('a@example.com')->to('b@example.org')
	->text('plain version')->html('<p><img src="cid:logo@shop"></p>')->embed($png, 'logo@shop', 'logo.png')
	->toString();
$r = parse_message($raw);
$s = $r['structure'];
var_dump($s['content_type'], $s['parts'][0]['content_type'], $s['parts'][1]['content_type']);
$related = $s['parts'][1];
var_dump($related['parts'][0]['content_type']);
$img = $related['parts'][1];
var_dump($img['content_type'], $img['content_id'], $img['disposition'], $img['sha256'] === hash_file('sha256', $png));
unlink($png);
?>
--EXPECT--
string(21) "multipart/alternative"
string(10) "text/plain"
string(17) "multipart/related"
string(9) "text/html"
string(9) "image/png"
string(11) "<logo@shop>"
string(6) "inline"
bool(true)

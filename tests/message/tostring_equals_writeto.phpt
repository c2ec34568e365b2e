--TEST--
Message: toString() and writeTo() give the same bytes; messageId() is stable; a clone gets a new one
--EXTENSIONS--
smtp
--FILE--
<?php
require __DIR__ . '/../inc/server.inc';
$file = tempnam(sys_get_temp_dir(), 'smtp-att');
file_put_contents($file, random_bytes(200000));
$m = (new Smtp\Message())->from('shop@example.com', 'Shop')->to('b@example.org')->subject('Hi')
	->text('text')->html('<b>html</b>')->attach($file);
$id = $m->messageId();
var_dump(preg_match('/^[0-9a-f]{32}@example\.com$/', $id));
$string = $m->toString();
$stream = fopen('php://temp', 'w+');
$written = $m->writeTo($stream);
rewind($stream);
var_dump($written === strlen($string), stream_get_contents($stream) === $string);
var_dump($m->toString() === $string, $m->messageId() === $id);
var_dump(str_contains($string, "Message-ID: <$id>\r\n"));
// a setter afterwards changes content, not identity
$m->subject('Changed');
var_dump($m->messageId() === $id, str_contains($m->toString(), "Message-ID: <$id>\r\n"));
$c = clone $m;
var_dump($c->messageId() !== $id, str_contains($c->toString(), 'Subject: Changed'));
parse_message($string);
unlink($file);
?>
--EXPECT--
int(1)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)

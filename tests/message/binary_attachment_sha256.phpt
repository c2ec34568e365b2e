--TEST--
Message: binary attachments (file and data) arrive byte for byte
--EXTENSIONS--
smtp
--FILE--
<?php
require __DIR__ . '/../inc/server.inc';
$file = tempnam(sys_get_temp_dir(), 'smtp-att');
file_put_contents($file, random_bytes(300001));
$data = random_bytes(4097) . "\r\n\0\n\r";
$raw = (new Smtp\Message())->from('a@example.com')->to('b@example.org')->text('see attached')
	->attach($file, 'report.pdf')->attachData($data, 'blob.bin')->attach($file, 'báo cáo.zip', 'application/zip')
	->toString();
$r = parse_message($raw);
$parts = $r['structure']['parts'];
var_dump($r['structure']['content_type']);
var_dump($parts[1]['content_type'], $parts[1]['filename'], $parts[1]['sha256'] === hash_file('sha256', $file));
var_dump($parts[2]['content_type'], $parts[2]['filename'], $parts[2]['sha256'] === hash('sha256', $data));
var_dump($parts[3]['content_type'], $parts[3]['filename'], $parts[3]['sha256'] === hash_file('sha256', $file));
unlink($file);
?>
--EXPECT--
string(15) "multipart/mixed"
string(15) "application/pdf"
string(10) "report.pdf"
bool(true)
string(24) "application/octet-stream"
string(8) "blob.bin"
bool(true)
string(15) "application/zip"
string(13) "báo cáo.zip"
bool(true)

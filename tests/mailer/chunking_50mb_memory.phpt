--TEST--
CHUNKING: a 50 MB attachment goes in bounded BDAT chunks streamed from disk; peak memory (PHP and VmHWM) grows by less than 8 MB and the server gets every byte
--EXTENSIONS--
smtp
--FILE--
<?php
require __DIR__ . '/../inc/server.inc';

function vm_hwm_kb(): int
{
	preg_match('/^VmHWM:\s+(\d+) kB/m', file_get_contents('/proc/self/status'), $m);
	return (int) $m[1];
}
$file = tempnam(sys_get_temp_dir(), 'smtp-50mb');
$h = fopen($file, 'wb');
$hash = hash_init('sha256');
for ($i = 0; $i < 50; $i++) {
	$block = random_bytes(1 << 20);
	fwrite($h, $block);
	hash_update($hash, $block);
}
fclose($h);
unset($block);
$digest = hash_final($hash);

$srv = SmtpTestServer::start(['chunking' => true]);
$mailer = new Smtp\Mailer($srv->config(['timeout' => 30]));
$m = (new Smtp\Message())->from('a@x.test')->to('b@y.test')->subject('big')->text('see attached')->attach($file, 'big.bin');
$php_before = memory_get_peak_usage(true);
$hwm_before = vm_hwm_kb();
$receipt = $mailer->send($m);
$php_growth = memory_get_peak_usage(true) - $php_before;
$hwm_growth = (vm_hwm_kb() - $hwm_before) * 1024;
$mailer->close();
var_dump($php_growth < 8 << 20, $hwm_growth < 8 << 20);
if ($php_growth >= 8 << 20 || $hwm_growth >= 8 << 20) {
	echo "php growth $php_growth, VmHWM growth $hwm_growth\n";
}
/* read from the spool line by line: the whole message would not fit in memory_limit */
for ($i = 0; $i < 300 && !is_file("$srv->dir/0001.json"); $i++) {
	usleep(100000);
}
$got = json_decode(file_get_contents("$srv->dir/0001.json"), true);
echo "transfer: $got[transfer], chunks: ", count($got['chunks']) > 400 ? 'over 400' : count($got['chunks']),
	", the largest: ", max($got['chunks']) <= 128 * 1024 ? 'at most 128 KB' : max($got['chunks']), "\n";
$raw = fopen("$srv->dir/0001.eml", 'rb');
while (($line = fgets($raw)) !== false && $line !== "Content-Disposition: attachment; filename=\"big.bin\"\r\n");
fgets($raw); /* the blank line */
$ctx = hash_init('sha256');
while (($line = fgets($raw)) !== false && !str_starts_with($line, '--')) {
	hash_update($ctx, base64_decode(rtrim($line, "\r\n"), true));
}
fclose($raw);
var_dump(hash_final($ctx) === $digest);
unlink($file);
?>
--EXPECT--
bool(true)
bool(true)
transfer: BDAT, chunks: over 400, the largest: at most 128 KB
bool(true)

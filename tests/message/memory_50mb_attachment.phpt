--TEST--
Message: a 50 MB attachment written through writeTo() grows peak memory (PHP and VmHWM) by less than 8 MB
--EXTENSIONS--
smtp
--FILE--
<?php
function vm_hwm_kb(): int
{
	preg_match('/^VmHWM:\s+(\d+) kB/m', file_get_contents('/proc/self/status'), $m);
	return (int) $m[1];
}
$dir = sys_get_temp_dir();
$file = tempnam($dir, 'smtp-50mb');
$out = tempnam($dir, 'smtp-out');
// write the 50 MB file in 1 MB pieces so making it does not raise the peaks
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

$php_before = memory_get_peak_usage(true);
$hwm_before = vm_hwm_kb();
$m = (new Smtp\Message())->from('a@example.com')->to('b@example.org')->subject('big')->text('see attached')
	->attach($file, 'big.bin');
$stream = fopen($out, 'wb');
$written = $m->writeTo($stream);
fclose($stream);
$php_growth = memory_get_peak_usage(true) - $php_before;
$hwm_growth = (vm_hwm_kb() - $hwm_before) * 1024;
var_dump($written === filesize($out), $written > 50 * (1 << 20) * 4 / 3);
var_dump($php_growth < 8 << 20, $hwm_growth < 8 << 20);
if ($php_growth >= 8 << 20 || $hwm_growth >= 8 << 20) {
	echo "php growth $php_growth, VmHWM growth $hwm_growth\n";
}

// the attachment in the file decodes to the original (decoded in a streaming filter, not in memory)
$raw = fopen($out, 'rb');
while (($line = fgets($raw)) !== false && $line !== "Content-Disposition: attachment; filename=\"big.bin\"\r\n");
fgets($raw); // the blank line
$ctx = hash_init('sha256');
$carry = '';
while (($line = fgets($raw)) !== false && !str_starts_with($line, '--')) {
	hash_update($ctx, base64_decode(rtrim($line, "\r\n"), true));
}
fclose($raw);
var_dump(hash_final($ctx) === $digest);
unlink($file);
unlink($out);
?>
--EXPECT--
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)

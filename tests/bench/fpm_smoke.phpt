--TEST--
bench/fpm.sh, the php-fpm harness of the benchmark, works (FPM_SMOKE=1: a few requests per peer on plain loopback, no delay): every peer's requests answer ok, every message reaches the relay, the persistent peers use no more connections than workers and their later requests cost 1 round trip with CHUNKING, 2 without. No timing is checked.
--EXTENSIONS--
smtp
--SKIPIF--
<?php
if (!glob('/usr/sbin/php-fpm*')) {
	die('skip php-fpm missing (scripts/deps.sh core installs it)');
}
if (getenv('SKIP_ASAN')) {
	die('skip php-fpm is not an ASan build: it cannot load the ASan smtp.so');
}
if (getenv('USE_ZEND_ALLOC') === '0') {
	die('skip under valgrind (test-valgrind.sh): a bench harness of some 60 processes; persistent_fpm.phpt checks the extension in php-fpm');
}
?>
--FILE--
<?php
require __DIR__ . '/../inc/server.inc';
$so = substr(smtp_test_php_command()[3], strlen('extension='));
$p = proc_open([__DIR__ . '/../../bench/fpm.sh'], [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes, null,
	['FPM_SMOKE' => '1', 'FPM_REQUESTS' => '8', 'FPM_WORKERS' => '2', 'SO' => $so] + getenv());
$out = stream_get_contents($pipes[1]);
$err = stream_get_contents($pipes[2]);
$status = proc_close($p);
echo "exit status: $status\n";
foreach (explode("\n", trim($out)) as $line) {
	/* connections depend on which workers php-fpm hands the requests to: at most the workers;
	 * the peers' round trips are theirs (AUTH mechanism, library version): not asserted */
	$shown = preg_replace('/, \d+ relay connections/', '', $line);
	echo preg_replace('/^((phpmailer|symfony): \d+ requests ok).*/', '$1', $shown), "\n";
	if (preg_match('/^(ours-persistent|ours-persistent-nochunking|mail): .*, (\d+) relay connections/', $line, $m)) {
		echo "  connections <= workers: ", var_export($m[2] >= 1 && $m[2] <= 2, true), "\n";
	}
}
if ($status !== 0) {
	echo $err;
}
?>
--EXPECT--
exit status: 0
ours-persistent: 8 requests ok, round trips warm 1 cold 7
  connections <= workers: true
ours-persistent-nochunking: 8 requests ok, round trips warm 2 cold 8
  connections <= workers: true
mail: 8 requests ok, round trips warm 1 cold 7
  connections <= workers: true
ours: 8 requests ok, round trips warm 8 cold 8
phpmailer: 8 requests ok
symfony: 8 requests ok

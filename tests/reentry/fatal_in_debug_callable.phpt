--TEST--
Re-entry: a fatal error in the debug callable (E_USER_ERROR, the memory limit) in any phase of a send, libcurl's callbacks included, ends the script as a fatal error (exit 255, no crash); a shutdown function then finds the dead send's Mailer refusing ("this Mailer is sending") or idle, and another Mailer sends; only a message whose final reply had come arrived
--EXTENSIONS--
smtp
--FILE--
<?php
require __DIR__ . '/reentry.inc';
require __DIR__ . '/../inc/child.inc';
$srv = SmtpTestServer::start(['tls' => 'starttls', 'auth' => 'user:secret']);
$config = $srv->config(['username' => 'user', 'password' => 'secret']);
$child = <<<'PHP'
[$config, $prefix, $how] = json_decode($argv[1] ?? getenv('REENTRY_ARGS'), true);
$mailer = new Smtp\Mailer($config + ['debug' => function (string $line) use ($prefix, $how) {
	if (!str_starts_with($line, $prefix)) {
		return;
	}
	if ($how === 'E_USER_ERROR') {
		trigger_error('the debug callable dies', E_USER_ERROR);
	}
	$all = [];
	for (;;) {
		$all[] = str_repeat('x', 1 << 20);
	}
}]);
register_shutdown_function(function () use (&$mailer, $config) {
	try {
		$mailer->close();
		echo "close: returned\n";
	} catch (Smtp\Exception $e) {
		echo 'close: ', str_starts_with($e->getMessage(), 'this Mailer is sending') ? 'refused' : $e->getMessage(), "\n";
	}
	$r = (new Smtp\Mailer($config))->sendRaw('a@x.test', 'b@y.test', "Subject: from the shutdown function\r\n\r\nx\r\n");
	echo 'another Mailer: ', $r instanceof Smtp\Receipt ? 'sent' : '?', "\n";
});
$mailer->sendRaw('a@x.test', 'b@y.test', "Subject: dies\r\n\r\nx\r\n");
echo "not reached\n";
PHP;
/* A fatal error ends the request in the middle of C code: what that code had
 * taken is request memory, which PHP's allocator frees wholesale at the end of
 * the request. Under the ASan run (USE_ZEND_ALLOC=0) those blocks would be
 * reported as leaks; USE_TRACKED_ALLOC=1 frees them at the request's end as
 * the Zend allocator does, while ASan still sees every block. */
putenv('USE_TRACKED_ALLOC=1');
$runs = 0;
foreach (['E_USER_ERROR', 'memory'] as $how) {
	$results = [];
	foreach (REENTRY_PHASES as $phase => $prefix) {
		putenv('REENTRY_ARGS=' . json_encode([$config, $prefix, $how]));
		$r = php_child(['memory_limit' => '32M', 'display_errors' => '1', 'log_errors' => '0'], $child);
		$runs++;
		$fatal = preg_match('/Fatal error: +(the debug callable dies|Allowed memory size)/', $r['stdout']) ? 'fatal' : 'no fatal';
		$results[] = sprintf('exit %d, %s, %s, %s', $r['status'], $fatal,
			/* E_USER_ERROR longjmps out of the send (zend_bailout): the Mailer
			 * it cut short stays refused. The memory limit may instead be
			 * unwound through the send by PHP, which then ends normally and
			 * leaves the Mailer idle: either is safe there */
			str_contains($r['stdout'], 'close: refused') ? 'close safe'
				: ($how === 'memory' && str_contains($r['stdout'], 'close: returned') ? 'close safe' : 'close ?'),
			str_contains($r['stdout'], 'another Mailer: sent') && !str_contains($r['stdout'], 'not reached') ? 'another sent' : 'another ?');
		if ($r['stderr'] !== '') {
			echo "$how, $phase: stderr: $r[stderr]\n";
		}
	}
	$counted = array_count_values($results);
	foreach ($counted as $text => $n) {
		echo "$how: ", $n === count($results) ? 'every phase' : "$n phases", ": $text\n";
	}
}
$subjects = array_count_values(array_map(fn($m) => preg_match('/^Subject: (.*)$/m', $m['data'], $x) ? rtrim($x[1]) : '?',
	$srv->waitForMessages($runs)));
ksort($subjects);
var_dump($subjects);
?>
--EXPECT--
E_USER_ERROR: every phase: exit 255, fatal, close safe, another sent
memory: every phase: exit 255, fatal, close safe, another sent
array(2) {
  ["dies"]=>
  int(2)
  ["from the shutdown function"]=>
  int(14)
}

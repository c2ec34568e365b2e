--TEST--
harness: no server process or spool directory survives a fatal error or a killed PHP
--FILE--
<?php
$inc = var_export(__DIR__ . '/../inc/server.inc', true);
foreach (['fatal' => 'undefined_function();', 'killed' => 'exec("kill -9 " . getmypid()); sleep(5);'] as $how => $end) {
	$code = "require $inc; \$s = SmtpTestServer::start(); echo \$s->pid(), ' ', \$s->dir, \"\\n\"; $end";
	$out = shell_exec(escapeshellarg(PHP_BINARY) . ' -n -r ' . escapeshellarg($code) . ' 2>/dev/null');
	[$pid, $dir] = explode(' ', trim(strtok($out, "\n")));
	$deadline = microtime(true) + 3;
	while (file_exists("/proc/$pid") && !str_contains((string) @file_get_contents("/proc/$pid/stat"), ') Z ') && microtime(true) < $deadline) {
		usleep(10000);
	}
	echo $how, ': server gone: ', var_export(!file_exists("/proc/$pid") || str_contains(file_get_contents("/proc/$pid/stat"), ') Z '), true), "\n";
	if ($how === 'fatal') {
		echo $how, ': spool removed: ', var_export(!is_dir($dir), true), "\n";
	} else {
		exec('rm -rf ' . escapeshellarg($dir));
	}
}
?>
--EXPECT--
fatal: server gone: true
fatal: spool removed: true
killed: server gone: true

--TEST--
deferred under PHP-FPM: a fatal error in the debug callable of the request-end flush (E_USER_ERROR, then the memory limit) does not poison the next request in the same worker: its mail() and Mailer send go out, the message the dead flush held is released (not locked by the worker) and flushed, and the worker never crashed
--EXTENSIONS--
smtp
--SKIPIF--
<?php
$fpm = array_merge(glob('/usr/sbin/php-fpm*') ?: [], array_filter([trim((string) shell_exec('command -v php-fpm'))]));
if (!array_filter($fpm, 'is_executable') || !is_executable('/usr/bin/cgi-fcgi')) {
	die('skip php-fpm or cgi-fcgi missing (scripts/deps.sh core installs them)');
}
if (getenv('SKIP_ASAN')) {
	die('skip php-fpm is not an ASan build: it cannot load the ASan smtp.so');
}
?>
--INI--
sendmail_path=/bin/false
--FILE--
<?php
require __DIR__ . '/spool.inc';
/* the FPM of the PHP running this test: php-fpm8.2 for PHP 8.2, and so on */
$fpmBinary = null;
foreach (["/usr/sbin/php-fpm" . PHP_MAJOR_VERSION . '.' . PHP_MINOR_VERSION, '/usr/sbin/php-fpm', trim((string) shell_exec('command -v php-fpm'))] as $candidate) {
	if ($candidate !== '' && is_executable($candidate)) {
		$fpmBinary = $candidate;
		break;
	}
}
$fpmBinary ??= array_values(array_filter(glob('/usr/sbin/php-fpm*'), 'is_executable'))[0];
$dir = spool_test_dir();
$work = spool_test_dir();
mkdir($work, 0700, true);
$srv = SmtpTestServer::start([]);
$so = substr(smtp_test_php_command()[3] ?? '', strlen('extension='));

file_put_contents("$work/config.json", json_encode($srv->config(['spool' => $dir])));
/* request 1: mail() (so the request has mail()'s mailer), then a deferred
 * send whose debug callable dies at the request-end flush */
file_put_contents("$work/dies.php", '<?php
$config = json_decode(file_get_contents(__DIR__ . "/config.json"), true);
$how = $_SERVER["QUERY_STRING"];
$config["deferred"] = true;
$config["debug"] = function (string $line) use ($how) {
	if ($how === "user_error") {
		trigger_error("the debug callable dies", E_USER_ERROR);
	}
	ini_set("memory_limit", "16M");
	$all = [];
	for (;;) {
		$all[] = str_repeat("x", 1 << 20);
	}
};
$sent = mail("first@y.test", "before the fatal", "x");
$r = (new Smtp\Mailer($config))->sendRaw("a@x.test", "b@y.test", "Subject: deferred $how\r\n\r\nx\r\n");
echo getmypid(), " mail ", var_export($sent, true), ", ", $r->queued ? "queued" : "sent", "\n";
');
/* request 2: the same worker, mail() and a Mailer send, then a flush of what request 1 left */
file_put_contents("$work/next.php", '<?php
$config = json_decode(file_get_contents(__DIR__ . "/config.json"), true);
$sent = mail("next@y.test", "after the fatal", "x");
$why = $sent ? "" : " (" . (smtp_last_result()["error"] ?? "?") . ")";
$r = (new Smtp\Mailer($config))->sendRaw("a@x.test", "b@y.test", "Subject: send after the fatal\r\n\r\nx\r\n");
$flushed = (new Smtp\Spool($config["spool"]))->flush(new Smtp\Mailer($config), force: true);
echo getmypid(), " mail ", var_export($sent, true), "$why, send ", $r->queued ? "queued" : "sent",
	", flush sent $flushed[sent] busy $flushed[busy]\n";
');

$port = SmtpTestServer::unusedPort();
file_put_contents("$work/fpm.conf", "[global]
error_log = $work/fpm.log
daemonize = no
[www]
listen = 127.0.0.1:$port
pm = static
pm.max_children = 1
catch_workers_output = yes
php_admin_value[sendmail_path] = /bin/false
php_admin_value[smtp.override_mail] = 1
php_admin_value[smtp.host] = $srv->host
php_admin_value[smtp.port] = $srv->port
php_admin_value[smtp.encryption] = none
php_admin_value[smtp.from] = site@x.test
php_admin_value[log_errors] = 1
");
$fpm = proc_open([$fpmBinary, '-n', '-R', '-y', "$work/fpm.conf", '-d', "extension=$so"],
	[0 => ['pipe', 'r'], 1 => ['file', "$work/fpm.out", 'a'], 2 => ['file', "$work/fpm.out", 'a']], $pipes);
register_shutdown_function(function () use ($fpm) {
	proc_terminate($fpm);
	proc_close($fpm);
});
$deadline = microtime(true) + 10;
while (!@fsockopen('127.0.0.1', $port) && microtime(true) < $deadline) {
	usleep(50000);
}

function fcgi(int $port, string $script, string $query = ''): string
{
	$request = proc_open(['/usr/bin/cgi-fcgi', '-bind', '-connect', "127.0.0.1:$port"],
		[1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $rp, null,
		['SCRIPT_FILENAME' => $script, 'QUERY_STRING' => $query, 'REQUEST_METHOD' => 'GET', 'SERVER_PROTOCOL' => 'HTTP/1.1']);
	$response = stream_get_contents($rp[1]);
	stream_get_contents($rp[2]);
	proc_close($request);
	$body = trim(substr($response, (strpos($response, "\r\n\r\n") ?: -4) + 4));
	return $body === '' ? '(no response)' : $body;
}

$pids = [];
foreach (['user_error', 'memory'] as $how) {
	$first = fcgi($port, "$work/dies.php", $how);
	/* the request-end flush runs after the response; give it its moment */
	usleep(300000);
	$second = fcgi($port, "$work/next.php");
	foreach ([$first, $second] as $line) {
		[$pid, $rest] = explode(' ', $line, 2) + [1 => ''];
		$pids[] = $pid;
		echo "$how: $rest\n";
	}
}
echo "one worker served all four: ", var_export(count(array_unique($pids)) === 1 && ctype_digit($pids[0]), true), "\n";
$log = file_get_contents("$work/fpm.log") . file_get_contents("$work/fpm.out");
echo "the fatal errors reached the log: ", substr_count($log, 'the debug callable dies'), " + ", substr_count($log, 'Allowed memory size'), "\n";
echo "worker crashed or exited: ", preg_match('/SIGSEGV|exited on signal|exited with code|signal 11/', $log) ? "yes\n$log" : 'no', "\n";
$subjects = array_map(fn($m) => preg_match('/^Subject: (.*)$/m', $m['data'], $x) ? rtrim($x[1]) : '?', $srv->waitForMessages(8));
sort($subjects);
echo implode("\n", $subjects), "\n";
echo "queued now: ", count(new Smtp\Spool($dir)), "\n";
?>
--EXPECT--
user_error: mail true, queued
user_error: mail true, send sent, flush sent 1 busy 0
memory: mail true, queued
memory: mail true, send sent, flush sent 1 busy 0
one worker served all four: true
the fatal errors reached the log: 1 + 1
worker crashed or exited: no
after the fatal
after the fatal
before the fatal
before the fatal
deferred memory
deferred user_error
send after the fatal
send after the fatal
queued now: 0

--TEST--
deferred under PHP-FPM: the FastCGI response (a queued Receipt) comes back at once, fastcgi_finish_request() ends it before the slow relay is even greeted, and the message arrives afterwards; nothing is left queued
--EXTENSIONS--
smtp
--SKIPIF--
<?php
// the FPM of the PHP running this test (Debian: /usr/bin/php8.4 -> /usr/sbin/php-fpm8.4); a
// PHP built elsewhere (ZTS, debug) has none beside it, and another build could not load smtp.so
$fpm = dirname(realpath(PHP_BINARY), 2) . '/sbin/php-fpm' . PHP_MAJOR_VERSION . '.' . PHP_MINOR_VERSION;
if (!is_executable($fpm) || !is_executable('/usr/bin/cgi-fcgi')) {
	die("skip $fpm or cgi-fcgi missing (scripts/deps.sh core installs them)");
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
$dir = spool_test_dir();
$work = spool_test_dir();
mkdir($work, 0700, true);
/* every reply one byte at a time, 20 ms apart: one message takes seconds */
$srv = SmtpTestServer::start(['fault' => ['trickle' => 0.02]]);
$so = smtp_test_php_command()[3] ?? '';
$so = substr($so, strlen('extension='));

$script = "$work/send.php";
file_put_contents($script, '<?php
$mailer = new Smtp\Mailer(json_decode(file_get_contents(__DIR__ . "/config.json"), true));
$r = $mailer->sendRaw("a@x.test", "b@y.test", "Subject: fpm\r\nMessage-ID: <fpm-1@x.test>\r\n\r\nsent after the response\r\n");
echo $r->queued ? "queued " : "sent ", $r->messageId, "\n";
');
file_put_contents("$work/config.json", json_encode($srv->config(['spool' => $dir, 'deferred' => true, 'timeout' => 30])));

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
");
$fpm = proc_open([dirname(realpath(PHP_BINARY), 2) . '/sbin/php-fpm' . PHP_MAJOR_VERSION . '.' . PHP_MINOR_VERSION, '-n', '-R', '-y', "$work/fpm.conf", '-d', "extension=$so"],
	[0 => ['pipe', 'r'], 1 => ['file', "$work/fpm.out", 'a'], 2 => ['file', "$work/fpm.out", 'a']], $pipes);
register_shutdown_function(function () use ($fpm) {
	proc_terminate($fpm);
	proc_close($fpm);
});
$deadline = microtime(true) + 10;
while (!@fsockopen('127.0.0.1', $port) && microtime(true) < $deadline) {
	usleep(50000);
}

$start = microtime(true);
$request = proc_open(['/usr/bin/cgi-fcgi', '-bind', '-connect', "127.0.0.1:$port"],
	[1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $rp, null,
	['SCRIPT_FILENAME' => $script, 'REQUEST_METHOD' => 'GET', 'SERVER_PROTOCOL' => 'HTTP/1.1']);
$response = stream_get_contents($rp[1]);
$stderr = stream_get_contents($rp[2]);
proc_close($request);
$took = microtime(true) - $start;

echo trim(substr($response, strpos($response, "\r\n\r\n") + 4)), "\n";
printf("response before the message: %s\n", var_export(count($srv->messages()) === 0, true));
printf("response in under a second (the relay takes several): %s\n", var_export($took < 1.0, true));
$msgs = $srv->waitForMessages(1, 30.0);
echo count($msgs), " arrived: ", str_contains($msgs[0]['data'] ?? '', 'sent after the response') ? 'the message' : '?', "\n";
/* the queued file goes once the relay's (trickled) 250 is in */
$spool = new Smtp\Spool($dir);
for ($deadline = microtime(true) + 15; count($spool) > 0 && microtime(true) < $deadline;) {
	usleep(50000);
}
var_dump(count($spool), $stderr);
?>
--EXPECT--
queued fpm-1@x.test
response before the message: true
response in under a second (the relay takes several): true
1 arrived: the message
int(0)
string(0) ""

--TEST--
Mailer under PHP-FPM: a pool's php_admin_value and php_value are the administrator's (the relay gets the credentials); a tenant's .user.ini that changes smtp.auth or smtp.verify_peer makes the request send without them, and the refusal says so
--EXTENSIONS--
smtp
--SKIPIF--
<?php
if (!is_executable('/usr/sbin/php-fpm8.2') || !is_executable('/usr/bin/cgi-fcgi')) {
	die('skip php-fpm8.2 or cgi-fcgi missing (scripts/deps.sh core installs them)');
}
if (getenv('SKIP_ASAN')) {
	die('skip php-fpm is not an ASan build: it cannot load the ASan smtp.so');
}
?>
--FILE--
<?php
require __DIR__ . '/../inc/server.inc';
$work = sys_get_temp_dir() . '/smtp-fpm-' . bin2hex(random_bytes(6));
mkdir($work, 0700);
register_shutdown_function(fn() => exec('rm -rf ' . escapeshellarg($work)));
$relay = SmtpTestServer::start(['tls' => 'starttls', 'auth' => 'pool-user:pool-secret-123', 'require_auth' => true]);
$so = substr(smtp_test_php_command()[3] ?? '', strlen('extension='));

$send = '<?php
try {
	echo (new Smtp\Mailer())->sendRaw("site@x.test", "b@y.test", "Subject: " . basename(__DIR__) . "\r\n\r\nx\r\n")->response, "\n";
} catch (Smtp\Exception $e) {
	echo $e->getMessage(), "\n";
}
';
foreach (['admin' => '', 'auth' => "smtp.auth = plain\n", 'verify' => "smtp.verify_peer = 0\n"] as $site => $userIni) {
	mkdir("$work/$site");
	file_put_contents("$work/$site/send.php", $send);
	if ($userIni !== '') {
		file_put_contents("$work/$site/.user.ini", $userIni);
	}
}
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
php_admin_value[smtp.host] = 127.0.0.1
php_admin_value[smtp.port] = {$relay->port}
php_admin_value[smtp.username] = pool-user
php_admin_value[smtp.password] = pool-secret-123
php_value[smtp.cafile] = {$relay->cafile}
php_value[smtp.from] = site@x.test
");
$fpm = proc_open(['/usr/sbin/php-fpm8.2', '-n', '-R', '-y', "$work/fpm.conf", '-d', "extension=$so"],
	[0 => ['pipe', 'r'], 1 => ['file', "$work/fpm.out", 'a'], 2 => ['file', "$work/fpm.out", 'a']], $pipes);
register_shutdown_function(function () use ($fpm) {
	proc_terminate($fpm);
	proc_close($fpm);
});
$deadline = microtime(true) + 10;
while (!@fsockopen('127.0.0.1', $port) && microtime(true) < $deadline) {
	usleep(50000);
}
foreach (['admin', 'auth', 'verify', 'admin'] as $site) {
	$request = proc_open(['/usr/bin/cgi-fcgi', '-bind', '-connect', "127.0.0.1:$port"], [1 => ['pipe', 'w'], 2 => ['pipe', 'w']],
		$rp, null, ['SCRIPT_FILENAME' => "$work/$site/send.php", 'DOCUMENT_ROOT' => "$work/$site",
			'REQUEST_METHOD' => 'GET', 'SERVER_PROTOCOL' => 'HTTP/1.1']);
	$response = stream_get_contents($rp[1]);
	stream_get_contents($rp[2]);
	proc_close($request);
	echo "$site: ", trim(substr($response, strpos($response, "\r\n\r\n") + 4)), "\n";
}
foreach ($relay->waitForSessions(4) as $s) {
	echo "session: ", count($s['auth_attempts']), " AUTH, as ", $s['auth_user'] ?? 'nobody', "\n";
}
?>
--EXPECTF--
admin: 250 2.0.0 OK: queued as 0001
auth: The server %s 530 5.7.0 Authentication required (sent without the php.ini credentials: they are kept for the relay php.ini names, and smtp.auth was changed in this request (ini_set() or .user.ini))
verify: The server %s 530 5.7.0 Authentication required (sent without the php.ini credentials: they are kept for the relay php.ini names, and smtp.verify_peer was changed in this request (ini_set() or .user.ini))
admin: 250 2.0.0 OK: queued as 0002
session: 1 AUTH, as pool-user
session: 0 AUTH, as nobody
session: 0 AUTH, as nobody
session: 1 AUTH, as pool-user

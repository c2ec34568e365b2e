--TEST--
persistent under a real PHP-FPM worker: requests one after another reuse the session the first one opened (Smtp\Mailer with persistent => true, then mail() with smtp.persistent=1 and the same destination); the relay sees one connection for all of them
--EXTENSIONS--
smtp
--SKIPIF--
<?php
if (!glob('/usr/sbin/php-fpm*') || !is_executable('/usr/bin/cgi-fcgi')) {
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
require __DIR__ . '/../inc/server.inc';
$work = sys_get_temp_dir() . '/smtp-fpm-' . bin2hex(random_bytes(6));
mkdir($work, 0700);
$srv = SmtpTestServer::start(['chunking' => true]);
$so = substr(smtp_test_php_command()[3], strlen('extension='));
$fpmBinary = glob('/usr/sbin/php-fpm*')[0];

file_put_contents("$work/config.json", json_encode($srv->config(['persistent' => true])));
file_put_contents("$work/mailer.php", '<?php
$mailer = new Smtp\Mailer(json_decode(file_get_contents(__DIR__ . "/config.json"), true));
$mailer->sendRaw("a@x.test", "b@y.test", "Subject: mailer " . $_GET["n"] . "\r\n\r\nbody\r\n");
echo in_array("* using a session kept from an earlier request", $mailer->transcript(), true) ? "reused" : "fresh", "\n";
');
file_put_contents("$work/mail.php", '<?php
var_dump(mail("b@y.test", "mail()", "body", "From: a@x.test"));
echo in_array("* using a session kept from an earlier request", smtp_last_result()["transcript"], true) ? "reused" : "fresh", "\n";
');
file_put_contents("$work/list.php", '<?php
foreach (smtp_persistent_sessions() as $s) { echo $s["destination"], " messages=", $s["messages"], "\n"; }
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
php_admin_value[smtp.host] = 127.0.0.1
php_admin_value[smtp.port] = $srv->port
php_admin_value[smtp.encryption] = none
php_admin_value[smtp.persistent] = 1
");
$fpm = proc_open([$fpmBinary, '-n', '-R', '-y', "$work/fpm.conf", '-d', "extension=$so"],
	[0 => ['pipe', 'r'], 1 => ['file', "$work/fpm.out", 'a'], 2 => ['file', "$work/fpm.out", 'a']], $pipes);
register_shutdown_function(function () use ($fpm, $work) {
	proc_terminate($fpm);
	proc_close($fpm);
	array_map('unlink', glob("$work/*"));
	rmdir($work);
});
$deadline = microtime(true) + 10;
while (!@fsockopen('127.0.0.1', $port) && microtime(true) < $deadline) {
	usleep(50000);
}

function request(int $port, string $script, string $query = ''): string
{
	$p = proc_open(['/usr/bin/cgi-fcgi', '-bind', '-connect', "127.0.0.1:$port"], [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $rp, null,
		['SCRIPT_FILENAME' => $script, 'REQUEST_METHOD' => 'GET', 'SERVER_PROTOCOL' => 'HTTP/1.1', 'QUERY_STRING' => $query]);
	$response = stream_get_contents($rp[1]);
	$err = stream_get_contents($rp[2]);
	proc_close($p);
	return trim(substr($response, strpos($response, "\r\n\r\n") + 4)) . ($err !== '' ? " [stderr: $err]" : '');
}

for ($n = 1; $n <= 3; $n++) {
	echo "Mailer request $n: ", request($port, "$work/mailer.php", "n=$n"), "\n";
}
echo "mail() request: ", str_replace("\n", ' ', request($port, "$work/mail.php")), "\n";
echo "list: ", str_replace("127.0.0.1:$srv->port", 'relay', request($port, "$work/list.php")), "\n";
$srv->waitForMessages(4);
$sessions = $srv->sessions();
echo "relay connections: ", count($sessions), ", messages on it: ", count(array_values($sessions)[0]['messages']), "\n";
?>
--EXPECT--
Mailer request 1: fresh
Mailer request 2: reused
Mailer request 3: reused
mail() request: bool(true) reused
list: relay (none) messages=4
relay connections: 1, messages on it: 4

--TEST--
deferred: send()/sendRaw() queue at once (queued Receipt), the message goes out at the end of the request, after the script's output, even with the Mailer gone; relay down -> it stays queued
--EXTENSIONS--
smtp
--INI--
sendmail_path=/bin/false
--FILE--
<?php
require __DIR__ . '/spool.inc';
$dir = spool_test_dir();
$srv = SmtpTestServer::start();

/* The child sends deferred, then looks at the server's capture directory: at
 * its last line nothing may have arrived yet. */
$child = sys_get_temp_dir() . '/smtp-deferred-' . bin2hex(random_bytes(4)) . '.php';
file_put_contents($child, <<<'PHP'
<?php
[, $config, $captures] = $argv;
$config = json_decode($config, true);
$mailer = new Smtp\Mailer($config);
$r1 = $mailer->sendRaw('a@x.test', 'b@y.test', "Subject: raw\r\nMessage-ID: <def-1@x.test>\r\n\r\nraw body\r\n");
$m = (new Smtp\Message())->from('shop@x.test')->to('ann@y.test')->subject('built')->text('built body');
$r2 = $mailer->send($m);
echo json_encode([$r1->queued, $r1->messageId, $r2->queued, $r2->messageId === $m->messageId()]), "\n";
unset($mailer, $m); /* the flush at the end must not need the script's reference */
gc_collect_cycles();
echo "arrived before the end: ", count(glob("$captures/[0-9]*.json")), "\n";
echo "MARKER\n";
PHP);
register_shutdown_function(fn() => @unlink($child));

function run_child(string $child, array $config, string $captures): array
{
	$cmd = array_merge(smtp_test_php_command(), ['-d', 'sendmail_path=/bin/false', $child, json_encode($config), $captures]);
	$p = proc_open($cmd, [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
	$out = stream_get_contents($pipes[1]);
	$err = stream_get_contents($pipes[2]);
	$status = proc_close($p);
	return [$status, $out, $err];
}

echo "-- relay up\n";
[$status, $out, $err] = run_child($child, $srv->config(['spool' => $dir, 'deferred' => true]), $srv->dir);
echo $out;
var_dump($status, $err);
/* the child has exited: both messages were sent at its end, nothing is left */
$msgs = $srv->waitForMessages(2);
var_dump(count($msgs), str_contains($msgs[0]['data'], 'raw body'), str_contains($msgs[1]['data'], 'Subject: built'));
$spool = new Smtp\Spool($dir);
var_dump(count($spool), spool_test_files($dir, 'failed'));

echo "-- relay down\n";
[$status, $out, $err] = run_child($child, spool_test_down_relay($dir) + ['deferred' => true], $srv->dir);
echo $out;
var_dump($status, $err);
$list = $spool->messages();
var_dump(count($list), $list[0]['attempts'], $list[0]['next_try'] > time(), str_contains($list[0]['last_error'], 'onnect'));
var_dump(count($srv->messages()));

echo "-- config\n";
try {
	new Smtp\Mailer(['host' => '127.0.0.1', 'deferred' => true]);
} catch (Smtp\InvalidArgumentException $e) {
	echo $e->getMessage(), "\n";
}
?>
--EXPECT--
-- relay up
[true,"def-1@x.test",true,true]
arrived before the end: 0
MARKER
int(0)
string(0) ""
int(2)
bool(true)
bool(true)
int(0)
array(0) {
}
-- relay down
[true,"def-1@x.test",true,true]
arrived before the end: 2
MARKER
int(0)
string(0) ""
int(2)
int(1)
bool(true)
bool(true)
int(2)
-- config
Config key "deferred" needs "spool" (a directory to queue messages in)

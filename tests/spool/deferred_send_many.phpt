--TEST--
deferred with sendMany: every message is queued at once (a queued Receipt in its slot, a bad message still its exception), and all go out at the end of the request, after the script's output
--EXTENSIONS--
smtp
--INI--
sendmail_path=/bin/false
--FILE--
<?php
require __DIR__ . '/spool.inc';
$dir = spool_test_dir();
$srv = SmtpTestServer::start();

$child = sys_get_temp_dir() . '/smtp-deferred-many-' . bin2hex(random_bytes(4)) . '.php';
file_put_contents($child, <<<'PHP'
<?php
[, $config, $captures] = $argv;
$mailer = new Smtp\Mailer(json_decode($config, true));
$make = fn($n) => (new Smtp\Message())->from('shop@x.test')->to("n$n@y.test")->subject("many $n")->text("body $n");
$results = $mailer->sendMany(['a' => $make(1), 'bad' => (new Smtp\Message())->from('shop@x.test'), 'c' => $make(3)], concurrency: 2);
foreach ($results as $key => $r) {
	echo $key, ': ', $r instanceof Smtp\Receipt ? ($r->queued ? 'queued ' . $r->response : 'sent') : get_class($r), "\n";
}
unset($mailer);
echo "arrived before the end: ", count(glob("$captures/[0-9]*.json")), "\n";
PHP);
register_shutdown_function(fn() => @unlink($child));

$cmd = array_merge(smtp_test_php_command(), ['-d', 'sendmail_path=/bin/false', $child,
	json_encode($srv->config(['spool' => $dir, 'deferred' => true])), $srv->dir]);
$p = proc_open($cmd, [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
echo stream_get_contents($pipes[1]);
$err = stream_get_contents($pipes[2]);
var_dump(proc_close($p), $err);
$msgs = $srv->waitForMessages(2);
$subjects = array_map(fn($m) => preg_match('/^Subject: (.*)\r$/m', $m['data'], $s) ? $s[1] : '?', $msgs);
sort($subjects);
echo count($msgs), " arrived at the end: ", implode(', ', $subjects), "\n";
var_dump(count(new Smtp\Spool($dir)));
?>
--EXPECT--
a: queued deferred: to be sent at the end of the request
bad: Smtp\InvalidArgumentException
c: queued deferred: to be sent at the end of the request
arrived before the end: 0
int(0)
string(0) ""
2 arrived at the end: many 1, many 3
int(0)

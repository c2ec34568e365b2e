--TEST--
spool: two PHP processes flushing the same spool at once send every message exactly once
--EXTENSIONS--
smtp
--INI--
sendmail_path=/bin/false
--FILE--
<?php
require __DIR__ . '/spool.inc';
$dir = spool_test_dir();
$n = 40;
$down = new Smtp\Mailer(spool_test_down_relay($dir));
for ($i = 0; $i < $n; $i++) {
	$down->sendRaw('a@x.test', 'b@y.test', "Subject: m$i\r\nMessage-ID: <m$i@x.test>\r\n\r\nbody $i\r\n");
}
$spool = new Smtp\Spool($dir);
var_dump(count($spool));

$srv = SmtpTestServer::start(['fault' => ['trickle' => 0.0005]]);
$go = "$dir/go";
$child = <<<'PHP'
$cfg = json_decode($argv[1], true);
while (!file_exists($argv[3])) { usleep(1000); }
$s = (new Smtp\Spool($argv[2]))->flush(new Smtp\Mailer($cfg), 1000, true);
echo json_encode($s);
PHP;
$procs = [];
for ($k = 0; $k < 2; $k++) {
	$argv = [...smtp_test_php_command(), '-r', $child,
		json_encode($srv->config()), $dir, $go];
	$procs[$k] = proc_open($argv, [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes[$k]);
}
touch($go);
$sent = 0;
$busyOrGone = 0;
foreach ($procs as $k => $p) {
	$out = stream_get_contents($pipes[$k][1]);
	$err = stream_get_contents($pipes[$k][2]);
	proc_close($p);
	$s = json_decode($out, true);
	if (!is_array($s)) {
		echo "child $k failed: $out $err\n";
		continue;
	}
	$sent += $s['sent'];
	if ($s['deferred'] || $s['failed']) {
		echo "child $k: ", $out, "\n";
	}
}
$msgs = $srv->waitForMessages($n, 20);
usleep(300000);
$msgs = $srv->messages();
$ids = [];
foreach ($msgs as $m) {
	preg_match('/Message-ID: <([^>]+)>/', $m['data'], $mm);
	$ids[] = $mm[1];
}
echo "sent by flushers: $sent\n";
echo "received: ", count($msgs), ", distinct: ", count(array_unique($ids)), "\n";
echo "sessions used: ", count($srv->sessions()) >= 2 ? "2+" : "1", "\n";
var_dump(count($spool), spool_test_files($dir, 'failed'));
?>
--EXPECT--
int(40)
sent by flushers: 40
received: 40, distinct: 40
sessions used: 2+
int(0)
array(0) {
}

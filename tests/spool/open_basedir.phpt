--TEST--
spool: open_basedir applies to the spool directory (Smtp\Spool, a Mailer's spool key, smtp.spool_dir when a send would queue)
--EXTENSIONS--
smtp
--FILE--
<?php
require __DIR__ . '/spool.inc';
require __DIR__ . '/../inc/child.inc';
$base = spool_test_dir();
$outside = spool_test_dir();
mkdir($base, 0700);
mkdir($outside, 0700);
$relay = SmtpTestServer::unusedPort();
$code = sprintf('
	$show = fn(Throwable $e) => get_class($e) . ": " . strtr($e->getMessage(), [%1$s => "BASE", %2$s => "OUTSIDE"]);
	foreach (["Spool outside" => fn() => new Smtp\Spool(%2$s . "/spool"),
		"Spool inside" => fn() => new Smtp\Spool(%1$s . "/spool"),
		"Mailer spool outside" => fn() => new Smtp\Mailer(["host" => "127.0.0.1", "port" => %3$d, "encryption" => "none", "spool" => %2$s . "/spool2"]),
		"INI spool outside, a send that would queue" => fn() => (new Smtp\Mailer())->sendRaw("a@x.test", "b@y.test", "Subject: x\r\n\r\nx\r\n"),
	] as $label => $f) {
		try { $f(); echo "$label: ok\n"; } catch (Throwable $e) { echo "$label: ", $show($e), "\n"; }
	}', var_export($base, true), var_export($outside, true), $relay);
$r = php_child(['open_basedir' => $base, 'smtp.host' => '127.0.0.1', 'smtp.port' => $relay, 'smtp.encryption' => 'none',
	'smtp.timeout' => 2, 'smtp.spool_dir' => "$outside/spool3"], $code);
echo strtr($r['stdout'] . $r['stderr'], [$base => 'BASE', $outside => 'OUTSIDE']);
echo "made outside: ", json_encode(array_values(array_diff(scandir($outside), ['.', '..']))), "\n";
echo "made inside: ", json_encode(array_values(array_diff(scandir($base), ['.', '..']))), "\n";
?>
--EXPECTF--
Spool outside: Smtp\InvalidArgumentException: Spool: the spool directory OUTSIDE/spool is outside open_basedir
Spool inside: ok
Mailer spool outside: Smtp\InvalidArgumentException: Config key "spool": the spool directory OUTSIDE/spool2 is outside open_basedir

Warning: Smtp\Mailer::sendRaw(): Could not spool the message: the spool directory OUTSIDE/spool3 is outside open_basedir in Command line code on line %d
INI spool outside, a send that would queue: Smtp\ConnectionException: %s
made outside: []
made inside: ["spool"]

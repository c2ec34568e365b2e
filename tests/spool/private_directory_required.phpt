--TEST--
spool: the spool directory must belong to this process's user and not be writable by group or others (Spool, flush, a Mailer's spool key, smtp.spool_dir, mail()); nothing is written into one that is not
--EXTENSIONS--
smtp
--SKIPIF--
<?php if (function_exists('posix_geteuid') && posix_geteuid() !== 0) die('skip needs root to chown'); ?>
--INI--
sendmail_path=/bin/false
--FILE--
<?php
require __DIR__ . '/spool.inc';
require __DIR__ . '/../inc/child.inc';
$dir = spool_test_dir();
$show = fn(Throwable $e) => get_class($e) . ': ' . str_replace($dir, 'DIR', $e->getMessage());
$try = function (string $label, callable $f) use ($show) {
	try {
		$f();
		echo "$label: ok\n";
	} catch (Throwable $e) {
		echo "$label: ", $show($e), "\n";
	}
};

mkdir($dir, 0700);
foreach ([0777, 0770, 0702, 0755, 0700] as $mode) {
	chmod($dir, $mode);
	$try(sprintf('Spool on %04o', $mode), fn() => new Smtp\Spool($dir));
}
chmod("$dir/queue", 0777);
$try('queue/ 0777', fn() => new Smtp\Spool($dir));
chmod("$dir/queue", 0700);
chown($dir, 65534);
$try('owned by uid 65534', fn() => new Smtp\Spool($dir));
chown($dir, 0);

/* Opened up after the Spool was made: flush refuses to read or send anything. */
file_put_contents("$dir/queue/" . sprintf('%010d-000000001-1-%016x.msg', time(), 1),
	"php-smtp-spool 1\nfrom a@x.test\nrcpt b@y.test\nsmtputf8 0\nqueued 1\nattempts 0\nnext 1\nerror \n\nSubject: planted\r\n\r\nx\r\n");
$spool = new Smtp\Spool($dir);
chmod($dir, 0777);
$srv = SmtpTestServer::start();
$try('flush on 0777', fn() => $spool->flush(new Smtp\Mailer($srv->config())));
echo "sessions at the server: ", count($srv->sessions()), "\n";

/* A Mailer's spool key is checked in the constructor. */
$try('Mailer spool 0777', fn() => new Smtp\Mailer(spool_test_down_relay($dir)));
chmod($dir, 0700);
$try('Mailer spool 0700', fn() => new Smtp\Mailer(spool_test_down_relay($dir)));

/* smtp.spool_dir (php.ini) on a world-writable directory: the message is not queued there. */
$open = spool_test_dir();
mkdir($open, 0777);
chmod($open, 0777);
$ini = ['smtp.host' => '127.0.0.1', 'smtp.port' => SmtpTestServer::unusedPort(), 'smtp.encryption' => 'none',
	'smtp.timeout' => 2, 'smtp.spool_dir' => $open, 'smtp.from' => 'a@x.test', 'smtp.override_mail' => 1];
$r = php_child($ini, 'try { (new Smtp\Mailer())->sendRaw("a@x.test", "b@y.test", "Subject: x\r\n\r\nx\r\n"); echo "queued\n"; }
	catch (Smtp\Exception $e) { echo get_class($e), "\n"; }
	var_dump(mail("b@y.test", "x", "x"));');
echo str_replace($open, 'OPEN', $r['stdout'] . $r['stderr']);
echo "written into it: ", json_encode(array_values(array_diff(scandir($open), ['.', '..']))), "\n";
?>
--EXPECTF--
Spool on 0777: Smtp\Exception: Spool: the spool directory DIR is writable by its group or by others (mode 0777): another local user could read the queued mail and add messages that go out with this site's credentials; make it private (chmod 700)
Spool on 0770: Smtp\Exception: Spool: the spool directory DIR is writable by its group or by others (mode 0770): %s
Spool on 0702: Smtp\Exception: Spool: the spool directory DIR is writable by its group or by others (mode 0702): %s
Spool on 0755: ok
Spool on 0700: ok
queue/ 0777: Smtp\Exception: Spool: the spool directory DIR/queue is writable by its group or by others (mode 0777): %s
owned by uid 65534: Smtp\Exception: Spool: the spool directory DIR belongs to uid 65534, not to this process's user (uid 0): another user could read the queued mail and add messages to it
flush on 0777: Smtp\Exception: Spool: the spool directory DIR is writable by its group or by others (mode 0777): %s
sessions at the server: 0
Mailer spool 0777: Smtp\InvalidArgumentException: Config key "spool": the spool directory DIR is writable by its group or by others (mode 0777): %s
Mailer spool 0700: ok

Warning: Smtp\Mailer::sendRaw(): Could not spool the message: the spool directory OPEN is writable by its group or by others (mode 0777): %s
Smtp\ConnectionException

Warning: mail(): Could not spool the message: the spool directory OPEN is writable by its group or by others (mode 0777): %s

Warning: mail(): %s
bool(false)
written into it: []

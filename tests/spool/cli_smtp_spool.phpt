--TEST--
scripts/smtp-spool: list, show, flush (exit 75 while the relay is down, 1 when a message fails, 0 when all went), retry, purge, usage errors (exit 2)
--EXTENSIONS--
smtp
--INI--
sendmail_path=/bin/false
--FILE--
<?php
require __DIR__ . '/spool.inc';
$dir = spool_test_dir();
$tool = dirname(__DIR__, 2) . '/scripts/smtp-spool';

function tool(string $tool, array $args, array $ini = []): array
{
	$cmd = array_merge(smtp_test_php_command(), ['-d', 'sendmail_path=/bin/false'], $ini, [$tool], $args);
	$p = proc_open($cmd, [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
	$out = stream_get_contents($pipes[1]);
	$err = stream_get_contents($pipes[2]);
	return [proc_close($p), $out, $err];
}

var_dump(is_executable($tool), str_starts_with(file_get_contents($tool), "#!/usr/bin/env php\n"));

$down = new Smtp\Mailer(spool_test_down_relay($dir));
$down->sendRaw('a@x.test', ['b@y.test', 'c@y.test'], "Subject: one\r\nMessage-ID: <cli-1@x.test>\r\n\r\nfirst\r\n");
$down->sendRaw('a@x.test', 'd@y.test', "Subject: two\r\nMessage-ID: <cli-2@x.test>\r\n\r\nsecond\r\n");
$ids = array_column((new Smtp\Spool($dir))->messages(), 'id');

echo "-- list\n";
[$rc, $out, $err] = tool($tool, ['--dir', $dir, 'list']);
$lines = explode("\n", trim($out));
var_dump($rc, count($lines), str_starts_with($lines[0], $ids[0]), str_contains($lines[0], 'to=<b@y.test>,<c@y.test>'), trim($err));

echo "-- show\n";
[$rc, $out] = tool($tool, ['show', $ids[1], '--dir', $dir]);
var_dump($rc, str_contains($out, "to: <d@y.test>\n"), str_contains($out, "area: queue\n"), str_ends_with($out, "\r\n\r\nsecond\r\n"));
[$rc, , $err] = tool($tool, ['--dir', $dir, 'show', '1700000000-1-1-0123456789abcdef.msg']);
var_dump($rc, trim($err));

echo "-- flush, relay still down\n";
$downDsn = 'smtp://127.0.0.1:' . SmtpTestServer::unusedPort() . '?encryption=none&timeout=2';
[$rc, $out] = tool($tool, ['--dir', $dir, '--dsn', $downDsn, 'flush', '--force']);
var_dump($rc, trim($out));

echo "-- flush, a relay that refuses (554): to failed/\n";
$refusing = SmtpTestServer::start(['fault' => ['data_reply' => 554]]);
[$rc, $out, $err] = tool($tool, ['--dir', $dir, '--dsn', $refusing->dsn(), 'flush', '--force', '--limit', '1']);
var_dump($rc, trim($out), str_contains($err, '554'));
[$rc, $out] = tool($tool, ['--dir', $dir, 'list', '--failed']);
var_dump($rc, str_starts_with($out, $ids[0]), str_contains($out, 'error="'));

echo "-- retry\n";
[$rc, $out] = tool($tool, ['--dir', $dir, 'retry', $ids[0]]);
var_dump($rc, trim($out));
[$rc, , $err] = tool($tool, ['--dir', $dir, 'retry', $ids[0]]);
var_dump($rc, trim($err));
$spool = new Smtp\Spool($dir);
$again = $spool->messages();
var_dump(count($again), count($spool->messages(true)), $again[0]['next_try'] <= time());

echo "-- flush, relay up\n";
$srv = SmtpTestServer::start();
[$rc, $out] = tool($tool, ['--dir', $dir, '--dsn', $srv->dsn(), 'flush']);
var_dump($rc, trim($out)); /* the retried one is due now; the other one is not yet */
[$rc, $out] = tool($tool, ['--dir', $dir, '--dsn', $srv->dsn(), 'flush', '--force']);
var_dump($rc, trim($out), count($srv->waitForMessages(2)));

echo "-- flush with the relay from smtp.* INI\n";
$down->sendRaw('a@x.test', 'e@y.test', "Subject: three\r\n\r\nthird\r\n");
$cmd = ['-d', "smtp.host=127.0.0.1", '-d', "smtp.port=$srv->port", '-d', 'smtp.encryption=none', '-d', "smtp.spool_dir=$dir"];
[$rc, $out] = tool($tool, ['flush', '--force'], $cmd);
var_dump($rc, trim($out), count($srv->waitForMessages(3)));

echo "-- purge\n";
$down->sendRaw('a@x.test', 'f@y.test', "Subject: four\r\n\r\nfourth\r\n");
$down->sendRaw('a@x.test', 'g@y.test', "Subject: five\r\n\r\nfifth\r\n");
[$rc, $out] = tool($tool, ['--dir', $dir, 'purge', '--older-than', '3600']);
var_dump($rc, trim($out));
[$rc, $out] = tool($tool, ['--dir', $dir, 'purge']);
var_dump($rc, trim($out), count($spool));

echo "-- usage\n";
foreach ([[], ['--dir', $dir, 'frobnicate'], ['--dir', $dir, 'show'], ['--dir', $dir, 'flush', '--limit', 'x'],
		['--dir', $dir, 'list', '--force'], ['--dir', $dir, 'show', '../../etc/passwd'], ['list']] as $args) {
	[$rc, , $err] = tool($tool, $args);
	echo $rc, ' ', strtok($err, "\n"), "\n";
}
?>
--EXPECTF--
bool(true)
bool(true)
-- list
int(0)
int(2)
bool(true)
bool(true)
string(8) "2 queued"
-- show
int(0)
bool(true)
bool(true)
bool(true)
int(1)
string(%d) "smtp-spool: no message 1700000000-1-1-0123456789abcdef.msg"
-- flush, relay still down
int(75)
string(55) "sent=0 deferred=2 failed=0 busy=0 waiting=0 remaining=2"
-- flush, a relay that refuses (554): to failed/
int(1)
string(55) "sent=0 deferred=0 failed=1 busy=0 waiting=0 remaining=1"
bool(true)
int(0)
bool(true)
bool(true)
-- retry
int(0)
string(%d) "%s queued again"
int(1)
string(%d) "smtp-spool: no message %s in failed/"
int(2)
int(0)
bool(true)
-- flush, relay up
int(0)
string(55) "sent=1 deferred=0 failed=0 busy=0 waiting=1 remaining=1"
int(0)
string(55) "sent=1 deferred=0 failed=0 busy=0 waiting=0 remaining=0"
int(2)
-- flush with the relay from smtp.* INI
int(0)
string(55) "sent=1 deferred=0 failed=0 busy=0 waiting=0 remaining=0"
int(3)
-- purge
int(0)
string(8) "purged 0"
int(0)
string(8) "purged 2"
int(0)
-- usage
2 smtp-spool: no command given
2 smtp-spool: unknown command 'frobnicate'
2 smtp-spool: show needs a message ID
2 smtp-spool: --limit must be a whole number
2 smtp-spool: --force does not apply to list
2 smtp-spool: Smtp\Spool::message(): Argument #1 ($id) is not a spool message id
2 smtp-spool: no spool directory: give --dir or set smtp.spool_dir

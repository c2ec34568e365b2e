--TEST--
A real Postfix with its default smtpd_recipient_limit (1,000): 2,500 recipients through mail() with Bcc, sendRaw and sendMany each reach the final server exactly once, reported accepted, and none is reported accepted falsely
--EXTENSIONS--
smtp
--SKIPIF--
<?php
if (!is_executable('/usr/sbin/postfix')) die('skip Debian\'s postfix is not installed (scripts/deps.sh core)');
if (function_exists('posix_geteuid') && posix_geteuid() !== 0) die('skip a private Postfix starts as root');
/* 7,500 RCPTs through ASan on a busy machine outlast run-tests' limit; the engine's
 * recipient-limit paths run under ASan in recipient_limit_more_transactions.phpt */
if (getenv('SKIP_ASAN')) die('skip slow under ASan (the same paths: recipient_limit_more_transactions.phpt)');
?>
--INI--
smtp.override_mail=1
smtp.encryption="none"
sendmail_path=/bin/false
mail.add_x_header=0
--FILE--
<?php
require __DIR__ . '/../inc/server.inc';
/* the final server, where Postfix relays everything */
$capture = SmtpTestServer::start();
$dir = sys_get_temp_dir() . '/php-smtp-postfix-' . bin2hex(random_bytes(6));
mkdir($dir, 0755);
chmod($dir, 0755); /* Postfix's own user reaches its queue through it */
$script = __DIR__ . '/../server/postfix.sh';
register_shutdown_function(function () use ($script, $dir) {
	exec(escapeshellarg($script) . ' stop ' . escapeshellarg("$dir/pf") . ' 2>&1');
	exec('rm -rf ' . escapeshellarg($dir));
});
exec(escapeshellarg($script) . ' start ' . escapeshellarg("$dir/pf") . ' ' . $capture->port . ' 2>&1', $out, $rc);
if ($rc !== 0) {
	die("Postfix did not start:\n" . implode("\n", $out) . "\n");
}
$port = (int) end($out);

$rcpts = [];
for ($i = 0; $i < 2500; $i++) {
	$rcpts[] = sprintf('rcpt%04d@example.test', $i);
}

$mailer = new Smtp\Mailer(['host' => '127.0.0.1', 'port' => $port, 'encryption' => 'none']);
$sent = [];

$r = $mailer->sendRaw('sender@example.test', $rcpts, "X-Send: sendRaw\r\nSubject: raw\r\n\r\nbody\r\n");
printf("sendRaw: %d accepted, %d rejected\n", count($r->accepted), count($r->rejected));
$sent['sendRaw'] = $rcpts;

$m = (new Smtp\Message())->from('sender@example.test')->to('to@example.test')->subject('many')->text('body')
	->header('X-Send', 'sendMany');
foreach ($rcpts as $a) {
	$m->bcc($a);
}
$small = (new Smtp\Message())->from('sender@example.test')->to('small@example.test')->subject('small')->text('b')
	->header('X-Send', 'small');
$results = $mailer->sendMany([$m, $small], 2);
printf("sendMany: %d accepted, %d rejected; the small one: %d accepted\n", count($results[0]->accepted),
	count($results[0]->rejected), count($results[1]->accepted));
$sent['sendMany'] = array_merge(['to@example.test'], $rcpts);
$sent['small'] = ['small@example.test'];

ini_set('smtp.host', '127.0.0.1');
ini_set('smtp.port', (string) $port);
$ok = mail('to@example.test', 'mail', 'body', "From: sender@example.test\r\nX-Send: mail\r\nBcc: " . implode(",\r\n ", $rcpts));
$last = smtp_last_result();
printf("mail(): %s, %d accepted, %d rejected\n", var_export($ok, true), count($last['accepted']),
	count($last['rejected']));
$sent['mail'] = array_merge(['to@example.test'], $rcpts);

/* what Postfix relayed, by send: every recipient once */
$want = array_sum(array_map('count', $sent));
$deadline = microtime(true) + 120;
do {
	$got = [];
	$total = 0;
	foreach ($capture->messages() as $msg) {
		preg_match('/^X-Send: (\S+)/mi', $msg['data'], $x);
		foreach ($msg['rcpt_tos'] as $rc) {
			$got[$x[1] ?? '?'][] = $rc;
			$total++;
		}
	}
	if ($total >= $want) {
		break;
	}
	usleep(200000);
} while (microtime(true) < $deadline);
foreach ($sent as $what => $list) {
	$arrived = $got[$what] ?? [];
	$distinct = array_unique($arrived);
	sort($distinct);
	sort($list);
	printf("%s: %d arrived, %d distinct, exactly those sent: %s\n", $what, count($arrived), count($distinct),
		var_export($distinct === $list, true));
}
echo "anything else: ", var_export(array_diff(array_keys($got), array_keys($sent)), true), "\n";

/* Postfix's own account: each message it took holds at most its limit of
 * recipients (qmgr's nrcpt=); and once the Mailer's sessions are closed,
 * their "rcpt=" counts (which include the "452 too many recipients" replies
 * within smtpd_recipient_overshoot_limit) show that the Mailer met the limit,
 * with few RCPTs past it: those already on their way when the first 452 came */
$mailer->close();
$deadline = microtime(true) + 10;
do {
	$log = (string) @file_get_contents("$dir/pf/maillog");
	preg_match_all('/disconnect from localhost\[127\.0\.0\.1\].* rcpt=(?:\d+\/)?(\d+)/', $log, $rcptCounts);
	$rcptCommands = array_sum($rcptCounts[1]);
} while ($rcptCommands < 5002 && microtime(true) < $deadline && usleep(100000) === null);
preg_match_all('/qmgr\[\d+\]: \w+: from=<sender@example\.test>, size=\d+, nrcpt=(\d+) \(queue active\)/', $log, $n);
printf("Postfix took %d messages, %d recipients in all, at most %d in one\n", count($n[1]), array_sum($n[1]), max($n[1]));
printf("RCPTs past the limit from the Mailer: between 2 and 300: %s; error limit reached: %s\n",
	var_export($rcptCommands - 5002 >= 2 && $rcptCommands - 5002 <= 300, true), preg_match('/too many errors/i', $log) ? 'yes' : 'no');
?>
--EXPECT--
sendRaw: 2500 accepted, 0 rejected
sendMany: 2501 accepted, 0 rejected; the small one: 1 accepted
mail(): true, 2501 accepted, 0 rejected
sendRaw: 2500 arrived, 2500 distinct, exactly those sent: true
sendMany: 2501 arrived, 2501 distinct, exactly those sent: true
small: 1 arrived, 1 distinct, exactly those sent: true
mail: 2501 arrived, 2501 distinct, exactly those sent: true
anything else: array (
)
Postfix took 10 messages, 7503 recipients in all, at most 1000 in one
RCPTs past the limit from the Mailer: between 2 and 300: true; error limit reached: no

--TEST--
persistent => true: an authenticated session outlives its Mailer and the next Mailer with the same destination and identity reuses it (MAIL, RCPT and BDAT in one write); never with other credentials; a kept session the server closed is noticed before sending; one idle too long says QUIT; close() ends it; a forked child never uses or touches its parent's session
--EXTENSIONS--
smtp
--INI--
smtp.persistent_idle=1
--FILE--
<?php
require __DIR__ . '/../inc/server.inc';

function message(string $subject): Smtp\Message
{
	return (new Smtp\Message())->from('shop@x.test')->to('a@y.test')->subject($subject)->text("body of $subject");
}

function sessions(SmtpTestServer $srv): string
{
	usleep(200000);
	return implode(' | ', array_map(fn($s) => count($s['messages']) . ' messages' . (in_array('QUIT', $s['commands'], true) ? ', QUIT' : ''),
		$srv->sessions()));
}

$srv = SmtpTestServer::start(['tls' => 'starttls', 'auth' => 'user:secret', 'chunking' => true]);
$config = $srv->config(['username' => 'user', 'password' => 'secret', 'persistent' => true]);

echo "-- two Mailers one after the other: one session\n";
$a = new Smtp\Mailer($config);
$a->send(message('one'));
unset($a);
$kept = smtp_persistent_sessions();
echo "kept: ", count($kept), ", ", $kept[0]['destination'] === "127.0.0.1:$srv->port (starttls)" ? 'destination' : $kept[0]['destination'],
	", user ", $kept[0]['username'], ", messages ", $kept[0]['messages'], ", no secret: ", var_export(!str_contains(json_encode($kept), 'secret'), true), "\n";
$b = new Smtp\Mailer($config);
$b->send(message('two'));
$lines = $b->transcript();
echo "reused: ", var_export(in_array('* using a session kept from an earlier request', $lines, true), true),
	", no EHLO/AUTH again: ", var_export(!preg_grep('/^C: (EHLO|AUTH)/', $lines), true), "\n";
echo "sent as: ", implode(', ', array_map(fn($l) => preg_replace(['/<[^>]*>/', '/\d+/'], ['<>', 'N'], $l), preg_grep('/^C: /', $lines))), "\n";
unset($b);
echo "server: ", sessions($srv), "\n";
echo "kept: ", count(smtp_persistent_sessions()), ", messages ", smtp_persistent_sessions()[0]['messages'], "\n";

echo "-- other credentials: a session of their own (the wrong password fails)\n";
$c = new Smtp\Mailer(['password' => 'wrong'] + $config);
try {
	$c->send(message('wrong'));
	echo "sent?!\n";
} catch (Smtp\AuthenticationException $e) {
	echo get_class($e), "\n";
}
unset($c);
echo "server: ", sessions($srv), "\n";

echo "-- close() ends the kept session\n";
$d = new Smtp\Mailer($config);
$d->close();
echo "kept: ", count(smtp_persistent_sessions()), "; server: ", sessions($srv), "\n";

echo "-- kept longer than smtp.persistent_idle (1 s): QUIT, and a new session\n";
$e = new Smtp\Mailer($config);
$e->send(message('before idle'));
unset($e);
usleep(1300000);
$f = new Smtp\Mailer($config);
$f->send(message('after idle'));
echo "reused: ", var_export(in_array('* using a session kept from an earlier request', $f->transcript(), true), true), "\n";
$f->close();
echo "server: ", sessions($srv), "\n";
$srv->stop();

echo "-- the server closed the kept session (its idle timeout, 421): noticed before sending\n";
$srv = SmtpTestServer::start(['tls' => 'starttls', 'auth' => 'user:secret', 'chunking' => true, 'fault' => ['idle_timeout' => 0.3]]);
$config = $srv->config(['username' => 'user', 'password' => 'secret', 'persistent' => true]);
$g = new Smtp\Mailer($config);
$g->send(message('first'));
unset($g);
usleep(700000);
$h = new Smtp\Mailer($config);
$h->send(message('second'));
echo implode("\n", preg_grep('/^(S: 421|\* (kept-alive|using))/', $h->transcript())), "\n";
$h->close();
$subjects = array_map(fn($m) => preg_match('/^Subject: (.*)\r$/m', $m['data'], $s) ? $s[1] : '?', $srv->waitForMessages(2));
echo "arrived: ", implode(', ', $subjects), "; server: ", sessions($srv), "\n";
$srv->stop();

echo "-- fork: the child opens its own session and leaves the parent's alone, kept or in use (TLS)\n";
$srv = SmtpTestServer::start(['tls' => 'starttls', 'auth' => 'user:secret', 'chunking' => true]);
$script = tempnam(sys_get_temp_dir(), 'smtp-fork');
file_put_contents($script, '<?php
$config = json_decode($argv[1], true);
$m = fn($s) => (new Smtp\Message())->from("shop@x.test")->to("a@y.test")->subject($s)->text("b");
$a = new Smtp\Mailer($config);
$a->send($m("parent 1"));
unset($a);
/* and one in use at the fork (another identity: its own session) */
$live = new Smtp\Mailer(["helo" => "live.test"] + $config);
$live->send($m("live 1"));
$pid = pcntl_fork();
if ($pid === 0) {
	$child = new Smtp\Mailer($config);
	$child->send($m("child"));
	echo "child reused: ", var_export(in_array("* using a session kept from an earlier request", $child->transcript(), true), true), "\n";
	echo "child sees kept: ", count(smtp_persistent_sessions()), "\n";
	exit(0); /* its MSHUTDOWN: the parent\'s session is closed in the child only, nothing sent */
}
pcntl_waitpid($pid, $status);
$live->send($m("live 2"));
$live->close();
$b = new Smtp\Mailer($config);
$b->send($m("parent 2"));
echo "parent reused: ", var_export(in_array("* using a session kept from an earlier request", $b->transcript(), true), true), "\n";
$b->close();
');
$cmd = array_merge(smtp_test_php_command(), [$script, json_encode($srv->config(['username' => 'user', 'password' => 'secret', 'persistent' => true]))]);
$p = proc_open($cmd, [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
echo stream_get_contents($pipes[1]);
$err = stream_get_contents($pipes[2]);
echo "exit: ", proc_close($p), $err !== '' ? "\n$err" : '', "\n";
unlink($script);
$bySession = [];
foreach ($srv->waitForMessages(5) as $m) {
	preg_match('/^Subject: (.*)\r$/m', $m['data'], $s);
	$bySession[$m['session']][] = $s[1];
}
ksort($bySession);
echo "server: ", json_encode(array_values($bySession)), "; ", sessions($srv), "\n";
echo "no session broke: ", var_export(!array_filter($srv->sessions(), fn($s) => !in_array($s['close_reason'], ['QUIT', 'client closed'], true)), true), "\n";
?>
--EXPECT--
-- two Mailers one after the other: one session
kept: 1, destination, user user, messages 1, no secret: true
reused: true, no EHLO/AUTH again: true
sent as: C: MAIL FROM:<>, C: RCPT TO:<>, C: BDAT N LAST
server: 2 messages
kept: 1, messages 2
-- other credentials: a session of their own (the wrong password fails)
Smtp\AuthenticationException
server: 2 messages | 0 messages
-- close() ends the kept session
kept: 0; server: 2 messages, QUIT | 0 messages
-- kept longer than smtp.persistent_idle (1 s): QUIT, and a new session
reused: false
server: 2 messages, QUIT | 0 messages | 1 messages, QUIT | 1 messages, QUIT
-- the server closed the kept session (its idle timeout, 421): noticed before sending
S: 421 4.4.2 smtp.test Error: timeout exceeded
* kept-alive connection was closed by the server; reconnecting
arrived: first, second; server: 1 messages | 1 messages, QUIT
-- fork: the child opens its own session and leaves the parent's alone, kept or in use (TLS)
child reused: false
child sees kept: 0
parent reused: true
exit: 0
server: [["parent 1","parent 2"],["live 1","live 2"],["child"]]; 2 messages, QUIT | 2 messages, QUIT | 1 messages, QUIT
no session broke: true

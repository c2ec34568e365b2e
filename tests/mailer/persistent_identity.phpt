--TEST--
persistent => true keeps a session per identity: a Mailer reuses a kept session only when username, secret (password or token), AUTH mechanism and HELO are all the same; another username, password or token gets a session of its own (here refused, which proves no kept session was lent to it); a token callable's session is never kept; every message went on a session authenticated as its own Mailer
--EXTENSIONS--
smtp
--FILE--
<?php
require __DIR__ . '/../inc/server.inc';

$srv = SmtpTestServer::start(['tls' => 'starttls', 'auth' => 'user:secret', 'chunking' => true]);
$base = $srv->config(['persistent' => true]);

function send(array $config, string $subject): string
{
	$mailer = new Smtp\Mailer($config);
	try {
		$mailer->send((new Smtp\Message())->from('shop@x.test')->to('a@y.test')->subject($subject)->text('body'));
		return in_array('* using a session kept from an earlier request', $mailer->transcript(), true) ? 'kept session' : 'new session';
	} catch (Smtp\Exception $e) {
		return get_class($e) . ($e->temporary ? " (temporary)" : "");
	}
}

$password = ['username' => 'user', 'password' => 'secret'] + $base;
$token = ['username' => 'user', 'auth' => 'xoauth2', 'token' => 'secret'] + $base;
$callable = ['username' => 'user', 'auth' => 'xoauth2', 'token' => fn(bool $refresh) => 'secret'] + $base;

echo "password: ", send($password, 'password 1'), "\n";
echo "password again: ", send($password, 'password 2'), "\n";
echo "another username, same password: ", send(['username' => 'someone'] + $password, 'never'), "\n";
echo "same username, another password: ", send(['password' => 'guess'] + $password, 'never'), "\n";
echo "xoauth2 token (the same secret, another mechanism): ", send($token, 'token 1'), "\n";
echo "xoauth2 token again: ", send($token, 'token 2'), "\n";
echo "another token: ", send(['token' => 'forged'] + $token, 'never'), "\n";
echo "token callable: ", send($callable, 'callable 1'), "; again: ", send($callable, 'callable 2'), "\n";
echo "another HELO: ", send(['helo' => 'other.test'] + $password, 'helo 1'), "\n";
echo "password once more: ", send($password, 'password 3'), "\n";
echo "token once more: ", send($token, 'token 3'), "\n";
$kept = array_map(fn($s) => $s['username'] . ': ' . $s['messages'] . ' messages', smtp_persistent_sessions());
sort($kept);
echo "kept: ", count($kept), " (", implode(', ', $kept), ")\n";

$messages = $srv->waitForMessages(9);
foreach ($messages as $m) {
	preg_match('/^Subject: (.*)\r$/m', $m['data'], $subject);
	echo "{$subject[1]}: session {$m['session']}, authenticated as {$m['auth_user']}\n";
}
$sessions = $srv->sessions();
echo "sessions: ", count($sessions), "; refused AUTH in sessions ",
	implode(', ', array_column(array_filter($sessions, fn($s) => $s['auth_attempts'] && !$s['auth_attempts'][0]['ok']), 'id')), "\n";
?>
--EXPECT--
password: new session
password again: kept session
another username, same password: Smtp\AuthenticationException
same username, another password: Smtp\AuthenticationException
xoauth2 token (the same secret, another mechanism): new session
xoauth2 token again: kept session
another token: Smtp\AuthenticationException
token callable: new session; again: new session
another HELO: new session
password once more: kept session
token once more: kept session
kept: 3 (user: 1 messages, user: 3 messages, user: 3 messages)
password 1: session 1, authenticated as user
password 2: session 1, authenticated as user
token 1: session 4, authenticated as user
token 2: session 4, authenticated as user
callable 1: session 6, authenticated as user
callable 2: session 7, authenticated as user
helo 1: session 8, authenticated as user
password 3: session 1, authenticated as user
token 3: session 4, authenticated as user
sessions: 8; refused AUTH in sessions 2, 3, 5

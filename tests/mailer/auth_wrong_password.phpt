--TEST--
Mailer: a wrong password gives AuthenticationException with the 535 reply, and no MAIL is sent
--EXTENSIONS--
smtp
--FILE--
<?php
require __DIR__ . '/../inc/server.inc';
$srv = SmtpTestServer::start(['tls' => 'starttls', 'auth' => 'user:right']);
try {
	(new Smtp\Mailer($srv->dsn(['user' => 'user', 'pass' => 'wrong'])))->sendRaw('a@x.test', 'b@y.test', "x\r\n");
} catch (Smtp\AuthenticationException $e) {
	echo get_class($e), "\n", $e->getMessage(), "\n";
	var_dump($e->smtpCode, $e->enhancedStatus, $e->temporary, $e->getCode());
}
$commands = $srv->waitForSessions(1)[0]['commands'];
var_dump(count(preg_grep('/^MAIL/i', $commands)));
?>
--EXPECT--
Smtp\AuthenticationException
Authentication failed: 535 5.7.8 Authentication credentials invalid
int(535)
string(5) "5.7.8"
bool(false)
int(535)
int(0)

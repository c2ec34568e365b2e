--TEST--
Mailer: keepalive sends N messages over one connection; close() ends it; keepalive=false opens one per message
--EXTENSIONS--
smtp
--FILE--
<?php
require __DIR__ . '/../inc/server.inc';
$srv = SmtpTestServer::start(['tls' => 'starttls', 'auth' => 'user:secret']);
$mailer = new Smtp\Mailer($srv->dsn(['user' => 'user', 'pass' => 'secret']));
for ($i = 1; $i <= 5; $i++) {
	$mailer->sendRaw('a@x.test', 'b@y.test', "Subject: $i\r\n\r\nx\r\n");
}
$mailer->close();
$sessions = $srv->waitForSessions(1);
printf("5 sends: %d connection(s), %d AUTH, %d messages, QUIT=%s\n", count($sessions), count($sessions[0]['auth_attempts']),
	count($sessions[0]['messages']), var_export(end($sessions[0]['commands']) === 'QUIT', true));
$mailer->sendRaw('a@x.test', 'b@y.test', "Subject: after close\r\n\r\nx\r\n");
unset($mailer);
printf("after close(): %d connections\n", count($srv->waitForSessions(2)));

$srv = SmtpTestServer::start();
$mailer = new Smtp\Mailer($srv->dsn(['keepalive' => false]));
for ($i = 1; $i <= 3; $i++) {
	$mailer->sendRaw('a@x.test', 'b@y.test', "Subject: $i\r\n\r\nx\r\n");
}
printf("keepalive=false: %d connections\n", count($srv->waitForSessions(3)));
?>
--EXPECT--
5 sends: 1 connection(s), 1 AUTH, 5 messages, QUIT=true
after close(): 2 connections
keepalive=false: 3 connections

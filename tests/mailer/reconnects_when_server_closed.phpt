--TEST--
Mailer: a kept-alive connection the server closed in between is reopened once, transparently
--EXTENSIONS--
smtp
--FILE--
<?php
require __DIR__ . '/../inc/server.inc';
$srv = SmtpTestServer::start(['fault' => ['close_after_message' => true]]);
$mailer = new Smtp\Mailer($srv->dsn());
for ($i = 1; $i <= 3; $i++) {
	echo $mailer->sendRaw('a@x.test', 'b@y.test', "Subject: $i\r\n\r\nx\r\n")->response, "\n";
	usleep(50000);
}
printf("%d messages over %d connections\n", count($srv->waitForMessages(3)), count($srv->waitForSessions(3)));

/* A server that says 421 to the first command on the old connection (an idle timeout). */
$srv = SmtpTestServer::start(['fault' => ['reply' => ['MAIL' => '421 4.4.2 idle timeout'], 'sessions' => 1]]);
$mailer = new Smtp\Mailer($srv->dsn());
try {
	$mailer->sendRaw('a@x.test', 'b@y.test', "Subject: first\r\n\r\nx\r\n");
} catch (Smtp\Exception $e) {
	echo "fresh connection, 421: ", get_class($e), " temporary=", var_export($e->temporary, true), "\n";
}
echo $mailer->sendRaw('a@x.test', 'b@y.test', "Subject: second\r\n\r\nx\r\n")->response, "\n";
?>
--EXPECTF--
250 2.0.0 OK: queued as 0001
250 2.0.0 OK: queued as 0002
250 2.0.0 OK: queued as 0003
3 messages over 3 connections
fresh connection, 421: Smtp\%SException temporary=true
250 2.0.0 OK: queued as 0001

--TEST--
harness: SmtpTestServer records a plain session, its commands and the exact message bytes
--FILE--
<?php
require __DIR__ . '/../inc/server.inc';

$srv = SmtpTestServer::start();
var_dump($srv->host, $srv->port > 0, is_file($srv->cafile));

$conn = stream_socket_client("tcp://$srv->host:$srv->port", $errno, $errstr, 5);
$read = function () use ($conn) {
	$reply = '';
	do {
		$line = fgets($conn);
		$reply .= $line;
	} while ($line !== false && $line[3] === '-');
	return rtrim($reply);
};
$say = function (string $line) use ($conn, $read) {
	fwrite($conn, "$line\r\n");
	return $read();
};
echo $read(), "\n";
$say('EHLO client.test');
echo $say('MAIL FROM:<a@x.test>'), "\n";
echo $say('RCPT TO:<b@y.test>'), "\n";
echo $say('DATA'), "\n";
fwrite($conn, "Subject: hi\r\n\r\n..dot\r\nlast\r\n.\r\n");
echo $read(), "\n";
echo $say('QUIT'), "\n";
fclose($conn);

$messages = $srv->waitForMessages(1);
var_dump(count($messages), $messages[0]['data'] === "Subject: hi\r\n\r\n.dot\r\nlast\r\n");
var_dump($messages[0]['mail_from'], $messages[0]['rcpt_tos'], $messages[0]['tls'], $messages[0]['auth_user'], $messages[0]['helo']);

$sessions = $srv->waitForSessions(1);
var_dump(count($sessions), $sessions[0]['commands'], $sessions[0]['closed'], $sessions[0]['messages']);

$pid = $srv->pid();
$dir = $srv->dir;
$srv->stop();
var_dump(file_exists("/proc/$pid"), is_dir($dir));
?>
--EXPECTF--
string(9) "127.0.0.1"
bool(true)
bool(true)
220 smtp.test ESMTP php-smtp test server
250 2.1.0 OK
250 2.1.5 OK
354 End data with <CR><LF>.<CR><LF>
250 2.0.0 OK: queued as 0001
221 2.0.0 Bye
int(1)
bool(true)
string(8) "a@x.test"
array(1) {
  [0]=>
  string(8) "b@y.test"
}
bool(false)
NULL
string(11) "client.test"
int(1)
array(5) {
  [0]=>
  string(16) "EHLO client.test"
  [1]=>
  string(20) "MAIL FROM:<a@x.test>"
  [2]=>
  string(18) "RCPT TO:<b@y.test>"
  [3]=>
  string(4) "DATA"
  [4]=>
  string(4) "QUIT"
}
bool(true)
array(1) {
  [0]=>
  int(1)
}
bool(false)
bool(false)

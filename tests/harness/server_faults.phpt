--TEST--
harness: faults reach the client (421/554 greeting, rejected recipient, data reply, stall) and unusedPort() refuses
--FILE--
<?php
require __DIR__ . '/../inc/server.inc';

function dialogue(SmtpTestServer $srv, array $lines, float $timeout = 2.0): array
{
	$conn = stream_socket_client("tcp://127.0.0.1:$srv->port", $errno, $errstr, 5);
	stream_set_timeout($conn, (int) $timeout, (int) (fmod($timeout, 1) * 1e6));
	$replies = [];
	$read = function () use ($conn, &$replies) {
		$line = fgets($conn);
		$replies[] = $line === false ? (stream_get_meta_data($conn)['timed_out'] ? 'TIMEOUT' : 'EOF') : rtrim($line);
		while ($line !== false && $line[3] === '-') {
			$line = fgets($conn);
		}
		return $line !== false;
	};
	if ($read()) {
		foreach ($lines as $line) {
			fwrite($conn, $line);
			if (!$read()) {
				break;
			}
		}
	}
	fclose($conn);
	return $replies;
}

$srv = SmtpTestServer::start(['fault' => ['greeting' => 421]]);
print_r(dialogue($srv, ["EHLO c\r\n"]));

$srv = SmtpTestServer::start(['fault' => ['greeting' => 554]]);
print_r(dialogue($srv, ["EHLO c\r\n", "QUIT\r\n"]));

$srv = SmtpTestServer::start(['fault' => ['reject_rcpt' => ['no@y.test'], 'data_reply' => '451 4.3.0 later']]);
print_r(dialogue($srv, ["EHLO c\r\n", "MAIL FROM:<a@x.test>\r\n", "RCPT TO:<No@y.test>\r\n",
	"RCPT TO:<ok@y.test>\r\n", "DATA\r\n", "Subject: x\r\n\r\nx\r\n.\r\n"]));
var_dump($srv->messages());

$srv = SmtpTestServer::start(['fault' => ['stall' => 'MAIL']]);
print_r(dialogue($srv, ["EHLO c\r\n", "MAIL FROM:<a@x.test>\r\n"], 0.5));
var_dump($srv->waitForSessions(1)[0]['faults']);

$port = SmtpTestServer::unusedPort();
var_dump(@stream_socket_client("tcp://127.0.0.1:$port", $errno, $errstr, 2), $errno === 111);

try {
	SmtpTestServer::start(['fault' => ['greetng' => 421]]);
} catch (InvalidArgumentException $e) {
	echo $e->getMessage(), "\n";
}
?>
--EXPECT--
Array
(
    [0] => 421 4.3.2 Service not available, closing channel
    [1] => EOF
)
Array
(
    [0] => 554 5.7.1 Message rejected
    [1] => 503 5.5.1 No SMTP service here
    [2] => 221 2.0.0 Bye
)
Array
(
    [0] => 220 smtp.test ESMTP php-smtp test server
    [1] => 250-smtp.test greets c
    [2] => 250 2.1.0 OK
    [3] => 550 5.1.1 <no@y.test> no such user
    [4] => 250 2.1.5 OK
    [5] => 354 End data with <CR><LF>.<CR><LF>
    [6] => 451 4.3.0 later
)
array(0) {
}
Array
(
    [0] => 220 smtp.test ESMTP php-smtp test server
    [1] => 250-smtp.test greets c
    [2] => TIMEOUT
)
array(1) {
  [0]=>
  string(5) "stall"
}
bool(false)
bool(true)
SmtpTestServer: unknown fault 'greetng'

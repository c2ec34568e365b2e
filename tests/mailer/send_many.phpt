--TEST--
Mailer::sendMany: N connections at once, results in input order with input keys, a bad message does not stop the others
--EXTENSIONS--
smtp
--FILE--
<?php
require __DIR__ . '/../inc/server.inc';
$srv = SmtpTestServer::start(['tls' => 'starttls', 'auth' => 'user:secret',
	'fault' => ['reject_rcpt' => ['nobody@y.test' => '550 5.1.1 <nobody@y.test> no such user']]]);
$mailer = new Smtp\Mailer($srv->dsn(['user' => 'user', 'pass' => 'secret']));
$messages = [];
foreach (['z', 'a', 'm', 'b', 'y', 'c', 'x', 'd'] as $i => $key) {
	$messages[$key] = (new Smtp\Message())->from('shop@x.test')->to("n$i@y.test")->subject("message $key")->text("body $key");
}
$messages['bad'] = (new Smtp\Message())->from('shop@x.test')->subject('no recipient')->text('x');
$messages['refused'] = (new Smtp\Message())->from('shop@x.test')->to('nobody@y.test')->subject('refused')->text('x');
$messages[42] = (new Smtp\Message())->from('shop@x.test')->to('last@y.test')->subject('message 42')->text('body 42');

$results = $mailer->sendMany($messages, concurrency: 3);
foreach ($results as $key => $result) {
	echo $key, ': ', $result instanceof Smtp\Receipt ? 'Receipt ' . $result->accepted[0] : get_class($result), "\n";
}
var_dump(array_keys($results) === array_keys($messages));
$received = $srv->waitForMessages(9);
$subjects = array_map(fn($m) => preg_match('/^Subject: (.*)$/m', $m['data'], $s) ? trim($s[1]) : '?', $received);
sort($subjects);
echo count($received), " arrived: ", implode(', ', $subjects), "\n";
$ids = array_map(fn($m) => preg_match('/^Message-ID: <(.*)>/m', $m['data'], $s) ? $s[1] : '?', $received);
var_dump(in_array($results['z']->messageId, $ids, true));

/* the connections stay open for the next batch */
$again = $mailer->sendMany(array_slice($messages, 0, 4, true), 3);
echo count(array_filter($again, fn($r) => $r instanceof Smtp\Receipt)), " more sent\n";
$mailer->close();
$sessions = $srv->waitForSessions(1);
/* 3 at once, plus one to replace the connection libcurl drops after the refused message */
printf("connections used: at most 4: %s\n", var_export(count($sessions) <= 4, true));
try { $mailer->sendMany([1, 2]); } catch (TypeError $e) { echo get_class($e), "\n"; }
try { $mailer->sendMany([], 0); } catch (ValueError $e) { echo get_class($e), "\n"; }
?>
--EXPECT--
z: Receipt n0@y.test
a: Receipt n1@y.test
m: Receipt n2@y.test
b: Receipt n3@y.test
y: Receipt n4@y.test
c: Receipt n5@y.test
x: Receipt n6@y.test
d: Receipt n7@y.test
bad: Smtp\InvalidArgumentException
refused: Smtp\RecipientException
42: Receipt last@y.test
bool(true)
9 arrived: message 42, message a, message b, message c, message d, message m, message x, message y, message z
bool(true)
4 more sent
connections used: at most 4: true
TypeError
ValueError

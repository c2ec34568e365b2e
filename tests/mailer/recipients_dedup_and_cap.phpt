--TEST--
Recipients: duplicates dropped (domain without regard to case, the local part as written: RFC 5321 2.4) the same way by sendRaw, send and mail(); more than 100,000 distinct recipients in one message is a clear error before anything is sent
--EXTENSIONS--
smtp
--INI--
smtp.override_mail=1
smtp.encryption="none"
sendmail_path=/bin/false
mail.add_x_header=0
--FILE--
<?php
require __DIR__ . '/../inc/server.inc';
$srv = SmtpTestServer::start();
$mailer = new Smtp\Mailer($srv->config());
$list = ['ann@x.test', 'Ann@x.test', 'ann@X.TEST', 'bob@y.test', 'ann@x.test', 'BOB@y.test'];
$r = $mailer->sendRaw('a@x.test', $list, "Subject: d\r\n\r\nd\r\n");
echo "sendRaw: ", implode(' ', $r->accepted), "\n";
$m = (new Smtp\Message())->from('a@x.test')->subject('d')->text('d');
foreach ($list as $a) {
	$m->bcc($a);
}
$r = $mailer->send($m);
echo "send: ", implode(' ', $r->accepted), "\n";
ini_set('smtp.host', $srv->host);
ini_set('smtp.port', (string) $srv->port);
mail(implode(', ', $list), 'd', 'd', 'From: a@x.test');
echo "mail(): ", implode(' ', smtp_last_result()['accepted']), "\n";
foreach ($srv->waitForMessages(3) as $msg) {
	echo "arrived: ", implode(' ', $msg['rcpt_tos']), "\n";
}

/* the cap: 100,001 distinct addresses (plus duplicates, which do not count) */
$many = [];
for ($i = 0; $i <= 100000; $i++) {
	$many[] = "r$i@x.test";
}
$exact = array_slice($many, 0, 100000);
$dead = new Smtp\Mailer(['host' => '127.0.0.1', 'port' => SmtpTestServer::unusedPort(), 'encryption' => 'none', 'timeout' => 2]);
try {
	$dead->sendRaw('a@x.test', array_merge($exact, $exact), "Subject: d\r\n\r\nd\r\n");
} catch (Smtp\Exception $e) {
	echo "100,000 and their duplicates: sent (", get_class($e), ", the relay is down)\n";
}
try {
	$dead->sendRaw('a@x.test', $many, "Subject: d\r\n\r\nd\r\n");
} catch (Smtp\InvalidArgumentException $e) {
	echo get_class($e), ": ", $e->getMessage(), "\n";
}
$m = (new Smtp\Message())->from('a@x.test')->subject('d')->text('d');
foreach ($many as $a) {
	$m->bcc($a);
}
try {
	$dead->send($m);
} catch (Smtp\InvalidArgumentException $e) {
	echo get_class($e), ": ", $e->getMessage(), "\n";
}
ini_set('smtp.port', (string) SmtpTestServer::unusedPort());
var_dump(mail('to@x.test', 'd', 'd', "From: a@x.test\r\nBcc: " . implode(',', $many)));
echo smtp_last_result()['error'], "\n";
echo "nothing more arrived: ", count($srv->messages()), "\n";
?>
--EXPECTF--
sendRaw: ann@x.test Ann@x.test bob@y.test BOB@y.test
send: ann@x.test Ann@x.test bob@y.test BOB@y.test
mail(): ann@x.test Ann@x.test bob@y.test BOB@y.test
arrived: ann@x.test Ann@x.test bob@y.test BOB@y.test
arrived: ann@x.test Ann@x.test bob@y.test BOB@y.test
arrived: ann@x.test Ann@x.test bob@y.test BOB@y.test
100,000 and their duplicates: sent (Smtp\ConnectionException, the relay is down)
Smtp\InvalidArgumentException: A message may have at most 100000 recipients: send a larger list as several messages (sendMany)
Smtp\InvalidArgumentException: A message may have at most 100000 recipients, this one has 100001: send a larger list as several messages (sendMany)

Warning: mail(): SMTP delivery failed: more than 100000 recipients in To, Cc and Bcc (100002): send a larger list as several messages in %s on line %d
bool(false)
more than 100000 recipients in To, Cc and Bcc (100002): send a larger list as several messages
nothing more arrived: 3

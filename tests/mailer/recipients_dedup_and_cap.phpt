--TEST--
Recipients: duplicates dropped (domain without regard to case, the local part as written: RFC 5321 2.4) the same way by sendRaw, send and mail(); 100,000 recipients go, 100,001 through sendRaw are a clear error before anything is sent (send() and mail(): recipients_cap_message_mail.phpt)
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
	$dead->sendRaw('a@x.test', $exact, "Subject: d\r\n\r\nd\r\n");
} catch (Smtp\Exception $e) {
	echo "100,000 distinct: sent (", get_class($e), ", the relay is down)\n";
}
try {
	$dead->sendRaw('a@x.test', $many, "Subject: d\r\n\r\nd\r\n");
} catch (Smtp\InvalidArgumentException $e) {
	echo get_class($e), ": ", $e->getMessage(), "\n";
}
?>
--EXPECTF--
sendRaw: ann@x.test Ann@x.test bob@y.test BOB@y.test
send: ann@x.test Ann@x.test bob@y.test BOB@y.test
mail(): ann@x.test Ann@x.test bob@y.test BOB@y.test
arrived: ann@x.test Ann@x.test bob@y.test BOB@y.test
arrived: ann@x.test Ann@x.test bob@y.test BOB@y.test
arrived: ann@x.test Ann@x.test bob@y.test BOB@y.test
100,000 distinct: sent (Smtp\ConnectionException, the relay is down)
Smtp\InvalidArgumentException: A message may have at most 100000 recipients: send a larger list as several messages (sendMany)

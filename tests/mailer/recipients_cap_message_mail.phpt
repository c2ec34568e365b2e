--TEST--
Recipients: more than 100,000 distinct recipients is a clear error before anything is sent, through send() (Smtp\InvalidArgumentException) and mail() (a warning and false)
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
$many = [];
for ($i = 0; $i <= 100000; $i++) {
	$many[] = "r$i@x.test";
}
$dead = new Smtp\Mailer(['host' => '127.0.0.1', 'port' => SmtpTestServer::unusedPort(), 'encryption' => 'none', 'timeout' => 2]);
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
?>
--EXPECTF--
Smtp\InvalidArgumentException: A message may have at most 100000 recipients, this one has 100001: send a larger list as several messages (sendMany)

Warning: mail(): SMTP delivery failed: more than 100000 recipients in To, Cc and Bcc (100002): send a larger list as several messages in %s on line %d
bool(false)
more than 100000 recipients in To, Cc and Bcc (100002): send a larger list as several messages

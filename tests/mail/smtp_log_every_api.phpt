--TEST--
smtp.log: one line per message from mail(), mb_send_mail(), Mailer::send/sendRaw/sendMany, a spooled failure and a spool flush (time, script:line, envelope, Message-ID, result, reply), never a secret; mail.log gets PHP's own line for mail()
--EXTENSIONS--
smtp
--INI--
smtp.override_mail=1
smtp.encryption=none
smtp.from=site@x.test
sendmail_path=/bin/false
smtp.log={PWD}/smtp_log_every_api.smtp.log
mail.log={PWD}/smtp_log_every_api.mail.log
--FILE--
<?php
require __DIR__ . '/../spool/spool.inc';
$log = __DIR__ . '/smtp_log_every_api.smtp.log';
$srv = SmtpTestServer::start(['fault' => ['reject_rcpt' => ['bad@y.test']]]);
ini_set('smtp.host', $srv->host);
ini_set('smtp.port', (string) $srv->port);
set_error_handler(function ($no, $str) { echo "warning: ", substr($str, 0, 45), "\n"; return true; });

mail('Ann <ann@y.test>', 'one', 'x', "Cc: cc@y.test\r\nBcc: bcc@y.test");
$mailId = smtp_last_result()['message_id'];
mb_send_mail('mb@y.test', 'two', 'x', '', '-fbounce@x.test');
$mailer = new Smtp\Mailer($srv->config());
$msg = (new Smtp\Message())->from('shop@x.test')->to('buyer@y.test')->subject('three')->text('x');
$mailer->send($msg);
$mailer->sendRaw('raw@x.test', ['r@y.test'], "Message-ID: <raw-4@x.test>\r\nSubject: four\r\n\r\nx\r\n");
$results = $mailer->sendMany([
	(new Smtp\Message())->from('many@x.test')->to('m1@y.test')->subject('five')->text('x'),
	(new Smtp\Message())->from('many@x.test')->to('bad@y.test')->subject('six')->text('x'),
], concurrency: 1); /* one at a time: the lines come in a known order */
/* relay down: spooled (mail() true), then a plain failure without a spool */
$dir = spool_test_dir();
ini_set('smtp.spool_dir', $dir);
ini_set('smtp.port', (string) SmtpTestServer::unusedPort());
var_dump(mail('later@y.test', 'seven', 'x'));
ini_set('smtp.spool_dir', '');
var_dump(mail('lost@y.test', 'eight', 'x'));
(new Smtp\Spool($dir))->flush($mailer, force: true);
/* credentials never reach the log */
$auth = SmtpTestServer::start(['tls' => 'starttls', 'auth' => 'u:Very-Secret-77']);
(new Smtp\Mailer($auth->dsn(['user' => 'u', 'pass' => 'Very-Secret-77'])))->sendRaw('a@x.test', 'b@y.test', "Subject: nine\r\n\r\nx\r\n");
$srv->waitForMessages(5);

$lines = file($log, FILE_IGNORE_NEW_LINES);
echo count($lines), " lines\n";
$re = '/^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ) (\S+):(\d+) from=<([^>]*)> to=(\S+) id=<([^>]*)> result=(sent|queued|failed) reply="([^"]*)"$/';
foreach ($lines as $line) {
	if (!preg_match($re, $line, $m)) {
		echo "BAD LINE: $line\n";
		continue;
	}
	$age = time() - strtotime($m[1]);
	printf("%s:%d %s -> %s id=%s %s %s\n", basename($m[2]), $m[3], $m[4], $m[5], $m[6] === '' ? '-' : (str_contains($m[6], '@') ? 'yes' : $m[6]),
		$m[7], substr($m[8], 0, 3) . ($age >= 0 && $age < 60 ? '' : ' OLD'));
}
echo "ids: ", var_export(str_contains($lines[0], "id=<$mailId>") && str_contains($lines[2], "id=<{$msg->messageId()}>") && str_contains($lines[3], 'id=<raw-4@x.test>'), true), "\n";
echo "secret: ", var_export(str_contains(file_get_contents($log), 'Very-Secret'), true), "\n";
$mailLog = file(__DIR__ . '/smtp_log_every_api.mail.log', FILE_IGNORE_NEW_LINES);
echo count($mailLog), " mail.log lines\n", preg_replace('/^\[[^\]]+\] /', '[date] ', str_replace(__DIR__ . '/', '', $mailLog[0])), "\n";
?>
--CLEAN--
<?php
@unlink(__DIR__ . '/smtp_log_every_api.smtp.log');
@unlink(__DIR__ . '/smtp_log_every_api.mail.log');
?>
--EXPECT--
bool(true)
warning: mail(): SMTP delivery failed: Connection to 1
bool(false)
10 lines
smtp_log_every_api.php:9 site@x.test -> <ann@y.test>,<cc@y.test>,<bcc@y.test> id=yes sent 250
smtp_log_every_api.php:11 bounce@x.test -> <mb@y.test> id=yes sent 250
smtp_log_every_api.php:14 shop@x.test -> <buyer@y.test> id=yes sent 250
smtp_log_every_api.php:15 raw@x.test -> <r@y.test> id=yes sent 250
smtp_log_every_api.php:16 many@x.test -> <m1@y.test> id=yes sent 250
smtp_log_every_api.php:16 many@x.test -> <bad@y.test> id=yes failed The
smtp_log_every_api.php:24 site@x.test -> <later@y.test> id=yes queued Con
smtp_log_every_api.php:26 site@x.test -> <lost@y.test> id=yes failed Con
smtp_log_every_api.php:27 site@x.test -> <later@y.test> id=yes sent 250
smtp_log_every_api.php:30 a@x.test -> <b@y.test> id=- sent 250
ids: true
secret: false
4 mail.log lines
[date] mail() on [smtp_log_every_api.php:9]: To: Ann <ann@y.test> -- Headers: Cc: cc@y.test  Bcc: bcc@y.test -- Subject: one
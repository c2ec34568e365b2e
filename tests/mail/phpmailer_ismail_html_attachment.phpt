--TEST--
mail(): Debian's PHPMailer in isMail() mode (WordPress's default path) sends HTML with an attachment that arrives intact
--EXTENSIONS--
smtp
--SKIPIF--
<?php if (!is_file('/usr/share/php/libphp-phpmailer/autoload.php')) die('skip libphp-phpmailer not installed'); ?>
--INI--
smtp.override_mail=1
smtp.encryption="none"
sendmail_path=/bin/false
--FILE--
<?php
require __DIR__ . '/../inc/server.inc';
require '/usr/share/php/libphp-phpmailer/autoload.php';
$srv = SmtpTestServer::start();
ini_set('smtp.host', $srv->host);
ini_set('smtp.port', (string) $srv->port);

$attachment = random_bytes(3000) . "\r\n.\r\n\0tail";
$mail = new PHPMailer\PHPMailer\PHPMailer(true);
$mail->isMail();
$mail->CharSet = 'UTF-8'; /* as WordPress sets it */
$mail->setFrom('shop@x.test', 'Shop Đơn');
$mail->Sender = 'bounces@x.test';
$mail->addAddress('ann@y.test', 'Ann');
$mail->addCC('cc@y.test');
$mail->addBCC('hidden@z.test');
$mail->Subject = 'Đơn hàng mới';
$mail->isHTML(true);
$mail->Body = '<p>Hello <b>Ann</b></p>';
$mail->AltBody = 'Hello Ann';
$mail->addStringAttachment($attachment, 'data.bin', 'base64', 'application/octet-stream');
var_dump($mail->send());

$m = $srv->waitForMessages(1)[0];
var_dump($m['mail_from']);
$rcpt = $m['rcpt_tos'];
sort($rcpt);
var_dump($rcpt);
var_dump(stripos($m['data'], 'hidden@z.test') === false, $m['bare_lf'], $m['bare_cr']);

/* parse with Python's email package: the subject decodes, the HTML part and the attachment are byte-exact */
$script = <<<'PY'
import sys, json, email, email.policy
msg = email.message_from_bytes(sys.stdin.buffer.read(), policy=email.policy.default)
out = {"subject": str(msg["subject"]), "to": str(msg["to"]), "cc": str(msg["cc"]), "parts": []}
for part in msg.walk():
    if part.is_multipart():
        continue
    payload = part.get_payload(decode=True)
    out["parts"].append([part.get_content_type(), part.get_filename(), payload.hex()])
print(json.dumps(out))
PY;
$p = proc_open(['/usr/bin/python3', '-c', $script], [['pipe', 'r'], ['pipe', 'w'], ['file', '/dev/null', 'w']], $pipes);
fwrite($pipes[0], $m['data']);
fclose($pipes[0]);
$parsed = json_decode(stream_get_contents($pipes[1]), true);
proc_close($p);
var_dump($parsed['subject'], $parsed['to'], $parsed['cc']);
foreach ($parsed['parts'] as [$type, $name, $hex]) {
	echo $type, ' ', $name ?? '-', ' ';
	if ($name === 'data.bin') {
		var_dump(hex2bin($hex) === $attachment);
	} else {
		var_dump(trim(hex2bin($hex)));
	}
}
?>
--EXPECT--
bool(true)
string(14) "bounces@x.test"
array(3) {
  [0]=>
  string(10) "ann@y.test"
  [1]=>
  string(9) "cc@y.test"
  [2]=>
  string(13) "hidden@z.test"
}
bool(true)
int(0)
int(0)
string(17) "Đơn hàng mới"
string(16) "Ann <ann@y.test>"
string(9) "cc@y.test"
text/plain - string(9) "Hello Ann"
text/html - string(23) "<p>Hello <b>Ann</b></p>"
application/octet-stream data.bin bool(true)

--TEST--
mail() (smtp.override_mail with smtp.dkim_*) and Mailer::send() of a Message (Vietnamese subject and names, text + HTML + attachment) are DKIM-signed; dkimpy verifies what the server received
--EXTENSIONS--
smtp
--SKIPIF--
<?php
exec('/usr/bin/python3 -c "import dkim" 2>&1', $o, $rc);
if ($rc !== 0) die('skip python3-dkim (dkimpy) is not installed: scripts/deps.sh');
?>
--INI--
smtp.override_mail=1
sendmail_path=/bin/false
--FILE--
<?php
require __DIR__ . '/../inc/server.inc';
require __DIR__ . '/dkim.inc';

$srv = SmtpTestServer::start();
$file = tempnam(sys_get_temp_dir(), 'smtp-dkim-mail');
file_put_contents($file, dkim_test_keys()['ed']['private_key']);
ini_set('smtp.host', $srv->host);
ini_set('smtp.port', (string) $srv->port);
ini_set('smtp.encryption', 'none');
ini_set('smtp.dkim_domain', 'example.com');
ini_set('smtp.dkim_selector', 'ed');
ini_set('smtp.dkim_key_file', $file);

var_dump(mail('ann@example.org', 'Đơn hàng mới', "Xin chào Ann,\nCảm ơn bạn.\n", "From: shop@example.com\r\nCc: bob@example.org"));

$mailer = new Smtp\Mailer($srv->config(['dkim' => [dkim_config('rsa'), dkim_config('ed')]]));
$message = (new Smtp\Message())
    ->from('shop@example.com', 'Cửa hàng Áo Dài')->to('ann@example.org', 'Nguyễn Thị Ann')->replyTo('sales@example.com')
    ->subject('Đơn hàng mới #1234')->text("Xin chào,\ncảm ơn bạn đã đặt hàng.")->html('<p>Xin chào, <b>cảm ơn</b> bạn!</p>')
    ->attachData(random_bytes(200000), 'hoa-don.pdf', 'application/pdf');
$mailer->send($message);

foreach ($srv->waitForMessages(2) as $i => $m) {
    $v = dkim_verify(dkim_records(), $m['data']);
    echo $i === 0 ? 'mail(): ' : 'send(): ', $v['ok'] ? 'verified: ' : 'NOT VERIFIED: ', implode(', ', $v['results']), "\n";
    if (!$v['ok']) {
        echo $v['output'];
    }
}
unlink($file);
?>
--EXPECT--
bool(true)
mail(): verified: pass a=ed25519-sha256 d=example.com s=ed
send(): verified: pass a=rsa-sha256 d=example.com s=rsa, pass a=ed25519-sha256 d=example.com s=ed

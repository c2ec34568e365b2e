--TEST--
Message: Mailer::send() puts exactly toString()'s bytes on the wire; envelope from returnPath, recipients deduplicated, Bcc hidden
--EXTENSIONS--
smtp
--FILE--
<?php
require __DIR__ . '/../inc/server.inc';
$srv = SmtpTestServer::start();
$mailer = new Smtp\Mailer($srv->dsn());
$m = (new Smtp\Message())->from('shop@example.com', 'Shop')->returnPath('bounces@example.com')
	->to('ann@example.org', 'Nguyễn Văn An')->cc('ann@EXAMPLE.org')->bcc('ann@example.org')->bcc('hidden@example.net')
	->subject('Đơn hàng mới từ website')->text("line\n.dot\n");
$receipt = $mailer->send($m);
$msgs = $srv->waitForMessages(1);
var_dump($receipt->messageId === $m->messageId());
var_dump($msgs[0]['mail_from'], $msgs[0]['rcpt_tos']);
var_dump(rtrim($msgs[0]['data'], "\r\n") === rtrim($m->toString(), "\r\n"));
$r = parse_message($msgs[0]['data']);
var_dump(isset($r['header']['bcc']), $r['header']['subject'][0]);
?>
--EXPECT--
bool(true)
string(19) "bounces@example.com"
array(2) {
  [0]=>
  string(15) "ann@example.org"
  [1]=>
  string(18) "hidden@example.net"
}
bool(true)
bool(false)
string(30) "Đơn hàng mới từ website"

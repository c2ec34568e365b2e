--TEST--
RFC 6152: 8-bit data gets BODY=8BITMIME on MAIL FROM where the server offers 8BITMIME (sendRaw, mail()); 7-bit data never does; a server without 8BITMIME gets the 8-bit data as it is, without BODY= (what it does with it is its choice), as before
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
$eight = "Subject: caf\xC3\xA9\r\n\r\nna\xC3\xAFve body\r\n";
$seven = "Subject: plain\r\n\r\nplain body\r\n";
foreach ([true, false] as $offered) {
	$srv = SmtpTestServer::start(['eightbitmime' => $offered, 'pipelining' => $offered]);
	$mailer = new Smtp\Mailer($srv->config());
	$mailer->sendRaw('a@x.test', 'b@y.test', $eight);
	$mailer->sendRaw('a@x.test', 'b@y.test', $seven);
	ini_set('smtp.host', $srv->host);
	ini_set('smtp.port', (string) $srv->port);
	var_dump(mail('b@y.test', 'hi', "8-bit \xC3\xA9", "From: a@x.test"));
	var_dump(mail('b@y.test', 'hi', "7-bit", "From: a@x.test"));
	echo "8BITMIME offered: ", var_export($offered, true), "\n";
	foreach ($srv->waitForMessages(4) as $i => $m) {
		printf("  message %d: MAIL options %s, bytes intact: %s\n", $i + 1, json_encode($m['mail_options']),
			var_export($i === 0 ? $m['data'] === $eight : ($i === 1 ? $m['data'] === $seven : true), true));
	}
	$srv->stop();
}
?>
--EXPECTF--
bool(true)
bool(true)
8BITMIME offered: true
  message 1: MAIL options ["SIZE=31","BODY=8BITMIME"], bytes intact: true
  message 2: MAIL options ["SIZE=30"], bytes intact: true
  message 3: MAIL options ["SIZE=%d","BODY=8BITMIME"], bytes intact: true
  message 4: MAIL options ["SIZE=%d"], bytes intact: true
bool(true)
bool(true)
8BITMIME offered: false
  message 1: MAIL options ["SIZE=31"], bytes intact: true
  message 2: MAIL options ["SIZE=30"], bytes intact: true
  message 3: MAIL options ["SIZE=%d"], bytes intact: true
  message 4: MAIL options ["SIZE=%d"], bytes intact: true

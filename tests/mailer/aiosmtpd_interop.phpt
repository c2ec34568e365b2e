--TEST--
Mailer against Debian's aiosmtpd (an independent SMTP server): plaintext, STARTTLS + AUTH PLAIN/LOGIN, implicit TLS; send and sendRaw arrive intact
--EXTENSIONS--
smtp
--FILE--
<?php
require __DIR__ . '/../inc/server.inc';
$cases = [
	'plaintext' => [['engine' => 'aiosmtpd'], []],
	'starttls + auth plain' => [['engine' => 'aiosmtpd', 'tls' => 'starttls', 'auth' => 'ann@example.org:pw-Ø1'],
		['username' => 'ann@example.org', 'password' => 'pw-Ø1', 'auth' => 'plain']],
	'starttls + auth login' => [['engine' => 'aiosmtpd', 'tls' => 'starttls', 'auth' => 'ann@example.org:pw-Ø1'],
		['username' => 'ann@example.org', 'password' => 'pw-Ø1', 'auth' => 'login']],
	'implicit tls + auth auto' => [['engine' => 'aiosmtpd', 'tls' => 'implicit', 'auth' => 'ann@example.org:pw-Ø1'],
		['username' => 'ann@example.org', 'password' => 'pw-Ø1']],
];
foreach ($cases as $label => [$server, $config]) {
	$srv = SmtpTestServer::start($server);
	$mailer = new Smtp\Mailer($srv->config($config));
	$raw = "From: ann@example.org\r\nTo: bob@example.net\r\nSubject: raw\r\n\r\n.leading dot\r\nend\r\n";
	$mailer->sendRaw('ann@example.org', 'bob@example.net', $raw);
	$message = (new Smtp\Message())->from('ann@example.org', 'Ann')->to('bob@example.net')->bcc('carol@example.net')
		->subject('Đơn hàng mới từ website')->text("Xin chào\n")->attachData(random_bytes(3000), 'a.bin');
	$receipt = $mailer->send($message);
	$got = $srv->waitForMessages(2);
	$parsed = parse_message($got[1]['data']);
	printf("%s: raw exact=%s, tls=%s, auth=%s, envelope=%s, subject=%s, bcc in data=%s, id=%s\n", $label,
		var_export($got[0]['data'] === $raw, true), var_export($got[1]['tls'], true), $got[1]['auth_user'] ?? '-',
		implode(',', $got[1]['rcpt_tos']), $parsed['header']['subject'][0],
		var_export(str_contains($got[1]['data'], 'carol'), true),
		var_export(str_contains($got[1]['data'], "Message-ID: <{$receipt->messageId}>"), true));
}
?>
--EXPECT--
plaintext: raw exact=true, tls=false, auth=-, envelope=bob@example.net,carol@example.net, subject=Đơn hàng mới từ website, bcc in data=false, id=true
starttls + auth plain: raw exact=true, tls=true, auth=ann@example.org, envelope=bob@example.net,carol@example.net, subject=Đơn hàng mới từ website, bcc in data=false, id=true
starttls + auth login: raw exact=true, tls=true, auth=ann@example.org, envelope=bob@example.net,carol@example.net, subject=Đơn hàng mới từ website, bcc in data=false, id=true
implicit tls + auth auto: raw exact=true, tls=true, auth=ann@example.org, envelope=bob@example.net,carol@example.net, subject=Đơn hàng mới từ website, bcc in data=false, id=true

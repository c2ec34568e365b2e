--TEST--
Mailer: a refusal at the end of DATA is an Smtp\Exception: 451 temporary, 554 permanent
--EXTENSIONS--
smtp
--FILE--
<?php
require __DIR__ . '/../inc/server.inc';
foreach ([451, 554] as $code) {
	$srv = SmtpTestServer::start(['fault' => ['data_reply' => $code]]);
	try {
		(new Smtp\Mailer($srv->dsn()))->sendRaw('a@x.test', 'b@y.test', "Subject: d\r\n\r\nx\r\n");
	} catch (Smtp\Exception $e) {
		printf("%s code=%d %s temporary=%s\n%s\n", get_class($e), $e->smtpCode, $e->enhancedStatus, var_export($e->temporary, true), $e->getMessage());
	}
}
?>
--EXPECTF--
Smtp\Exception code=451 4.3.0 temporary=true
The server refused while sending the message: 451 4.3.0 %s
Smtp\Exception code=554 5.%d.%d temporary=false
The server refused while sending the message: 554 %s

--TEST--
Mailer: credentials over plaintext only with allow_insecure_auth=true
--EXTENSIONS--
smtp
--FILE--
<?php
require __DIR__ . '/../inc/server.inc';
$srv = SmtpTestServer::start(['auth' => 'user:secret', 'auth_plaintext' => true]);
try {
	new Smtp\Mailer($srv->config(['username' => 'user', 'password' => 'secret']));
} catch (Smtp\InvalidArgumentException $e) {
	echo "refused: ", $e->getMessage(), "\n";
}
$r = (new Smtp\Mailer($srv->config(['username' => 'user', 'password' => 'secret', 'allow_insecure_auth' => true, 'auth' => 'plain'])))
	->sendRaw('a@x.test', 'b@y.test', "x\r\n");
echo $r->response, "; auth_user=", $srv->waitForMessages(1)[0]['auth_user'], "\n";
?>
--EXPECT--
refused: Refusing to send credentials over an unencrypted connection: use encryption starttls or tls, or set allow_insecure_auth to true if you really mean it
250 2.0.0 OK: queued as 0001; auth_user=user

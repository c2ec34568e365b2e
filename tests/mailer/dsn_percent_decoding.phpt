--TEST--
Mailer: a DSN's user and password are percent-decoded; implicit TLS by smtps://
--EXTENSIONS--
smtp
--FILE--
<?php
require __DIR__ . '/../inc/server.inc';
$user = 'me@example.com';
$pass = 'p@ss:w/rd%?&#';
$srv = SmtpTestServer::start(['tls' => 'implicit', 'auth' => "$user:$pass"]);
$dsn = sprintf('smtps://%s:%s@127.0.0.1:%d?cafile=%s&timeout=5', rawurlencode($user), rawurlencode($pass), $srv->port, rawurlencode($srv->cafile));
(new Smtp\Mailer($dsn))->sendRaw($user, 'b@y.test', "Subject: dsn\r\n\r\nx\r\n");
$m = $srv->waitForMessages(1)[0];
var_dump($m['auth_user'], $m['tls']);
?>
--EXPECT--
string(14) "me@example.com"
bool(true)

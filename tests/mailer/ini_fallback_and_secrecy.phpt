--TEST--
Mailer: keys not given fall back to smtp.* INI; INI credentials never go to another host; phpinfo() masks the password
--EXTENSIONS--
smtp
--INI--
smtp.host=127.0.0.1
smtp.encryption=starttls
smtp.username=pool-user
smtp.password=pool-secret-123
smtp.from=site@x.test
--FILE--
<?php
require __DIR__ . '/../inc/server.inc';
$srv = SmtpTestServer::start(['tls' => 'starttls', 'auth' => 'pool-user:pool-secret-123']);
ini_set('smtp.port', (string) $srv->port);
ini_set('smtp.cafile', $srv->cafile);
$r = (new Smtp\Mailer())->sendRaw('site@x.test', 'b@y.test', "Subject: ini\r\n\r\nx\r\n");
echo "INI only: ", $r->response, " as ", $srv->waitForMessages(1)[0]['auth_user'], "\n";

/* Another host named by the script: no INI credentials are sent to it. */
$other = SmtpTestServer::start(['host' => '::1', 'tls' => 'starttls', 'auth' => 'pool-user:pool-secret-123', 'auth_plaintext' => true]);
$r = (new Smtp\Mailer(['host' => '[::1]', 'port' => $other->port, 'cafile' => $other->cafile, 'verify_peer' => false]))
	->sendRaw('site@x.test', 'b@y.test', "Subject: other\r\n\r\nx\r\n");
$s = $other->waitForSessions(1)[0];
echo "other host: ", $r->response, "; AUTH attempts there: ", count($s['auth_attempts']), "\n";

ob_start();
phpinfo(INFO_MODULES);
$info = ob_get_clean();
echo "phpinfo shows password: ", var_export(str_contains($info, 'pool-secret-123'), true), "; masked: ",
	var_export((bool) preg_match('/smtp\.password => \*+ => \*+/', $info), true), "\n";
?>
--EXPECT--
INI only: 250 2.0.0 OK: queued as 0001 as pool-user
other host: 250 2.0.0 OK: queued as 0001; AUTH attempts there: 0
phpinfo shows password: false; masked: true

--TEST--
Mailer: keys not given fall back to smtp.* INI; INI credentials never go to another host, nor where a script redirected smtp.*
--EXTENSIONS--
smtp
--FILE--
<?php
require __DIR__ . '/../inc/server.inc';
require __DIR__ . '/../inc/child.inc';
$relay = SmtpTestServer::start(['tls' => 'starttls', 'auth' => 'pool-user:pool-secret-123']);
$evil = SmtpTestServer::start(['tls' => 'starttls', 'auth' => 'pool-user:pool-secret-123']);
/* What php.ini or a pool's php_admin_value would set. */
$ini = ['smtp.host' => '127.0.0.1', 'smtp.port' => $relay->port, 'smtp.cafile' => $relay->cafile,
	'smtp.username' => 'pool-user', 'smtp.password' => 'pool-secret-123', 'smtp.from' => 'site@x.test'];

$r = php_child($ini, 'echo (new Smtp\Mailer())->sendRaw("site@x.test", "b@y.test", "Subject: ini\r\n\r\nx\r\n")->response;');
echo "INI only: ", $r['stdout'], " as ", $relay->waitForMessages(1)[0]['auth_user'], "\n";

/* A script that names another host (an IPv6 literal here) gets no INI credentials. */
$other = SmtpTestServer::start(['host' => '::1', 'tls' => 'starttls', 'auth' => 'pool-user:pool-secret-123']);
$r = php_child($ini, sprintf('echo (new Smtp\Mailer(["host" => "[::1]", "port" => %d, "cafile" => %s, "verify_peer" => false]))
	->sendRaw("site@x.test", "b@y.test", "Subject: other\r\n\r\nx\r\n")->response;', $other->port, var_export($other->cafile, true)));
echo "other host: ", $r['stdout'], "; AUTH attempts there: ", count($other->waitForSessions(1)[0]['auth_attempts']), "\n";

/* A script that redirects smtp.port (or smtp.host) to its own server gets none either. */
$r = php_child($ini, sprintf('ini_set("smtp.port", "%d"); ini_set("smtp.cafile", %s);
	try { (new Smtp\Mailer())->sendRaw("site@x.test", "b@y.test", "Subject: evil\r\n\r\nx\r\n"); echo "sent"; }
	catch (Smtp\Exception $e) { echo get_class($e); }', $evil->port, var_export($evil->cafile, true)));
$sessions = $evil->waitForSessions(1);
echo "redirected by ini_set: ", $r['stdout'], "; AUTH attempts there: ", count($sessions[0]['auth_attempts'] ?? []), "\n";

/* phpinfo() masks the password. */
$r = php_child($ini, 'phpinfo(INFO_MODULES);');
echo "phpinfo shows password: ", var_export(str_contains($r['stdout'], 'pool-secret-123'), true), "; masked: ",
	var_export((bool) preg_match('/smtp\.password => \*+ => \*+/', $r['stdout']), true), "\n";
?>
--EXPECT--
INI only: 250 2.0.0 OK: queued as 0001 as pool-user
other host: 250 2.0.0 OK: queued as 0001; AUTH attempts there: 0
redirected by ini_set: sent; AUTH attempts there: 0
phpinfo shows password: false; masked: true

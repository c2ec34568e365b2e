--TEST--
OAuth: smtp.oauth_* INI settings let a hosting panel configure the relay's OAuth client; the client secret, the refresh token and every access token stay out of ini_get, phpinfo, Reflection, transcripts, debug lines, exceptions, traces and smtp.log; they go only to the INI relay
--EXTENSIONS--
smtp
--FILE--
<?php
require __DIR__ . '/../inc/server.inc';
require __DIR__ . '/../inc/child.inc';
require __DIR__ . '/../inc/oauth.inc';
$as = OAuthTestServer::start(accessTtl: 2);
$relay = SmtpTestServer::start(['tls' => 'starttls', 'auth' => 'ann@example.org:unused', 'require_auth' => true,
	'oauth_introspect' => $as->introspectionUrl()]);
$tokens = $as->authorize('ann@example.org');
$log = sys_get_temp_dir() . '/smtp-oauth-ini-' . getmypid() . '.log';
$ini = ['smtp.host' => '127.0.0.1', 'smtp.port' => $relay->port, 'smtp.cafile' => $relay->cafile,
	'smtp.username' => 'ann@example.org', 'smtp.auth' => 'xoauth2', 'smtp.oauth_token_url' => $as->tokenUrl,
	'smtp.oauth_client_id' => 'smtp-app', 'smtp.oauth_client_secret' => OAuthTestServer::CLIENT_SECRET,
	'smtp.oauth_refresh_token' => $tokens['refresh_token'], 'smtp.oauth_scope' => 'smtp.send', 'smtp.log' => $log,
	'smtp.from' => 'ann@example.org'];

$code = <<<'PHP'
foreach (['smtp.oauth_client_secret', 'smtp.oauth_refresh_token'] as $name) {
	echo "$name: ini_get=", ini_get($name), " cfg=", get_cfg_var($name), " all=", ini_get_all('smtp')[$name]['local_value'],
		" reflection=", (new ReflectionExtension('smtp'))->getINIEntries()[$name], " ini_set=", var_export(@ini_set($name, 'x'), true), "\n";
}
phpinfo(INFO_MODULES);
$lines = [];
$mailer = new Smtp\Mailer(['debug' => function ($l) use (&$lines) { $lines[] = $l; }]);
echo $mailer->sendRaw('ann@example.org', 'bob@example.net', "Subject: 1\r\n\r\nx\r\n")->response, "\n";
sleep(3); /* expired: the next session refreshes */
$mailer->close();
echo $mailer->sendRaw('ann@example.org', 'bob@example.net', "Subject: 2\r\n\r\nx\r\n")->response, "\n";
echo implode("\n", $lines), "\n", implode("\n", $mailer->transcript()), "\n";
var_dump($mailer);
print_r($mailer);
echo mail('bob@example.net', 'via mail()', 'x') ? "mail() ok\n" : "mail() failed\n";
print_r(smtp_last_result());
PHP;
$r1 = php_child($ini + ['smtp.override_mail' => 1], $code);
echo "child 1 exit: ", $r1['status'], "\n";
echo implode("\n", array_filter(explode("\n", $r1['stdout']), fn($l) => str_contains($l, ': ini_get=') || str_starts_with($l, '250'))), "\n";

/* consent withdrawn: the failure, its trace and transcript */
$as->revoke($tokens['refresh_token']);
$r2 = php_child($ini, <<<'PHP'
try {
	(new Smtp\Mailer())->sendRaw('ann@example.org', 'bob@example.net', "Subject: 3\r\n\r\nx\r\n");
} catch (Smtp\Exception $e) {
	echo get_class($e), "\n", $e, "\n";
	print_r($e);
	var_dump($e->transcript);
}
PHP);
echo "child 2: ", strtok($r2['stdout'], "\n"), "\n";

/* a script that redirects the token URL gets no INI secrets (nor the INI username), and the same for another host */
$evil = 'http://127.0.0.1:' . SmtpTestServer::unusedPort() . '/token';
$r3 = php_child($ini, sprintf('ini_set("smtp.oauth_token_url", %s);
	try { (new Smtp\Mailer())->sendRaw("ann@example.org", "bob@example.net", "Subject: 4\r\n\r\nx\r\n"); echo "sent"; }
	catch (Smtp\Exception $e) { echo $e->getMessage(); }', var_export($evil, true)));
echo "redirected token URL: ", $r3['stdout'], "\n";

/* every access token the relay was given, read from its own wire log */
$secrets = [OAuthTestServer::CLIENT_SECRET, $tokens['refresh_token']];
foreach (explode("\n", file_get_contents($relay->dir . '/log.jsonl')) as $line) {
	$e = json_decode($line, true);
	if (($e['event'] ?? '') === 'line' && preg_match('/^AUTH XOAUTH2 (\S+)/', $e['line'], $m)) {
		preg_match('/auth=Bearer ([^\x01]+)/', base64_decode($m[1]), $t);
		$secrets[] = $t[1];
		$secrets[] = $m[1];
	}
}
echo "AUTH lines at the relay: ", count($secrets) / 2 - 1, ", distinct access tokens: ", count(array_unique($secrets)) / 2 - 1, "\n";
$everything = implode("\n", [$r1['stdout'], $r1['stderr'], $r2['stdout'], $r2['stderr'], $r3['stdout'], $r3['stderr'],
	file_get_contents($log)]);
$leaks = array_filter($secrets, fn($s) => str_contains($everything, $s));
echo "secrets found in any output, trace, transcript or smtp.log: ", count($leaks), "\n";
echo "smtp.log lines: ", count(file($log)), "\n";
unlink($log);
?>
--EXPECTF--
child 1 exit: 0
smtp.oauth_client_secret: ini_get=******** cfg=******** all=******** reflection=******** ini_set=false
smtp.oauth_refresh_token: ini_get=******** cfg=******** all=******** reflection=******** ini_set=false
250 %s
250 %s
child 2: Smtp\AuthenticationException
redirected token URL: %s530 5.7.0 Authentication required (sent without the php.ini credentials: %s, and smtp.oauth_token_url was changed in this request (ini_set() or .user.ini))
AUTH lines at the relay: 3, distinct access tokens: 2
secrets found in any output, trace, transcript or smtp.log: 0
smtp.log lines: 5

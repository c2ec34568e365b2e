--TEST--
Mailer: transcripts, debug lines and exceptions never hold the password or its base64
--EXTENSIONS--
smtp
--FILE--
<?php
require __DIR__ . '/../inc/server.inc';
$user = 'ann@example.org';
$pass = 'Tr0ub4dor&3-horse';
$srv = SmtpTestServer::start(['tls' => 'starttls', 'auth' => "$user:$pass"]);
$secrets = [$pass, base64_encode($pass), base64_encode("\0$user\0$pass"), base64_encode("$user\0$pass"),
	base64_encode("user=$user\x01auth=Bearer $pass\x01\x01"), rawurlencode($pass)];
$leaks = fn(array $lines) => count(array_filter($lines, function ($line) use ($secrets) {
	foreach ($secrets as $s) { if (str_contains($line, $s)) return true; }
	return false;
}));
foreach (['plain', 'login', 'cram-md5', 'xoauth2'] as $auth) {
	$debug = [];
	$mailer = new Smtp\Mailer($srv->config(['username' => $user, 'password' => $pass, 'auth' => $auth,
		'debug' => function (string $line) use (&$debug) { $debug[] = $line; }]));
	$mailer->sendRaw($user, 'b@y.test', "Subject: t\r\n\r\nx\r\n");
	$t = $mailer->transcript();
	$authLine = array_values(preg_grep('/^C: AUTH/', $t))[0];
	printf("%s: lines=%s, debug same=%s, leaks=%d, %s\n", $auth, count($t) > 20 ? 'yes' : 'no', var_export($t === $debug, true), $leaks($t), $authLine);
}
try {
	(new Smtp\Mailer($srv->config(['username' => $user, 'password' => $pass . 'x', 'auth' => 'login'])))->sendRaw($user, 'b@y.test', "x\r\n");
} catch (Smtp\AuthenticationException $e) {
	echo "exception transcript leaks=", $leaks($e->transcript), " message leaks=", $leaks([$e->getMessage(), (string) $e]), "\n";
}
?>
--EXPECT--
plain: lines=yes, debug same=true, leaks=0, C: AUTH PLAIN ***
login: lines=yes, debug same=true, leaks=0, C: AUTH LOGIN ***
cram-md5: lines=yes, debug same=true, leaks=0, C: AUTH CRAM-MD5
xoauth2: lines=yes, debug same=true, leaks=0, C: AUTH XOAUTH2 ***
exception transcript leaks=0 message leaks=0

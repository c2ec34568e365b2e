--TEST--
harness: STARTTLS and AUTH PLAIN from PHP's own streams; the log shows what came in clear text
--FILE--
<?php
require __DIR__ . '/../inc/server.inc';

$srv = SmtpTestServer::start(['tls' => 'starttls', 'auth' => 'user:secret']);
$conn = stream_socket_client("tcp://127.0.0.1:$srv->port", $errno, $errstr, 5);
$read = function () use ($conn) {
	$reply = '';
	do {
		$line = fgets($conn);
		$reply .= $line;
	} while ($line !== false && $line[3] === '-');
	return rtrim($reply);
};
$say = function (string $line) use ($conn, $read) {
	fwrite($conn, "$line\r\n");
	return $read();
};
$read();
$ehlo = $say('EHLO c.test');
var_dump(str_contains($ehlo, 'STARTTLS'), str_contains($ehlo, 'AUTH'));
echo $say('AUTH PLAIN ' . base64_encode("\0user\0secret")), "\n";
echo $say('STARTTLS'), "\n";
stream_context_set_option($conn, 'ssl', 'cafile', $srv->cafile);
stream_context_set_option($conn, 'ssl', 'peer_name', 'localhost');
var_dump(stream_socket_enable_crypto($conn, true, STREAM_CRYPTO_METHOD_TLS_CLIENT));
$ehlo = $say('EHLO c.test');
var_dump(str_contains($ehlo, 'STARTTLS'), str_contains($ehlo, 'AUTH PLAIN LOGIN CRAM-MD5 XOAUTH2'));
echo $say('AUTH PLAIN ' . base64_encode("\0user\0wrong")), "\n";
echo $say('AUTH PLAIN ' . base64_encode("\0user\0secret")), "\n";
echo $say('QUIT'), "\n";
fclose($conn);

$s = $srv->waitForSessions(1)[0];
var_dump($s['tls'], $s['auth_user'], $s['tls_version'] !== null);
foreach ($s['lines'] as $line) {
	echo $line['tls'] ? 'tls   ' : 'clear ', $line['line'], "\n";
}
?>
--EXPECT--
bool(true)
bool(false)
538 5.7.11 Encryption required for requested authentication mechanism
220 2.0.0 Ready to start TLS
bool(true)
bool(false)
bool(true)
535 5.7.8 Authentication credentials invalid
235 2.7.0 Authentication successful
221 2.0.0 Bye
bool(true)
string(4) "user"
bool(true)
clear EHLO c.test
clear AUTH PLAIN AHVzZXIAc2VjcmV0
clear STARTTLS
tls   EHLO c.test
tls   AUTH PLAIN AHVzZXIAd3Jvbmc=
tls   AUTH PLAIN AHVzZXIAc2VjcmV0
tls   QUIT

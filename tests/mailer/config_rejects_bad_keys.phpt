--TEST--
Mailer: every bad config key or value throws Smtp\InvalidArgumentException naming it
--EXTENSIONS--
smtp
--FILE--
<?php
$cases = [
	'unknown key' => ['host' => 'x.test', 'hots' => 'y'],
	'bad encryption' => ['host' => 'x.test', 'encryption' => 'ssl3'],
	'port out of range' => ['host' => 'x.test', 'port' => 70000],
	'port not a number' => ['host' => 'x.test', 'port' => 'abc'],
	'negative timeout' => ['host' => 'x.test', 'timeout' => -1],
	'bad auth' => ['host' => 'x.test', 'auth' => 'ntlm'],
	'CRLF in host' => ['host' => "x.test\r\nRCPT TO:<evil@x.test>"],
	'slash in host' => ['host' => 'x.test/path'],
	'bad from' => ['host' => 'x.test', 'from' => 'not an address'],
	'debug not callable' => ['host' => 'x.test', 'debug' => 'no_such_function_here'],
	'credentials in plaintext' => ['host' => 'x.test', 'encryption' => 'none', 'username' => 'u', 'password' => 'p'],
	'deferred without spool' => ['host' => 'x.test', 'deferred' => true],
	'bad verify_peer' => ['host' => 'x.test', 'verify_peer' => 'maybe'],
	'unreadable cafile' => ['host' => 'x.test', 'cafile' => '/nonexistent/ca.pem'],
	'bad helo' => ['host' => 'x.test', 'helo' => 'bad helo!'],
	'integer key' => ['x.test'],
	'no host' => [],
	'DSN bad scheme' => 'http://x.test',
	'DSN smtps with encryption=none' => 'smtps://x.test?encryption=none',
	'DSN unknown query key' => 'smtp://x.test?colour=blue',
	'DSN not a URL' => 'smtp:///',
	'nested fallback' => ['host' => 'x.test', 'fallback' => ['host' => 'y.test', 'fallback' => 'smtp://z.test']],
	'bad fallback' => ['host' => 'x.test', 'fallback' => ['host' => 'y.test', 'port' => 0]],
];
foreach ($cases as $label => $config) {
	try {
		new Smtp\Mailer($config);
		echo "$label: accepted!\n";
	} catch (Smtp\InvalidArgumentException $e) {
		echo "$label: ", $e->getMessage(), "\n";
	}
}
var_dump(new Smtp\InvalidArgumentException() instanceof InvalidArgumentException);
?>
--EXPECTF--
unknown key: Unknown config key "hots"
bad encryption: Config key "encryption" must be starttls, tls or none, "ssl3" given
port out of range: Config key "port" must be between 1 and 65535, 70000 given
port not a number: Config key "port" must be an integer
negative timeout: Config key "timeout" must be between 0.001 and 3600
bad auth: Config key "auth" must be auto, plain, login, cram-md5, xoauth2 or oauthbearer
CRLF in host: Config key "host" must not contain control characters (CR, LF, NUL, ...)
slash in host: Config key "host" contains an invalid character: "x.test/path"
bad from: Config key "from" is not a valid address (%s): "not an address"
debug not callable: Config key "debug" must be callable
credentials in plaintext: Refusing to send credentials over an unencrypted connection: use encryption starttls or tls, or set allow_insecure_auth to true if you really mean it
deferred without spool: Config key "deferred" needs "spool" (a directory to queue messages in)
bad verify_peer: Config key "verify_peer" must be a boolean
unreadable cafile: Config key "cafile": cannot read "/nonexistent/ca.pem"
bad helo: Config key "helo" must be a host name or an address literal
integer key: Config keys must be strings, found index 0
no host: No SMTP host: give "host" (or a DSN), or set smtp.host
DSN bad scheme: The DSN scheme must be smtp:// (STARTTLS) or smtps:// (implicit TLS), "http" given
DSN smtps with encryption=none: smtps:// means implicit TLS: it cannot be combined with encryption=none
DSN unknown query key: Unknown config key "colour"
DSN not a URL: The DSN is not a URL like smtp://user:pass@host:587
nested fallback: Config key "fallback" cannot itself have a fallback
bad fallback: Config key "port" must be between 1 and 65535, 0 given
bool(true)

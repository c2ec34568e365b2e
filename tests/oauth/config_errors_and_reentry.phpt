--TEST--
OAuth: bad token/oauth config throws Smtp\InvalidArgumentException naming the problem (no secret in it or in the trace); a token callable that sends with, or closes, its own Mailer cannot break the send in progress
--EXTENSIONS--
smtp
--FILE--
<?php
require __DIR__ . '/../inc/server.inc';
$base = ['host' => 'mx.example.test', 'username' => 'ann@example.org'];
$grant = ['token_url' => 'https://login.example.test/token', 'client_id' => 'id', 'client_secret' => 'TOPSECRET-1', 'refresh_token' => 'TOPSECRET-2'];
$cases = [
	'token not string or callable' => ['token' => 42],
	'empty token' => ['token' => ''],
	'token with CRLF' => ['token' => "abc\r\nMAIL FROM:<x>"],
	'token with auth plain' => ['token' => 'abc', 'auth' => 'plain'],
	'token without username' => ['token' => 'abc', 'username' => null],
	'token and oauth' => ['token' => 'abc', 'oauth' => $grant],
	'oauth not array' => ['oauth' => 'TOPSECRET-3'],
	'oauth unknown key' => ['oauth' => $grant + ['tenant' => 'x']],
	'oauth http to another host' => ['oauth' => ['token_url' => 'http://login.example.test/token'] + $grant],
	'oauth ftp' => ['oauth' => ['token_url' => 'ftp://127.0.0.1/token'] + $grant],
	'oauth no client_id' => ['oauth' => array_diff_key($grant, ['client_id' => 1])],
	'oauth client credentials without secret' => ['oauth' => array_diff_key($grant, ['client_secret' => 1, 'refresh_token' => 1])],
	'oauth on_refresh_token not callable' => ['oauth' => $grant + ['on_refresh_token' => 'no_such_function']],
	'bad auth' => ['auth' => 'xoauth3'],
];
foreach ($cases as $name => $extra) {
	$config = array_filter(array_merge($base, $extra), fn($v) => $v !== null);
	try {
		new Smtp\Mailer($config);
		echo "$name: accepted?!\n";
	} catch (Smtp\InvalidArgumentException $e) {
		$leak = str_contains((string) $e, 'TOPSECRET') ? ' LEAK' : '';
		echo "$name: ", $e->getMessage(), "$leak\n";
	}
}
/* accepted: http:// to loopback, a public client, auth auto with a token (becomes xoauth2), the password as a token */
foreach ([['oauth' => ['token_url' => 'http://127.0.0.1:1/token', 'client_id' => 'x', 'refresh_token' => 'r']],
	['oauth' => ['token_url' => 'http://[::1]:1/token', 'client_id' => 'x', 'client_secret' => 's']],
	['token' => fn(bool $r) => 't'], ['auth' => 'oauthbearer', 'password' => 'a-bearer-token']] as $extra) {
	new Smtp\Mailer(array_merge($base, $extra));
}
echo "accepted the good ones\n";

/* re-entry from the token callable */
$srv = SmtpTestServer::start(['tls' => 'starttls', 'auth' => 'ann@example.org:tok', 'require_auth' => true]);
$mailer = null;
$inner = null;
$mailer = new Smtp\Mailer($srv->config(['username' => 'ann@example.org', 'auth' => 'xoauth2',
	'token' => function (bool $refresh) use (&$mailer, &$inner) {
		try {
			$mailer->sendRaw('ann@example.org', 'bob@example.net', "Subject: inner\r\n\r\nx\r\n");
			$inner = 'sent';
		} catch (Smtp\Exception $e) {
			$inner = get_class($e) . ': ' . $e->getMessage();
		}
		try {
			$mailer->close();
		} catch (Smtp\Exception $e) {
			$inner .= ' / close(): ' . $e->getMessage();
		}
		return 'tok';
	}]));
echo "outer: ", $mailer->sendRaw('ann@example.org', 'bob@example.net', "Subject: outer\r\n\r\nx\r\n")->response, "\n";
echo "inner: $inner\n";
echo "again: ", $mailer->sendRaw('ann@example.org', 'bob@example.net', "Subject: again\r\n\r\nx\r\n")->response, "\n";
echo "messages: ", count($srv->waitForMessages(2)), "\n";
/* the closure holds the Mailer: end the cycle here rather than in the shutdown GC (a Mailer
 * with an open connection freed that late leaves 384 bytes of libc's to LeakSanitizer, with
 * any callable, OAuth or not) */
$mailer = null;
?>
--EXPECTF--
token not string or callable: Config key "token" must be an access token string or a callable fn(bool $refresh): string
empty token: Config key "token" must be a non-empty access token without control characters, or a callable
token with CRLF: Config key "token" must be a non-empty access token without control characters, or a callable
token with auth plain: Config keys "token" and "oauth" need auth xoauth2 or oauthbearer
token without username: OAuth needs "username": the mailbox the token was issued for
token and oauth: Give either "token" or "oauth", not both
oauth not array: Config key "oauth" must be an array (token_url, client_id, client_secret, refresh_token, scope, on_refresh_token)
oauth unknown key: Config key "oauth": unknown key "tenant" (token_url, client_id, client_secret, refresh_token, scope, on_refresh_token)
oauth http to another host: Config key "oauth": token_url must be an https:// URL (http:// only to localhost, 127.0.0.1 or [::1])
oauth ftp: Config key "oauth": token_url must be an https:// URL (http:// only to localhost, 127.0.0.1 or [::1])
oauth no client_id: Config key "oauth" needs token_url and client_id (and refresh_token for the refresh token grant, or client_secret for client credentials)
oauth client credentials without secret: Config key "oauth": the client credentials grant (no refresh_token) needs client_secret
oauth on_refresh_token not callable: Config key "oauth": "on_refresh_token" must be a Closure or another callable object or array
bad auth: Config key "auth" must be auto, plain, login, cram-md5, xoauth2 or oauthbearer
accepted the good ones
outer: 250 %s
inner: Smtp\Exception: this Mailer is sending: %s / close(): this Mailer is sending: %s
again: 250 %s
messages: 2

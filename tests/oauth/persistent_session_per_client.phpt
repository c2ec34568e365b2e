--TEST--
OAuth + persistent: two Mailers with the same host and username but another OAuth client, or the same client with another refresh token (another grant), never share a kept session; the same OAuth config does reuse it
--EXTENSIONS--
smtp
--FILE--
<?php
require __DIR__ . '/../inc/server.inc';
require __DIR__ . '/../inc/oauth.inc';
$as = OAuthTestServer::start();
$srv = SmtpTestServer::start(['tls' => 'starttls', 'auth' => 'ann@example.org:unused', 'require_auth' => true,
	'auth_mechs' => ['XOAUTH2'], 'oauth_introspect' => $as->introspectionUrl()]);

/* three grants for the one mailbox: two consents to smtp-app, one to smtp-public */
$first = $as->authorize('ann@example.org');
$second = $as->authorize('ann@example.org');
$public = $as->authorize('ann@example.org', 'smtp-public', null);
$configs = [
	'smtp-app, first grant' => $as->grant($first['refresh_token']),
	'smtp-app, second grant' => $as->grant($second['refresh_token']),
	'smtp-public' => ['token_url' => $as->tokenUrl, 'client_id' => 'smtp-public',
		'refresh_token' => $public['refresh_token'], 'scope' => 'smtp.send'],
	'smtp-app, first grant again' => $as->grant($first['refresh_token']),
];

foreach ($configs as $name => $oauth) {
	$mailer = new Smtp\Mailer($srv->config(['username' => 'ann@example.org', 'auth' => 'xoauth2', 'oauth' => $oauth,
		'persistent' => true]));
	$mailer->sendRaw('ann@example.org', 'bob@example.net', "Subject: $name\r\n\r\nhello\r\n");
	$lines = $mailer->transcript();
	printf("%s: %s, %s\n", $name,
		in_array('* using a session kept from an earlier request', $lines, true) ? 'kept session reused' : 'a session of its own',
		preg_grep('/^C: AUTH XOAUTH2/', $lines) ? 'logged in' : 'no AUTH');
	unset($mailer); /* the session is kept for the next */
	echo "  kept: ", count(smtp_persistent_sessions()), "\n";
}

/* what the server saw: the first grant's two messages in one session, each other config in its own */
$bySession = [];
foreach ($srv->waitForMessages(4) as $m) {
	preg_match('/^Subject: (.*)\r$/m', $m['data'], $s);
	$bySession[$m['session']][] = $s[1];
}
ksort($bySession);
echo "server: ", json_encode(array_values($bySession)), "\n";
foreach ($srv->sessions() as $session) {
	foreach ($session['auth_attempts'] as $a) {
		echo $a['mechanism'], ' as ', $a['user'], ' ok=', var_export($a['ok'], true), "\n";
	}
}
/* close() ends each kept session (the first grant's Mailer ends its own) */
foreach ($configs as $name => $oauth) {
	(new Smtp\Mailer($srv->config(['username' => 'ann@example.org', 'auth' => 'xoauth2', 'oauth' => $oauth,
		'persistent' => true])))->close();
}
echo "kept after close(): ", count(smtp_persistent_sessions()), "\n";
?>
--EXPECT--
smtp-app, first grant: a session of its own, logged in
  kept: 1
smtp-app, second grant: a session of its own, logged in
  kept: 2
smtp-public: a session of its own, logged in
  kept: 3
smtp-app, first grant again: kept session reused, no AUTH
  kept: 3
server: [["smtp-app, first grant","smtp-app, first grant again"],["smtp-app, second grant"],["smtp-public"]]
XOAUTH2 as ann@example.org ok=true
XOAUTH2 as ann@example.org ok=true
XOAUTH2 as ann@example.org ok=true
kept after close(): 0

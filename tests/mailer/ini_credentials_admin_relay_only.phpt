--TEST--
Mailer: the php.ini credentials reach only the administrator's relay; every other route (port, encryption, verify_peer, cafile, auth, allow_insecure_auth, DSN, fallback, ini_set) gets zero AUTH lines, and the refusal says why
--EXTENSIONS--
smtp
--FILE--
<?php
require __DIR__ . '/../inc/server.inc';
require __DIR__ . '/../inc/child.inc';

const SECRET = 'pool-secret-123';
$hostile = ['auth' => 'pool-user:' . SECRET, 'auth_plaintext' => true, 'require_auth' => true];
/* The administrator's relay: STARTTLS with a certificate php.ini's cafile trusts; it also offers AUTH
 * before TLS (and CRAM-MD5), so a script that turns TLS off would get the password in the clear. */
$relay = SmtpTestServer::start(['tls' => 'starttls'] + $hostile);
/* A tenant's own servers: one with a certificate the INI CA signed (as a tenant on the same host can
 * get for localhost), one plaintext, one with implicit TLS, one on ::1. */
$evil = SmtpTestServer::start(['tls' => 'starttls'] + $hostile);
$plain = SmtpTestServer::start(['tls' => 'none'] + $hostile);
$implicit = SmtpTestServer::start(['tls' => 'implicit'] + $hostile);
$evil6 = SmtpTestServer::start(['host' => '::1', 'tls' => 'starttls'] + $hostile);
$evilUser = SmtpTestServer::start(['tls' => 'starttls'] + $hostile);
/* A man in the middle at the relay's own address, with a certificate nobody trusts. */
$mitm = SmtpTestServer::start(['tls' => 'starttls', 'cert' => 'selfsigned'] + $hostile);
$ca = $relay->cafile;
$selfsigned = $relay->certs . '/selfsigned.pem';

function ini_for(SmtpTestServer $relay): array
{
	return ['smtp.host' => '127.0.0.1', 'smtp.port' => $relay->port, 'smtp.cafile' => $relay->cafile,
		'smtp.username' => 'pool-user', 'smtp.password' => SECRET, 'smtp.from' => 'site@x.test', 'smtp.timeout' => 30];
}

/* Runs each route (name => PHP expression giving the config, or code with $send) in one child PHP
 * with the administrator's INI, and prints what the script saw. */
function run_routes(array $ini, array $routes): void
{
	$code = '$send = function (string $name, $config, ?string $before = null) {
		try {
			$r = (new Smtp\Mailer($config))->sendRaw("route-$name@x.test", "b@y.test", "Subject: $name\r\n\r\nx\r\n");
			$what = "sent: " . $r->response;
		} catch (Smtp\Exception $e) {
			$what = "refused, withheld because "
				. (preg_match("/kept for the relay php\\.ini names, and (.*)\\)$/s", $e->getMessage(), $m) ? $m[1] : "(not said: " . $e->getMessage() . ")");
		} catch (Throwable $e) {
			$what = get_class($e) . ": " . $e->getMessage();
		}
		echo "$name: $what\n";
	};';
	foreach ($routes as $name => $expr) {
		$code .= str_starts_with($expr, 'CODE:') ? substr($expr, 5) : sprintf('$send(%s, %s);', var_export($name, true), $expr);
		$code .= "\n";
	}
	$r = php_child($ini, $code);
	echo $r['stdout'], $r['stderr'];
}

/* Every AUTH line each server got, by the route (its MAIL FROM) that opened the session. */
function auth_lines(string $label, SmtpTestServer $server): void
{
	foreach ($server->waitForSessions(1) as $s) {
		$route = '(no MAIL FROM)';
		foreach ($s['commands'] as $c) {
			if (preg_match('/^MAIL FROM:<route-([^@]+)@/', $c, $m)) {
				$route = $m[1];
			}
		}
		$auth = 0;
		foreach ($s['lines'] as $l) {
			$auth += $l['kind'] === 'auth' || preg_match('/^AUTH\b/i', $l['line']) ? 1 : 0;
		}
		$used = count(array_filter($s['auth_attempts'], fn($a) => $a['ok']));
		if ($auth || $label === 'relay') {
			printf("%s %s: %d AUTH line(s), %d with the pool password\n", $label, $route, $auth, $used);
		}
		$total = ($GLOBALS['totals'][$label] ??= 0) + $auth;
		$GLOBALS['totals'][$label] = $total;
	}
}

$ini = ini_for($relay);
$P = fn(SmtpTestServer $s) => $s->port;
echo "--- a script's own port, host, encryption, DSN\n";
run_routes($ini, [
	'port' => "['port' => {$evil->port}]",
	'port-string' => "['port' => '{$evil->port}']",
	'host-and-port' => "['host' => '127.0.0.1', 'port' => {$evil->port}]",
	'host-case' => "['host' => 'LOCALHOST', 'port' => {$evil->port}]",
	'host-alias' => "['host' => 'localhost', 'port' => {$relay->port}]",
	'ipv6' => "['host' => '[::1]', 'port' => {$evil6->port}]",
	'tls' => "['encryption' => 'tls', 'port' => {$implicit->port}]",
	'ssl' => "['encryption' => 'ssl', 'port' => {$implicit->port}]",
	'none' => "['host' => '127.0.0.1', 'port' => {$plain->port}, 'encryption' => 'none', 'allow_insecure_auth' => true]",
	'dsn' => var_export("smtp://127.0.0.1:{$evil->port}?cafile=" . rawurlencode($ca), true),
	'dsn-no-port' => var_export("smtp://127.0.0.1?port={$evil->port}", true),
	'dsn-none' => var_export("smtp://127.0.0.1:{$plain->port}?encryption=none&allow_insecure_auth=1", true),
	'dsn-smtps' => var_export("smtps://127.0.0.1:{$implicit->port}", true),
]);
echo "--- the relay's own host and port, one security setting changed\n";
run_routes($ini, [
	'plaintext' => "['encryption' => 'none', 'allow_insecure_auth' => true]",
	'verify-off' => "['verify_peer' => false]",
	'insecure-auth' => "['allow_insecure_auth' => true]",
	'auth-plain' => "['auth' => 'plain']",
	'auth-cram' => "['auth' => 'cram-md5']",
	'dsn-verify-off' => var_export("smtp://127.0.0.1:{$relay->port}?verify_peer=0", true),
	'dsn-auth' => var_export("smtp://127.0.0.1:{$relay->port}?auth=login", true),
	'ini-port' => "CODE:ini_set('smtp.port', '{$evil->port}'); \$send('ini-port', null); ini_restore('smtp.port');",
	'ini-auth' => "CODE:ini_set('smtp.auth', 'plain'); \$send('ini-auth', []); ini_restore('smtp.auth');",
	'ini-verify' => "CODE:ini_set('smtp.verify_peer', '0'); \$send('ini-verify', []); ini_restore('smtp.verify_peer');",
]);
echo "--- a man in the middle at the relay's address\n";
run_routes(ini_for($mitm), [
	'mitm-verify-off' => "['verify_peer' => false]",
	'mitm-cafile' => var_export(['cafile' => $selfsigned], true),
	'mitm-dsn-cafile' => var_export("smtp://127.0.0.1:{$mitm->port}?cafile=" . rawurlencode($selfsigned), true),
	'mitm-ini-cafile' => "CODE:ini_set('smtp.cafile', " . var_export($selfsigned, true) . "); \$send('mitm-ini-cafile', null);",
]);
echo "--- a fallback of the script's own while the relay is down\n";
$down = ini_for($relay);
$down['smtp.port'] = SmtpTestServer::unusedPort();
run_routes($down, [
	'fallback-port' => "['fallback' => ['port' => {$evil->port}]]",
	'fallback-same-host' => "['fallback' => ['host' => '127.0.0.1', 'port' => {$evil->port}, 'cafile' => " . var_export($ca, true) . "]]",
	'fallback-dsn' => "['fallback' => " . var_export("smtp://127.0.0.1:{$evil->port}", true) . "]",
]);
echo "--- a DSN with a user and no password: the pool password is not added\n";
run_routes($ini, ['dsn-user' => var_export("smtp://pool-user@127.0.0.1:{$evilUser->port}", true)]);

echo "--- positive control: the administrator's relay gets the credentials\n";
run_routes($ini, [
	'admin-ini' => 'null',
	'admin-same-values' => "['host' => '127.0.0.1', 'port' => {$relay->port}, 'encryption' => 'starttls', 'cafile' => " . var_export($ca, true) . ", 'verify_peer' => true, 'auth' => 'auto']",
	'admin-dsn' => var_export("smtp://127.0.0.1:{$relay->port}?cafile=" . rawurlencode($ca), true),
]);
$r = php_child($ini + ['smtp.override_mail' => 1], 'var_dump(mail("b@y.test", "via mail()", "x", "From: route-mail@x.test", "-froute-mail@x.test"));');
echo "mail(): ", trim($r['stdout']), "\n";

echo "--- what each server saw\n";
$totals = [];
foreach (['relay' => $relay, 'evil' => $evil, 'plain' => $plain, 'implicit' => $implicit, 'evil6' => $evil6, 'mitm' => $mitm, 'evil-user' => $evilUser] as $label => $server) {
	auth_lines($label, $server);
}
foreach ($totals as $label => $n) {
	echo "$label: $n AUTH line(s) in all\n";
}
$msgs = $relay->waitForMessages(4);
echo "relay delivered: ", implode(', ', array_map(fn($m) => $m['mail_from'] . ' as ' . $m['auth_user'], $msgs)), "\n";
?>
--EXPECTF--
--- a script's own port, host, encryption, DSN
port: refused, withheld because this Mailer's "port" is not php.ini's
port-string: refused, withheld because this Mailer's "port" is not php.ini's
host-and-port: refused, withheld because this Mailer's "port" is not php.ini's
host-case: refused, withheld because this Mailer's "host" is not php.ini's
host-alias: refused, withheld because this Mailer's "host" is not php.ini's
ipv6: refused, withheld because this Mailer's "host" is not php.ini's
tls: refused, withheld because this Mailer's "encryption" is not php.ini's
ssl: refused, withheld because this Mailer's "encryption" is not php.ini's
none: refused, withheld because this Mailer's "encryption" is not php.ini's
dsn: refused, withheld because this Mailer's "port" is not php.ini's
dsn-no-port: refused, withheld because this Mailer's "port" is not php.ini's
dsn-none: refused, withheld because this Mailer's "encryption" is not php.ini's
dsn-smtps: refused, withheld because this Mailer's "encryption" is not php.ini's
--- the relay's own host and port, one security setting changed
plaintext: refused, withheld because this Mailer's "encryption" is not php.ini's
verify-off: refused, withheld because this Mailer's "verify_peer" is not php.ini's
insecure-auth: refused, withheld because this Mailer's "allow_insecure_auth" is not php.ini's
auth-plain: refused, withheld because this Mailer's "auth" is not php.ini's
auth-cram: refused, withheld because this Mailer's "auth" is not php.ini's
dsn-verify-off: refused, withheld because this Mailer's "verify_peer" is not php.ini's
dsn-auth: refused, withheld because this Mailer's "auth" is not php.ini's
ini-port: refused, withheld because smtp.port was changed in this request (ini_set() or .user.ini)
ini-auth: refused, withheld because smtp.auth was changed in this request (ini_set() or .user.ini)
ini-verify: refused, withheld because smtp.verify_peer was changed in this request (ini_set() or .user.ini)
--- a man in the middle at the relay's address
mitm-verify-off: refused, withheld because this Mailer's "verify_peer" is not php.ini's
mitm-cafile: refused, withheld because this Mailer's "cafile" is not php.ini's
mitm-dsn-cafile: refused, withheld because this Mailer's "cafile" is not php.ini's
mitm-ini-cafile: refused, withheld because smtp.cafile was changed in this request (ini_set() or .user.ini)
--- a fallback of the script's own while the relay is down
fallback-port: refused, withheld because a fallback relay never gets them)
fallback-same-host: refused, withheld because a fallback relay never gets them)
fallback-dsn: refused, withheld because a fallback relay never gets them)
--- a DSN with a user and no password: the pool password is not added
dsn-user: %s
--- positive control: the administrator's relay gets the credentials
admin-ini: sent: 250 2.0.0 OK: queued as 0001
admin-same-values: sent: 250 2.0.0 OK: queued as 0002
admin-dsn: sent: 250 2.0.0 OK: queued as 0003
mail(): bool(true)
--- what each server saw
relay host-alias: 0 AUTH line(s), 0 with the pool password
relay plaintext: 0 AUTH line(s), 0 with the pool password
relay verify-off: 0 AUTH line(s), 0 with the pool password
relay insecure-auth: 0 AUTH line(s), 0 with the pool password
relay auth-plain: 0 AUTH line(s), 0 with the pool password
relay auth-cram: 0 AUTH line(s), 0 with the pool password
relay dsn-verify-off: 0 AUTH line(s), 0 with the pool password
relay dsn-auth: 0 AUTH line(s), 0 with the pool password
relay ini-auth: 0 AUTH line(s), 0 with the pool password
relay ini-verify: 0 AUTH line(s), 0 with the pool password
relay admin-ini: %d AUTH line(s), 1 with the pool password
relay admin-same-values: %d AUTH line(s), 1 with the pool password
relay admin-dsn: %d AUTH line(s), 1 with the pool password
relay mail: %d AUTH line(s), 1 with the pool password
evil-user (no MAIL FROM): %d AUTH line(s), 0 with the pool password
relay: %d AUTH line(s) in all
evil: 0 AUTH line(s) in all
plain: 0 AUTH line(s) in all
implicit: 0 AUTH line(s) in all
evil6: 0 AUTH line(s) in all
mitm: 0 AUTH line(s) in all
evil-user: %d AUTH line(s) in all
relay delivered: route-admin-ini@x.test as pool-user, route-admin-same-values@x.test as pool-user, route-admin-dsn@x.test as pool-user, route-mail@x.test as pool-user

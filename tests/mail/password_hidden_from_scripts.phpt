--TEST--
mail path: smtp.password set by -d or a php.ini file is never readable by the script (ini_get, ini_get_all, get_cfg_var, phpinfo, ReflectionExtension, ini_set), yet mail() logs in with it over STARTTLS
--EXTENSIONS--
smtp
--SKIPIF--
<?php
/* the child PHPs below run without the ASan runtime preload, so they cannot
 * load an ASan build of smtp.so (the valgrind run covers this test) */
if (getenv('SKIP_ASAN')) die('skip child PHP processes cannot load the ASan build');
?>
--INI--
sendmail_path=/bin/false
--FILE--
<?php
require __DIR__ . '/../spool/spool.inc';
$secret = 'Pool-S3cret-' . bin2hex(random_bytes(4));
$srv = SmtpTestServer::start(['tls' => 'starttls', 'auth' => "relay:$secret", 'require_auth' => true]);

/* what a tenant's script can try */
$probe = <<<'PHP'
<?php
$seen = [];
$seen['ini_get'] = ini_get('smtp.password');
$seen['ini_get_all'] = ini_get_all('smtp');
$seen['ini_get_all_flat'] = ini_get_all('smtp', false);
$seen['ini_get_all_every'] = ini_get_all();
$seen['get_cfg_var'] = get_cfg_var('smtp.password');
$seen['get_cfg_var_all'] = get_cfg_var('cfg_file_path');
$seen['reflection'] = (new ReflectionExtension('smtp'))->getINIEntries();
ob_start(); phpinfo(); $seen['phpinfo'] = ob_get_clean();
$seen['ini_set'] = @ini_set('smtp.password', 'mine');
$seen['ini_restore'] = @ini_restore('smtp.password');
$seen['after'] = ini_get('smtp.password');
$seen['mail'] = mail('to@y.test', 'panel', 'sent with the pool password');
$seen['last'] = smtp_last_result();
$seen['errors'] = error_get_last();
$dump = var_export($seen, true);
echo json_encode([
	'ini_get' => $seen['ini_get'],
	'global' => $seen['ini_get_all']['smtp.password']['global_value'],
	'cfg' => $seen['get_cfg_var'],
	'reflection' => $seen['reflection']['smtp.password'],
	'ini_set' => $seen['ini_set'],
	'mail' => $seen['mail'],
	'code' => $seen['last']['code'],
]), "\n", $dump;
PHP;
$script = tempnam(sys_get_temp_dir(), 'smtp-probe');
file_put_contents($script, $probe);
$ini = tempnam(sys_get_temp_dir(), 'smtp-ini');
file_put_contents($ini, "extension=" . spool_test_extension_path() . "\nsmtp.override_mail=1\n"
	. "smtp.host={$srv->host}\nsmtp.port={$srv->port}\nsmtp.cafile={$srv->cafile}\nsmtp.username=relay\n"
	. "smtp.password=\"$secret\"\nsmtp.from=site@x.test\nsendmail_path=/bin/false\n");

$env = getenv();
$common = [PHP_BINARY, '-n'];
$runs = [
	'-d' => [...$common, '-d', 'extension=' . spool_test_extension_path(), '-d', 'smtp.override_mail=1',
		'-d', "smtp.host={$srv->host}", '-d', "smtp.port={$srv->port}", '-d', "smtp.cafile={$srv->cafile}",
		'-d', 'smtp.username=relay', '-d', "smtp.password=$secret", '-d', 'smtp.from=site@x.test',
		'-d', 'sendmail_path=/bin/false', $script],
	'-c' => [...$common, '-c', $ini, $script],
];
foreach ($runs as $how => $cmd) {
	$p = proc_open($cmd, [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes, null, $env);
	$out = stream_get_contents($pipes[1]);
	$err = stream_get_contents($pipes[2]);
	proc_close($p);
	[$summary, $everything] = explode("\n", $out, 2) + ['', ''];
	echo "$how: $summary; ", strlen($everything) > 10000 ? 'probed' : 'NOT PROBED',
		str_contains($out . $err, $secret) ? ', LEAKED' : ', no leak', "\n";
}
$ms = $srv->waitForMessages(2);
var_dump($ms[0]['tls'], $ms[0]['auth_user'], $ms[1]['auth_user']);
unlink($script);
unlink($ini);
?>
--EXPECT--
-d: {"ini_get":"********","global":"********","cfg":"********","reflection":"********","ini_set":false,"mail":true,"code":250}; probed, no leak
-c: {"ini_get":"********","global":"********","cfg":"********","reflection":"********","ini_set":false,"mail":true,"code":250}; probed, no leak
bool(true)
string(5) "relay"
string(5) "relay"

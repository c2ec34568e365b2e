--TEST--
smtp.dkim_domain, smtp.dkim_selector and smtp.dkim_key_file sign what a Mailer without a `dkim` key sends; set partly, they are refused naming the missing one
--EXTENSIONS--
smtp
--SKIPIF--
<?php
exec('/usr/bin/python3 -c "import dkim" 2>&1', $o, $rc);
if ($rc !== 0) die('skip python3-dkim (dkimpy) is not installed: scripts/deps.sh');
?>
--INI--
sendmail_path=/bin/false
--FILE--
<?php
require __DIR__ . '/../inc/server.inc';
require __DIR__ . '/dkim.inc';

$key = dkim_test_keys()['ed'];
$file = tempnam(sys_get_temp_dir(), 'smtp-dkim-ini');
file_put_contents($file, $key['private_key']);

ini_set('smtp.dkim_domain', 'example.com');
ini_set('smtp.dkim_selector', 'ed');
ini_set('smtp.dkim_key_file', $file);

$srv = SmtpTestServer::start();
$mailer = new Smtp\Mailer($srv->config());
$mailer->sendRaw('shop@example.com', ['ann@example.org'], dkim_sample_messages()['vietnamese']);
/* a `dkim` key in the config wins over the INI settings */
$mailer = new Smtp\Mailer($srv->config(['dkim' => dkim_config('rsa')]));
$mailer->sendRaw('shop@example.com', ['ann@example.org'], dkim_sample_messages()['text']);

foreach ($srv->waitForMessages(2) as $m) {
    $v = dkim_verify(dkim_records(), $m['data']);
    echo $v['ok'] ? 'verified: ' : 'NOT VERIFIED: ', implode(', ', $v['results']), "\n";
}

ini_set('smtp.dkim_selector', '');
try {
    new Smtp\Mailer($srv->config());
} catch (Smtp\InvalidArgumentException $e) {
    echo $e->getMessage(), "\n";
}
ini_set('smtp.dkim_selector', 'ed');
ini_set('smtp.dkim_key_file', $file . '.missing');
try {
    new Smtp\Mailer($srv->config());
} catch (Smtp\InvalidArgumentException $e) {
    echo str_replace($file, 'FILE', $e->getMessage()), "\n";
}
unlink($file);
?>
--EXPECT--
verified: pass a=ed25519-sha256 d=example.com s=ed
verified: pass a=rsa-sha256 d=example.com s=rsa
smtp.dkim_selector is not set: smtp.dkim_domain, smtp.dkim_selector and smtp.dkim_key_file go together
smtp.dkim_key_file: cannot read the key file FILE.missing: No such file or directory

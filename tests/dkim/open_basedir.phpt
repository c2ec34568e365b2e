--TEST--
A DKIM key path outside open_basedir is refused without being read (keys given as PEM text are unaffected)
--EXTENSIONS--
smtp
--FILE--
<?php
$pair = Smtp\Dkim::generateKey('ed25519-sha256');
$outside = tempnam(sys_get_temp_dir(), 'smtp-dkim-basedir');
file_put_contents($outside, $pair['private_key']);

ini_set('open_basedir', __DIR__);
$message = "From: a@example.com\r\n\r\nx\r\n";
foreach (['path outside' => $outside, 'missing outside' => '/nonexistent/dkim.pem', 'PEM text' => $pair['private_key']] as $name => $key) {
    try {
        $signed = Smtp\Dkim::sign($message, ['domain' => 'example.com', 'selector' => 's', 'key' => $key]);
        echo "$name: signed\n";
    } catch (Smtp\InvalidArgumentException $e) {
        echo "$name: ", $e->getMessage(), "\n";
    }
}
try {
    Smtp\Dkim::dnsRecord($outside);
} catch (Smtp\InvalidArgumentException $e) {
    echo "dnsRecord: ", $e->getMessage(), "\n";
}
ini_restore('open_basedir');
?>
--CLEAN--
<?php
foreach (glob(sys_get_temp_dir() . '/smtp-dkim-basedir*') as $f) {
    unlink($f);
}
?>
--EXPECT--
path outside: Config key "dkim": "key": the key file is not allowed by open_basedir, or its name is invalid
missing outside: Config key "dkim": "key": the key file is not allowed by open_basedir, or its name is invalid
PEM text: signed
dnsRecord: DKIM key: the key file is not allowed by open_basedir, or its name is invalid

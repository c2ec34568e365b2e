--TEST--
DKIM keys from other tools (openssl PKCS#8 and traditional RSA, openssl Ed25519, dkimpy's dknewkey), as PEM text or a path, sign messages dkimpy verifies against records those tools derived
--EXTENSIONS--
smtp
--SKIPIF--
<?php
exec('/usr/bin/python3 -c "import dkim" 2>&1', $o, $rc);
if ($rc !== 0) die('skip python3-dkim (dkimpy) is not installed: scripts/deps.sh');
if (!is_executable('/usr/bin/openssl') || !is_executable('/usr/bin/dknewkey')) die('skip openssl or dknewkey missing: scripts/deps.sh');
?>
--FILE--
<?php
require __DIR__ . '/dkim.inc';

$dir = sys_get_temp_dir() . '/smtp-dkim-keys-' . bin2hex(random_bytes(4));
mkdir($dir, 0700);
function run(string $cmd): string
{
    exec($cmd . ' 2>/dev/null', $out, $rc);
    if ($rc !== 0) {
        throw new RuntimeException("failed: $cmd");
    }
    return implode("\n", $out);
}
/* The TXT record as openssl sees the public key: SubjectPublicKeyInfo for RSA,
 * the last 32 bytes of it (the raw key) for Ed25519. */
function openssl_record(string $file, string $k): string
{
    $der = base64_decode(run("openssl pkey -in " . escapeshellarg($file) . " -pubout -outform DER | base64 -w0"));
    return "v=DKIM1; k=$k; p=" . base64_encode($k === 'ed25519' ? substr($der, -32) : $der);
}

$keys = [];
run("openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out $dir/pkcs8.pem");
$keys['openssl RSA PKCS#8'] = ["$dir/pkcs8.pem", 'rsa-sha256', openssl_record("$dir/pkcs8.pem", 'rsa')];
run("openssl genrsa -traditional -out $dir/trad.pem 2048");
$keys['openssl RSA traditional'] = ["$dir/trad.pem", 'rsa-sha256', openssl_record("$dir/trad.pem", 'rsa')];
run("openssl genpkey -algorithm ed25519 -out $dir/ed.pem");
$keys['openssl Ed25519 PKCS#8'] = ["$dir/ed.pem", 'ed25519-sha256', openssl_record("$dir/ed.pem", 'ed25519')];
run("cd $dir && dknewkey --ktype ed25519 dkimpy-ed");
$keys['dknewkey Ed25519 (raw)'] = ["$dir/dkimpy-ed.key", 'ed25519-sha256', trim(file_get_contents("$dir/dkimpy-ed.dns"))];
run("cd $dir && dknewkey --ktype rsa dkimpy-rsa");
$keys['dknewkey RSA'] = ["$dir/dkimpy-rsa.key", 'rsa-sha256', trim(file_get_contents("$dir/dkimpy-rsa.dns"))];

$message = dkim_sample_messages()['text'];
foreach ($keys as $name => [$file, $alg, $record]) {
    foreach (['path' => $file, 'PEM text' => file_get_contents($file)] as $how => $key) {
        /* no "algorithm": it follows from the key */
        $signed = Smtp\Dkim::sign($message, ['domain' => 'example.com', 'selector' => 'k', 'key' => $key]);
        $v = dkim_verify(['k._domainkey.example.com' => $record], $signed);
        printf("%-24s %-8s %s %s\n", $name, $how, $v['ok'] ? 'verified' : 'FAILED', implode(', ', $v['results']));
    }
    /* our record carries the key the other tool derived (dknewkey adds an optional h=sha256) */
    $p = fn(string $r) => preg_match('/(?:^|;)\s*k=(\w+);.*\bp=([A-Za-z0-9+\/=]+)/', $r, $m) ? "$m[1] $m[2]" : "?";
    printf("%-24s record   %s\n", $name, $p(Smtp\Dkim::dnsRecord($file)) === $p($record) ? 'same' : 'DIFFERENT');
}
/* the wrong algorithm for the key is refused, naming both */
try {
    Smtp\Dkim::sign($message, ['domain' => 'example.com', 'selector' => 'k', 'key' => "$dir/ed.pem", 'algorithm' => 'rsa-sha256']);
} catch (Smtp\InvalidArgumentException $e) {
    echo $e->getMessage(), "\n";
}
/* a 512-bit RSA key is refused */
run("openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:512 -out $dir/small.pem");
try {
    Smtp\Dkim::sign($message, ['domain' => 'example.com', 'selector' => 'k', 'key' => "$dir/small.pem"]);
} catch (Smtp\InvalidArgumentException $e) {
    echo str_replace($dir, 'DIR', $e->getMessage()), "\n";
}
/* an encrypted key is refused, not prompted for */
run("openssl genpkey -algorithm ed25519 -aes-128-cbc -pass pass:secret -out $dir/enc.pem");
try {
    Smtp\Dkim::sign($message, ['domain' => 'example.com', 'selector' => 'k', 'key' => "$dir/enc.pem"]);
} catch (Smtp\InvalidArgumentException $e) {
    echo str_replace($dir, 'DIR', $e->getMessage()), "\n";
}
array_map('unlink', glob("$dir/*"));
rmdir($dir);
?>
--EXPECT--
openssl RSA PKCS#8       path     verified pass a=rsa-sha256 d=example.com s=k
openssl RSA PKCS#8       PEM text verified pass a=rsa-sha256 d=example.com s=k
openssl RSA PKCS#8       record   same
openssl RSA traditional  path     verified pass a=rsa-sha256 d=example.com s=k
openssl RSA traditional  PEM text verified pass a=rsa-sha256 d=example.com s=k
openssl RSA traditional  record   same
openssl Ed25519 PKCS#8   path     verified pass a=ed25519-sha256 d=example.com s=k
openssl Ed25519 PKCS#8   PEM text verified pass a=ed25519-sha256 d=example.com s=k
openssl Ed25519 PKCS#8   record   same
dknewkey Ed25519 (raw)   path     verified pass a=ed25519-sha256 d=example.com s=k
dknewkey Ed25519 (raw)   PEM text verified pass a=ed25519-sha256 d=example.com s=k
dknewkey Ed25519 (raw)   record   same
dknewkey RSA             path     verified pass a=rsa-sha256 d=example.com s=k
dknewkey RSA             PEM text verified pass a=rsa-sha256 d=example.com s=k
dknewkey RSA             record   same
Config key "dkim": "key": algorithm rsa-sha256 does not fit the key, which is an Ed25519 key
Config key "dkim": "key": key file DIR/small.pem: the RSA key has 512 bits; DKIM needs at least 1024 (2048 is advised)
Config key "dkim": "key": key file DIR/enc.pem: the PEM key is encrypted; give it without a passphrase

--TEST--
Smtp\Dkim::generateKey, dnsRecord and dnsName: key pairs, the TXT record and where it goes
--EXTENSIONS--
smtp
openssl
--FILE--
<?php
foreach ([['rsa-sha256', 2048], ['rsa-sha256', 1024], ['ed25519-sha256', 0]] as [$alg, $bits]) {
    $k = $alg === 'rsa-sha256' ? Smtp\Dkim::generateKey($alg, $bits) : Smtp\Dkim::generateKey($alg);
    echo $alg, ' ', implode(',', array_keys($k)), ' ', $k['algorithm'], "\n";
    var_dump(str_starts_with($k['private_key'], "-----BEGIN PRIVATE KEY-----\n"));
    /* the record names the key type and carries a key OpenSSL reads back */
    preg_match('/^v=DKIM1; k=(rsa|ed25519); p=([A-Za-z0-9+\/=]+)$/', $k['dns_record'], $m);
    echo "k=", $m[1] ?? '?', "\n";
    if ($m[1] === 'rsa') {
        $pub = openssl_pkey_get_details(openssl_pkey_get_public(
            "-----BEGIN PUBLIC KEY-----\n" . chunk_split($m[2], 64, "\n") . "-----END PUBLIC KEY-----\n"));
        echo "public key bits: ", $pub['bits'], "\n";
    } else {
        echo "raw public key bytes: ", strlen(base64_decode($m[2], true)), "\n";
    }
    /* dnsRecord() of the private key gives the same record */
    var_dump(Smtp\Dkim::dnsRecord($k['private_key']) === $k['dns_record']);
}
/* two keys are never the same */
var_dump(Smtp\Dkim::generateKey('ed25519-sha256')['private_key'] !== Smtp\Dkim::generateKey('ed25519-sha256')['private_key']);

echo Smtp\Dkim::dnsName('mail2025', 'Example.COM'), "\n";
foreach ([fn() => Smtp\Dkim::generateKey('rsa-sha1'), fn() => Smtp\Dkim::generateKey('rsa-sha256', 512),
          fn() => Smtp\Dkim::dnsName('a b', 'example.com'), fn() => Smtp\Dkim::dnsName('s', 'example..com'),
          fn() => Smtp\Dkim::dnsRecord("-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n-----END PUBLIC KEY-----\n"),
          fn() => Smtp\Dkim::dnsRecord('/nonexistent/dkim.pem'), fn() => new Smtp\Dkim()] as $f) {
    try {
        $f();
        echo "no exception\n";
    } catch (Throwable $e) {
        echo get_class($e), ': ', $e->getMessage(), "\n";
    }
}
?>
--EXPECT--
rsa-sha256 algorithm,private_key,dns_record rsa-sha256
bool(true)
k=rsa
public key bits: 2048
bool(true)
rsa-sha256 algorithm,private_key,dns_record rsa-sha256
bool(true)
k=rsa
public key bits: 1024
bool(true)
ed25519-sha256 algorithm,private_key,dns_record ed25519-sha256
bool(true)
k=ed25519
raw public key bytes: 32
bool(true)
bool(true)
mail2025._domainkey.example.com
ValueError: Smtp\Dkim::generateKey(): Argument #1 ($algorithm) must be "rsa-sha256" or "ed25519-sha256"
ValueError: Smtp\Dkim::generateKey(): Argument #2 ($bits) must be between 1024 and 8192 for an RSA key (2048 is advised)
ValueError: Smtp\Dkim::dnsName(): Argument #1 ($selector) selector must be a DNS label like mail2025 (letters, digits, '-', '_', '.')
ValueError: Smtp\Dkim::dnsName(): Argument #2 ($domain) domain must be a DNS name like example.com (IDNA A-labels for non-ASCII)
Smtp\InvalidArgumentException: DKIM key: this is a public key; signing needs the private key
Smtp\InvalidArgumentException: DKIM key: cannot read the key file /nonexistent/dkim.pem: No such file or directory
Error: Call to private Smtp\Dkim::__construct() from global scope

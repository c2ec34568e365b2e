--TEST--
A bad `dkim` config throws Smtp\InvalidArgumentException naming what is wrong, from the Mailer constructor and from Smtp\Dkim::sign
--EXTENSIONS--
smtp
--FILE--
<?php
$ed = Smtp\Dkim::generateKey('ed25519-sha256')['private_key'];
$good = ['domain' => 'example.com', 'selector' => 's1', 'key' => $ed];
$cases = [
    'not an array' => 'example.com',
    'empty' => [],
    'missing domain' => ['selector' => 's1', 'key' => $ed],
    'missing selector' => ['domain' => 'example.com', 'key' => $ed],
    'missing key' => ['domain' => 'example.com', 'selector' => 's1'],
    'unknown key' => $good + ['identity' => '@example.com'],
    'bad algorithm' => $good + ['algorithm' => 'rsa-sha1'],
    'algorithm misfit' => $good + ['algorithm' => 'rsa-sha256'],
    'not a key' => ['key' => 'not-a-key-and-no-such-file'] + $good,
    'damaged PEM' => ['key' => "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"] + $good,
    'domain with space' => ['domain' => 'exa mple.com'] + $good,
    'selector injection' => ['selector' => "s1; d=evil.test"] + $good,
    'non-string value' => ['selector' => 42] + $good,
    'list with a bad entry' => [$good, ['domain' => 'example.com', 'selector' => 's2']],
    'list with a non-array' => [$good, 'x'],
];
foreach ($cases as $name => $dkim) {
    try {
        new Smtp\Mailer(['host' => '127.0.0.1', 'encryption' => 'none', 'dkim' => $dkim]);
        echo "$name: accepted\n";
    } catch (Smtp\InvalidArgumentException $e) {
        echo "$name: ", $e->getMessage(), "\n";
    }
}
/* good ones are accepted: one array, and a list of two */
new Smtp\Mailer(['host' => '127.0.0.1', 'encryption' => 'none', 'dkim' => $good]);
new Smtp\Mailer(['host' => '127.0.0.1', 'encryption' => 'none', 'dkim' => [$good, ['selector' => 's2'] + $good]]);
echo "good configs accepted\n";
/* Smtp\Dkim::sign takes the same config and says the same */
try {
    Smtp\Dkim::sign("From: a@example.com\r\n\r\nx\r\n", ['domain' => 'example.com', 'key' => $ed]);
} catch (Smtp\InvalidArgumentException $e) {
    echo "sign: ", $e->getMessage(), "\n";
}
/* no From: nothing to sign for */
try {
    Smtp\Dkim::sign("To: a@example.com\r\n\r\nx\r\n", $good);
} catch (Smtp\InvalidArgumentException $e) {
    echo "sign: ", $e->getMessage(), "\n";
}
?>
--EXPECTF--
not an array: Config key "dkim" must be an array (domain, selector, key, algorithm) or a list of them
empty: Config key "dkim" must be an array (domain, selector, key, algorithm) or a non-empty list of them
missing domain: Config key "dkim": "domain" is required
missing selector: Config key "dkim": "selector" is required
missing key: Config key "dkim": "key" is required
unknown key: Config key "dkim": unknown key "identity" (expected domain, selector, key, algorithm)
bad algorithm: Config key "dkim": "algorithm" must be rsa-sha256 or ed25519-sha256, not "rsa-sha1"
algorithm misfit: Config key "dkim": "key": algorithm rsa-sha256 does not fit the key, which is an Ed25519 key
not a key: Config key "dkim": "key": the key is not a PEM private key, and no readable file has that name
damaged PEM: Config key "dkim": "key": the PEM private key could not be read (not an RSA or Ed25519 private key, or damaged)
domain with space: Config key "dkim": domain must be a DNS name like example.com (IDNA A-labels for non-ASCII)
selector injection: Config key "dkim": selector must be a DNS label like mail2025 (letters, digits, '-', '_', '.')
non-string value: Config key "dkim": "selector" must be a non-empty string
list with a bad entry: Config key "dkim" [1]: "key" is required
list with a non-array: Config key "dkim" [1] must be an array (domain, selector, key, algorithm)
good configs accepted
sign: Config key "dkim": "selector" is required
sign: DKIM: the message has no From header field, which DKIM must sign

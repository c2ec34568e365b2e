--TEST--
The RFC 8463 appendix A message signed through the extension with the RFC's keys: the RFC's body hash, and dkimpy verifies against the RFC's DNS records
--EXTENSIONS--
smtp
--SKIPIF--
<?php
exec('/usr/bin/python3 -c "import dkim" 2>&1', $o, $rc);
if ($rc !== 0) die('skip python3-dkim (dkimpy) is not installed: scripts/deps.sh');
?>
--FILE--
<?php
require __DIR__ . '/dkim.inc';
/* RFC 8463 A.1 (keys), A.2 (records), A.3 (message). The exact b= values of
 * A.3 are reproduced by the C unit test (tests/lib/test_dkim.c), which can
 * sign with the RFC's own h= list and tag order. */
$ed = 'nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=';
$rsa = "-----BEGIN RSA PRIVATE KEY-----\n"
    . "MIICXQIBAAKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQi\n"
    . "Y/J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqM\n"
    . "KrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB\n"
    . "AoGAH0cxOhFZDgzXWhDhnAJDw5s4roOXN4OhjiXa8W7Y3rhX3FJqmJSPuC8N9vQm\n"
    . "6SVbaLAE4SG5mLMueHlh4KXffEpuLEiNp9Ss3O4YfLiQpbRqE7Tm5SxKjvvQoZZe\n"
    . "zHorimOaChRL2it47iuWxzxSiRMv4c+j70GiWdxXnxe4UoECQQDzJB/0U58W7RZy\n"
    . "6enGVj2kWF732CoWFZWzi1FicudrBFoy63QwcowpoCazKtvZGMNlPWnC7x/6o8Gc\n"
    . "uSe0ga2xAkEA8C7PipPm1/1fTRQvj1o/dDmZp243044ZNyxjg+/OPN0oWCbXIGxy\n"
    . "WvmZbXriOWoSALJTjExEgraHEgnXssuk7QJBALl5ICsYMu6hMxO73gnfNayNgPxd\n"
    . "WFV6Z7ULnKyV7HSVYF0hgYOHjeYe9gaMtiJYoo0zGN+L3AAtNP9huqkWlzECQE1a\n"
    . "licIeVlo1e+qJ6Mgqr0Q7Aa7falZ448ccbSFYEPD6oFxiOl9Y9se9iYHZKKfIcst\n"
    . "o7DUw1/hz2Ck4N5JrgUCQQCyKveNvjzkkd8HjYs0SwM0fPjK16//5qDZ2UiDGnOe\n"
    . "uEzxBDAr518Z8VFbR41in3W4Y3yCDgQlLlcETrS+zYcL\n"
    . "-----END RSA PRIVATE KEY-----\n";
$records = [
    'brisbane._domainkey.football.example.com' => 'v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=',
    'test._domainkey.football.example.com' => 'v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWR'
        . 'iGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQiY/J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB',
];
$message = "From: Joe SixPack <joe@football.example.com>\r\n"
    . "To: Suzie Q <suzie@shopping.example.net>\r\n"
    . "Subject: Is dinner ready?\r\n"
    . "Date: Fri, 11 Jul 2003 21:00:37 -0700 (PDT)\r\n"
    . "Message-ID: <20030712040037.46341.5F8J@football.example.com>\r\n"
    . "\r\n"
    . "Hi.\r\n\r\nWe lost the game.  Are you hungry yet?\r\n\r\nJoe.\r\n";

var_dump(Smtp\Dkim::dnsRecord($ed) === $records['brisbane._domainkey.football.example.com']);
var_dump(Smtp\Dkim::dnsRecord($rsa) === $records['test._domainkey.football.example.com']);

$signed = Smtp\Dkim::sign($message, [
    ['domain' => 'football.example.com', 'selector' => 'brisbane', 'key' => $ed],
    ['domain' => 'football.example.com', 'selector' => 'test', 'key' => $rsa],
], 1528637909);
echo substr($signed, 0, strpos($signed, "From: Joe")), "\n";
$v = dkim_verify($records, $signed);
echo $v['ok'] ? "verified\n" : "NOT VERIFIED\n{$v['output']}";
?>
--EXPECTF--
bool(true)
bool(true)
DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed;
 d=football.example.com; s=brisbane; t=1528637909; h=from:to:subject:date:
 message-id:from; bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=; b=%s
 %s
 %s
DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=football.example.com;
 s=test; t=1528637909; h=from:to:subject:date:message-id:from;
 bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=; b=%s
 %s
 %s

verified

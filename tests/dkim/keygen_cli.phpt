--TEST--
scripts/dkim-keygen.php writes a 0600 key, prints the record (split into 255-byte strings) and never overwrites a key; a message signed with that key verifies against that record
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
require_once __DIR__ . '/../inc/server.inc';

$dir = sys_get_temp_dir() . '/smtp-dkim-cli-' . bin2hex(random_bytes(4));
mkdir($dir, 0700);
/* the script runs with the very smtp.so this test has loaded */
preg_match('#\s(/\S*smtp\.so)$#m', file_get_contents('/proc/self/maps'), $m);
define('SMTP_SO', $m[1]);

function cli(string $args): array
{
    /* the suite's own PHP (under ASan, the wrapper that preloads its runtime) */
    $cmd = implode(' ', array_map('escapeshellarg', smtp_test_php_command())) . ' '
        . escapeshellarg(__DIR__ . '/../../scripts/dkim-keygen.php') . " $args";
    exec($cmd . ' 2>&1', $out, $rc);
    return [$rc, implode("\n", $out)];
}

[$rc, $out] = cli("--domain example.com --selector cli --out $dir/k.pem --json");
echo "rc=$rc\n";
$j = json_decode($out, true);
echo $j['dns_name'], ' ', $j['algorithm'], ' ', basename($j['key_file']), "\n";
printf("mode %o\n", fileperms("$dir/k.pem") & 0777);

[$rc, $out] = cli("--domain example.com --selector cli --out $dir/k.pem");
echo "again: rc=$rc ", str_replace($dir, 'DIR', $out), "\n";

[$rc, $out] = cli("--record-for $dir/k.pem --domain example.com --selector cli");
/* a 2048-bit record is longer than one TXT string may be */
preg_match('/^cli\._domainkey\.example\.com\. IN TXT ((?:"[^"]*" ?)+)$/', $out, $m);
$strings = explode('" "', trim($m[1], '"'));
echo count($strings), " strings, longest ", max(array_map('strlen', $strings)), "\n";
var_dump(implode('', $strings) === $j['dns_record']);

$signed = Smtp\Dkim::sign(dkim_sample_messages()['text'], ['domain' => 'example.com', 'selector' => 'cli', 'key' => "$dir/k.pem"]);
$v = dkim_verify(['cli._domainkey.example.com' => implode('', $strings)], $signed);
echo $v['ok'] ? 'verified' : 'NOT VERIFIED', "\n";

[$rc, $out] = cli("--domain example.com --selector 'bad selector'");
echo "rc=$rc $out\n";
unlink("$dir/k.pem");
rmdir($dir);
?>
--EXPECT--
rc=0
cli._domainkey.example.com rsa-sha256 k.pem
mode 600
again: rc=1 dkim-keygen: DIR/k.pem exists; not overwriting a key (use --force to replace it)
2 strings, longest 255
bool(true)
verified
rc=2 dkim-keygen: Smtp\Dkim::dnsName(): Argument #1 ($selector) selector must be a DNS label like mail2025 (letters, digits, '-', '_', '.')

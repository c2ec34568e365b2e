--TEST--
Smtp\Dkim::sign: rsa-sha256, ed25519-sha256 and both at once verify with dkimpy for text, HTML, attachment and Vietnamese headers
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

$configs = [
    'rsa' => dkim_config('rsa'),
    'ed25519' => dkim_config('ed'),
    'both' => [dkim_config('rsa'), dkim_config('ed')],
];
foreach (dkim_sample_messages() as $kind => $message) {
    foreach ($configs as $name => $config) {
        $signed = Smtp\Dkim::sign($message, $config);
        $v = dkim_verify(dkim_records(), $signed);
        printf("%-10s %-7s %s%s\n", $kind, $name, $v['ok'] ? 'verified: ' : 'NOT VERIFIED: ', implode(', ', $v['results']));
        if (!$v['ok']) {
            echo $v['output'];
        }
        /* the message itself is unchanged behind the signature fields */
        if (!str_ends_with($signed, "\r\n" . $message) && !str_ends_with($signed, $message)) {
            echo "message body changed\n";
        }
    }
}
?>
--EXPECT--
text       rsa     verified: pass a=rsa-sha256 d=example.com s=rsa
text       ed25519 verified: pass a=ed25519-sha256 d=example.com s=ed
text       both    verified: pass a=rsa-sha256 d=example.com s=rsa, pass a=ed25519-sha256 d=example.com s=ed
html       rsa     verified: pass a=rsa-sha256 d=example.com s=rsa
html       ed25519 verified: pass a=ed25519-sha256 d=example.com s=ed
html       both    verified: pass a=rsa-sha256 d=example.com s=rsa, pass a=ed25519-sha256 d=example.com s=ed
attachment rsa     verified: pass a=rsa-sha256 d=example.com s=rsa
attachment ed25519 verified: pass a=ed25519-sha256 d=example.com s=ed
attachment both    verified: pass a=rsa-sha256 d=example.com s=rsa, pass a=ed25519-sha256 d=example.com s=ed
vietnamese rsa     verified: pass a=rsa-sha256 d=example.com s=rsa
vietnamese ed25519 verified: pass a=ed25519-sha256 d=example.com s=ed
vietnamese both    verified: pass a=rsa-sha256 d=example.com s=rsa, pass a=ed25519-sha256 d=example.com s=ed

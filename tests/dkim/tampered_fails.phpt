--TEST--
A signed message changed afterwards (one body byte, a header value, an added From) fails dkimpy verification
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

$message = dkim_sample_messages()['vietnamese'];
$signed = Smtp\Dkim::sign($message, [dkim_config('rsa'), dkim_config('ed')]);
$records = dkim_records();

$check = function (string $what, string $text) use ($records) {
    $v = dkim_verify($records, $text);
    printf("%-28s %s: %s\n", $what, $v['ok'] ? 'verified' : 'failed', implode(', ', $v['results']));
};
$check('as signed', $signed);

/* one byte of the body: "Cảm ơn" -> "Cảm on" (last line) */
$pos = strrpos($signed, 'ơn');
$check('one body byte changed', substr_replace($signed, 'on', $pos, strlen('ơn')));
/* flip a single ASCII byte of the body */
$pos = strrpos($signed, 'Ann');
$check('one body letter changed', substr_replace($signed, 'Anm', $pos, 3));
/* a header value: the To address */
$check('To value changed', str_replace("To: Ann <ann@example.org>", "To: Ann <eve@example.org>", $signed));
/* a second From (From is signed twice, so adding one breaks the signature) */
$check('second From added', str_replace("From: Shop", "From: Eve <eve@evil.test>\r\nFrom: Shop", $signed));
/* an unsigned header may be added without harm */
$check('X-Header added', str_replace("From: Shop", "X-Mailer: relay\r\nFrom: Shop", $signed));
/* relaxed canonicalisation: re-folding and extra spaces in signed headers are fine */
$check('header whitespace changed', str_replace("Cc: bob@example.org", "Cc:    bob@example.org  ", $signed));
?>
--EXPECT--
as signed                    verified: pass a=rsa-sha256 d=example.com s=rsa, pass a=ed25519-sha256 d=example.com s=ed
one body byte changed        failed: fail a=rsa-sha256 d=example.com s=rsa, fail a=ed25519-sha256 d=example.com s=ed
one body letter changed      failed: fail a=rsa-sha256 d=example.com s=rsa, fail a=ed25519-sha256 d=example.com s=ed
To value changed             failed: fail a=rsa-sha256 d=example.com s=rsa, fail a=ed25519-sha256 d=example.com s=ed
second From added            failed: fail a=rsa-sha256 d=example.com s=rsa, fail a=ed25519-sha256 d=example.com s=ed
X-Header added               verified: pass a=rsa-sha256 d=example.com s=rsa, pass a=ed25519-sha256 d=example.com s=ed
header whitespace changed    verified: pass a=rsa-sha256 d=example.com s=rsa, pass a=ed25519-sha256 d=example.com s=ed

--TEST--
Mailer with a `dkim` list (rsa + ed25519) signs every sendRaw message; what the server received verifies with dkimpy, and a tampered copy does not
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

$srv = SmtpTestServer::start();
$mailer = new Smtp\Mailer($srv->config(['dkim' => [dkim_config('rsa'), dkim_config('ed')]]));
$samples = dkim_sample_messages();
/* sendRaw also takes bare-LF text: it is sent, and signed, with CRLF */
$samples['bare LF'] = str_replace("\r\n", "\n", $samples['text']);
foreach ($samples as $kind => $message) {
    $mailer->sendRaw('shop@example.com', ['ann@example.org'], $message);
}
$received = $srv->waitForMessages(count($samples));
foreach (array_keys($samples) as $i => $kind) {
    $data = $received[$i]['data'];
    $v = dkim_verify(dkim_records(), $data);
    printf("%-10s %s: %s\n", $kind, $v['ok'] ? 'verified' : 'NOT VERIFIED', implode(', ', $v['results']));
    if (!$v['ok']) {
        echo $v['output'];
    }
}
/* the last one, tampered with after it arrived */
$v = dkim_verify(dkim_records(), str_replace('Bye.', 'Bye!', $received[count($samples) - 1]['data']));
echo 'tampered: ', $v['ok'] ? 'verified' : 'failed', "\n";
/* a message without From cannot be signed: the send fails before any data goes out */
try {
    $mailer->sendRaw('shop@example.com', ['ann@example.org'], "To: ann@example.org\r\n\r\nno from\r\n");
} catch (Smtp\Exception $e) {
    echo get_class($e), ': ', $e->getMessage(), "\n";
}
echo count($srv->messages()), " messages received\n";
?>
--EXPECT--
text       verified: pass a=rsa-sha256 d=example.com s=rsa, pass a=ed25519-sha256 d=example.com s=ed
html       verified: pass a=rsa-sha256 d=example.com s=rsa, pass a=ed25519-sha256 d=example.com s=ed
attachment verified: pass a=rsa-sha256 d=example.com s=rsa, pass a=ed25519-sha256 d=example.com s=ed
vietnamese verified: pass a=rsa-sha256 d=example.com s=rsa, pass a=ed25519-sha256 d=example.com s=ed
bare LF    verified: pass a=rsa-sha256 d=example.com s=rsa, pass a=ed25519-sha256 d=example.com s=ed
tampered: failed
Smtp\Exception: DKIM signing failed: DKIM: the message has no From header field, which DKIM must sign
5 messages received

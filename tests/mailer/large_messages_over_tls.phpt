--TEST--
Large messages over STARTTLS and implicit TLS, through send() and pipelined sendMany: every byte arrives (the engine's TLS writes retry with the same buffer), the message is exactly toString()
--EXTENSIONS--
smtp
--FILE--
<?php
require __DIR__ . '/../inc/server.inc';
$file = tempnam(sys_get_temp_dir(), 'smtp-big');
file_put_contents($file, random_bytes(3 * 1024 * 1024 + 7));
$hash = hash_file('sha256', $file);
$make = fn(string $tag) => (new Smtp\Message())->from('shop@x.test')->to('big@y.test')->subject($tag)
	->text(str_repeat(".dot line\r\n", 2000))->attach($file, 'big.bin');

foreach (['starttls', 'implicit'] as $tls) {
	$srv = SmtpTestServer::start(['tls' => $tls, 'auth' => 'user:secret']);
	$mailer = new Smtp\Mailer($srv->config(['username' => 'user', 'password' => 'secret']));
	$one = $make("$tls one");
	echo "$tls send: ", get_class($mailer->send($one)), "\n";
	$batch = ['a' => $make("$tls a"), 'b' => $make("$tls b"), 'c' => $make("$tls c")];
	$results = $mailer->sendMany($batch, concurrency: 2);
	echo "$tls sendMany: ", implode(' ', array_map(fn($r) => get_class($r), $results)), "\n";
	$mailer->close();

	$received = $srv->waitForMessages(4, 20.0);
	$exact = 0;
	$intact = 0;
	foreach ($received as $m) {
		preg_match('/^Subject: (.*)\r$/m', $m['data'], $s);
		$source = $s[1] === "$tls one" ? $one : $batch[substr($s[1], -1)];
		$exact += $m['data'] === $source->toString() ? 1 : 0;
		$parts = parse_message($m['data'])['structure']['parts'];
		$intact += $parts[1]['sha256'] === $hash ? 1 : 0;
	}
	echo "$tls: ", count($received), " arrived, $exact byte-exact, $intact attachments intact, ",
		count(array_filter(array_column($received, 'tls'))), " over TLS\n";
	$srv->stop();
}
unlink($file);
?>
--EXPECT--
starttls send: Smtp\Receipt
starttls sendMany: Smtp\Receipt Smtp\Receipt Smtp\Receipt
starttls: 4 arrived, 4 byte-exact, 4 attachments intact, 4 over TLS
implicit send: Smtp\Receipt
implicit sendMany: Smtp\Receipt Smtp\Receipt Smtp\Receipt
implicit: 4 arrived, 4 byte-exact, 4 attachments intact, 4 over TLS

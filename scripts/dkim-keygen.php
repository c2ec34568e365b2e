<?php
/*
 * Makes a DKIM key pair with the smtp extension and prints the DNS record to
 * publish; or prints the record for a key you already have.
 *
 *   php scripts/dkim-keygen.php --domain example.com --selector mail2025 [--algorithm rsa-sha256|ed25519-sha256]
 *       [--bits 2048] [--out /etc/php-smtp/dkim.pem] [--force] [--json]
 *   php scripts/dkim-keygen.php --record-for /etc/php-smtp/dkim.pem --domain example.com --selector mail2025 [--json]
 *
 * The private key goes to --out (created with mode 0600; an existing file is
 * kept unless --force) or, without --out, to standard output. The record and
 * the name it goes under are printed on standard error then, so the key can be
 * redirected alone. --json prints one JSON object instead (for the WordPress
 * plugin and other tools): {"dns_name", "dns_record", "algorithm", "key_file" | "private_key"}.
 * Load the extension first if it is not enabled: php -d extension=smtp.so ...
 */

if (PHP_SAPI !== 'cli') {
	exit(1);
}

function fail(string $message, int $code = 1): never
{
	fwrite(STDERR, "dkim-keygen: $message\n");
	exit($code);
}

/* Zone-file form: a TXT string holds at most 255 bytes, so a long record
 * (RSA 2048 is ~410) is written as several strings, which DNS joins. */
function zone_line(string $name, string $record): string
{
	return "$name. IN TXT \"" . implode('" "', str_split($record, 255)) . '"';
}

if (!extension_loaded('smtp')) {
	fail('the smtp extension is not loaded (php -d extension=/path/to/smtp.so ' . $argv[0] . ' ...)');
}

$options = getopt('', ['domain:', 'selector:', 'algorithm:', 'bits:', 'out:', 'force', 'json', 'record-for:', 'help']);
if (isset($options['help']) || $argc === 1) {
	fwrite(STDOUT, "usage:\n"
		. "  php dkim-keygen.php --domain D --selector S [--algorithm rsa-sha256|ed25519-sha256] [--bits 2048]\n"
		. "                      [--out FILE] [--force] [--json]\n"
		. "  php dkim-keygen.php --record-for KEYFILE --domain D --selector S [--json]\n");
	exit(isset($options['help']) ? 0 : 2);
}
foreach (['domain', 'selector'] as $required) {
	if (!isset($options[$required]) || !is_string($options[$required])) {
		fail("--$required is required", 2);
	}
}

try {
	$dnsName = Smtp\Dkim::dnsName($options['selector'], $options['domain']);

	if (isset($options['record-for'])) {
		$record = Smtp\Dkim::dnsRecord((string) $options['record-for']);
		if (isset($options['json'])) {
			echo json_encode(['dns_name' => $dnsName, 'dns_record' => $record, 'key_file' => $options['record-for']],
				JSON_UNESCAPED_SLASHES), "\n";
		} else {
			echo zone_line($dnsName, $record), "\n";
		}
		exit(0);
	}

	$algorithm = (string) ($options['algorithm'] ?? 'rsa-sha256');
	$bits = (int) ($options['bits'] ?? 2048);
	$pair = Smtp\Dkim::generateKey($algorithm, $bits);
} catch (ValueError | Smtp\InvalidArgumentException $e) {
	fail($e->getMessage(), 2);
}

$out = $options['out'] ?? null;
if (is_string($out)) {
	if (file_exists($out) && !isset($options['force'])) {
		fail("$out exists; not overwriting a key (use --force to replace it)");
	}
	/* the key never exists on disk with wider permissions than 0600 */
	$old = umask(0077);
	$tmp = $out . '.tmp' . getmypid();
	$ok = file_put_contents($tmp, $pair['private_key']) !== false && chmod($tmp, 0600) && rename($tmp, $out);
	umask($old);
	if (!$ok) {
		@unlink($tmp);
		fail("cannot write $out");
	}
}

if (isset($options['json'])) {
	$result = ['dns_name' => $dnsName, 'dns_record' => $pair['dns_record'], 'algorithm' => $pair['algorithm']];
	$result += is_string($out) ? ['key_file' => $out] : ['private_key' => $pair['private_key']];
	echo json_encode($result, JSON_UNESCAPED_SLASHES), "\n";
	exit(0);
}

$publish = "Publish this TXT record:\n  " . zone_line($dnsName, $pair['dns_record']) . "\n"
	. "Then configure: 'dkim' => ['domain' => '{$options['domain']}', 'selector' => '{$options['selector']}', "
	. "'key' => " . (is_string($out) ? var_export($out, true) : "'<the PEM above>'") . "]\n";
if (is_string($out)) {
	echo "Private key written to $out (mode 0600).\n", $publish;
} else {
	echo $pair['private_key'];
	fwrite(STDERR, $publish);
}

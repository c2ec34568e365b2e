<?php
/*
 * Shared by every PHP peer of the benchmark: the one message all peers send
 * (same sender, recipient, subject and body), and the one way each peer
 * reports what it measured (a JSON line on stdout).
 */

declare(strict_types=1);

const BENCH_FROM = 'bench-sender@example.test';
const BENCH_FROM_NAME = 'Bench Sender';
const BENCH_TO = 'bench-rcpt@example.test';
const BENCH_TO_NAME = 'Bench Recipient';
const BENCH_SUBJECT = 'Benchmark message: order confirmation #20240611';
const PHPMAILER_AUTOLOAD = '/usr/share/php/libphp-phpmailer/autoload.php';
const SYMFONY_MAILER_AUTOLOAD = '/usr/share/php/Symfony/Component/Mailer/autoload.php';
const BRIDGE_AUTOLOAD = __DIR__ . '/../../bridge/autoload.php';

/** About 900 bytes of plain ASCII text in 72-column lines; with headers the message is ~1.2 KB. */
function bench_body(): string
{
	$words = ['order', 'shipment', 'invoice', 'customer', 'delivery', 'address', 'parcel', 'payment',
		'receipt', 'warehouse', 'tracking', 'return', 'window', 'courier', 'weekday', 'total'];
	$lines = [];
	$line = '';
	for ($i = 0; strlen(implode("\n", $lines)) < 840; $i++) {
		$word = $words[($i * 7 + intdiv($i, 5)) % count($words)];
		if (strlen($line) + strlen($word) + 1 > 72) {
			$lines[] = $line;
			$line = '';
		}
		$line .= ($line === '' ? '' : ' ') . $word;
	}
	$lines[] = $line;
	return implode("\r\n", $lines) . "\r\n";
}

/** The full RFC 5322 text, as sendRaw, smtp-source -F and curl send it. */
function bench_raw_message(string $eol = "\r\n"): string
{
	$headers = [
		'Date: Tue, 11 Jun 2024 10:00:00 +0000',
		'Message-ID: <bench.20240611.1@example.test>',
		'From: ' . BENCH_FROM_NAME . ' <' . BENCH_FROM . '>',
		'To: ' . BENCH_TO_NAME . ' <' . BENCH_TO . '>',
		'Subject: ' . BENCH_SUBJECT,
		'MIME-Version: 1.0',
		'Content-Type: text/plain; charset=utf-8',
		'Content-Transfer-Encoding: 7bit',
	];
	return str_replace("\r\n", $eol, implode("\r\n", $headers) . "\r\n\r\n" . bench_body());
}

/** VmHWM (peak resident set) of this process in KB, from /proc/self/status. */
function bench_vmhwm_kb(): int
{
	$status = (string) file_get_contents('/proc/self/status');
	return preg_match('/^VmHWM:\s+(\d+) kB/m', $status, $m) ? (int) $m[1] : -1;
}

/** Prints one JSON line: what was measured, plus this process's peak memory. */
function bench_report(array $fields): void
{
	$fields += [
		'php_peak_bytes' => memory_get_peak_usage(true),
		'vmhwm_kb' => bench_vmhwm_kb(),
	];
	echo json_encode($fields, JSON_UNESCAPED_SLASHES), "\n";
}

/** Stops the benchmark with a message on stderr and a non-zero exit. */
function bench_fail(string $why): never
{
	fwrite(STDERR, $why . "\n");
	exit(1);
}

/** True when the extension is loaded and Mailer::sendRaw is more than the placeholder. */
function bench_ours_available(int $port): bool
{
	if (!class_exists('Smtp\\Mailer')) {
		return false;
	}
	try {
		$mailer = new Smtp\Mailer(['host' => '127.0.0.1', 'port' => $port, 'encryption' => 'none']);
		$mailer->sendRaw(BENCH_FROM, [BENCH_TO], bench_raw_message());
		$mailer->close();
		return true;
	} catch (Throwable $e) {
		fwrite(STDERR, 'ours not usable yet: ' . get_class($e) . ': ' . $e->getMessage() . "\n");
		return false;
	}
}

if (PHP_SAPI === 'cli' && realpath($_SERVER['SCRIPT_FILENAME'] ?? '') === __FILE__) {
	// php common.php eml FILE: writes the message with LF lines (smtp-source -F appends CRLF itself).
	// php common.php raw FILE: writes it with CRLF lines (curl -T sends it as it is).
	[$mode, $path] = [$argv[1] ?? '', $argv[2] ?? ''];
	if ($path === '' || !in_array($mode, ['eml', 'raw'], true)) {
		bench_fail('usage: php common.php eml|raw FILE');
	}
	file_put_contents($path, bench_raw_message($mode === 'eml' ? "\n" : "\r\n"));
}

/** Our Message for the common text (attachments are the caller's). */
function bench_message(): Smtp\Message
{
	return (new Smtp\Message())
		->from(BENCH_FROM, BENCH_FROM_NAME)
		->to(BENCH_TO, BENCH_TO_NAME)
		->subject(BENCH_SUBJECT)
		->text(bench_body());
}

/** PHPMailer over plaintext SMTP to 127.0.0.1:$port with the common text (PHPMAILER_AUTOLOAD loaded). */
function bench_phpmailer(int $port, bool $keepAlive = false, bool $noDelay = false,
	string $class = PHPMailer\PHPMailer\PHPMailer::class): PHPMailer\PHPMailer\PHPMailer
{
	/* $class: PHPMailer's own, or the bridge's NativeSmtp\PHPMailer with the very same settings. */
	$mail = new $class(true);
	$mail->isSMTP();
	$mail->Host = '127.0.0.1';
	$mail->Port = $port;
	$mail->SMTPAuth = false;
	$mail->SMTPSecure = '';
	$mail->SMTPAutoTLS = false;
	$mail->SMTPKeepAlive = $keepAlive;
	$mail->CharSet = 'utf-8';
	if ($noDelay) {
		$mail->SMTPOptions = ['socket' => ['tcp_nodelay' => true]];
	}
	$mail->setFrom(BENCH_FROM, BENCH_FROM_NAME);
	$mail->addAddress(BENCH_TO, BENCH_TO_NAME);
	$mail->Subject = BENCH_SUBJECT;
	$mail->Body = bench_body();
	return $mail;
}

/** bench_phpmailer() through a STARTTLS + AUTH relay: certificate checked against $cafile. */
function bench_phpmailer_starttls(int $port, string $cafile, string $user, string $password): PHPMailer\PHPMailer\PHPMailer
{
	$mail = bench_phpmailer($port);
	$mail->SMTPSecure = PHPMailer\PHPMailer\PHPMailer::ENCRYPTION_STARTTLS;
	$mail->SMTPAutoTLS = true; /* PHPMailer's default, which bench_phpmailer() turns off */
	$mail->SMTPAuth = true;
	$mail->Username = $user;
	$mail->Password = $password;
	$mail->SMTPOptions = ['ssl' => ['cafile' => $cafile, 'verify_peer' => true, 'verify_peer_name' => true]];
	return $mail;
}

/** Symfony's Email with the common text (SYMFONY_MAILER_AUTOLOAD loaded). */
function bench_symfony_email(): Symfony\Component\Mime\Email
{
	return (new Symfony\Component\Mime\Email())
		->from(new Symfony\Component\Mime\Address(BENCH_FROM, BENCH_FROM_NAME))
		->to(new Symfony\Component\Mime\Address(BENCH_TO, BENCH_TO_NAME))
		->subject(BENCH_SUBJECT)
		->text(bench_body());
}

/** Symfony's EsmtpTransport to a STARTTLS + AUTH relay (taken as offered: auto TLS), certificate checked against $cafile. */
function bench_symfony_starttls(int $port, string $cafile, string $user, string $password): Symfony\Component\Mailer\Transport\Smtp\EsmtpTransport
{
	$transport = new Symfony\Component\Mailer\Transport\Smtp\EsmtpTransport('127.0.0.1', $port, false);
	$transport->setUsername($user);
	$transport->setPassword($password);
	$transport->getStream()->setStreamOptions(['ssl' => ['cafile' => $cafile, 'verify_peer' => true,
		'verify_peer_name' => true]]);
	return $transport;
}

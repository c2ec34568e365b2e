<?php
/*
 * One throughput run of one peer against a plaintext SMTP sink:
 *     php throughput.php PEER PORT SECONDS [CONCURRENCY [COUNT]]
 * Sends the common ~1.2 KB message again and again for at least SECONDS (and
 * at least a few messages), or exactly COUNT messages when COUNT is given
 * (the profiler wants the same work every time), over one kept-alive connection where the peer
 * has one, and prints a JSON line: messages, seconds, msg/s, peak memory.
 * The clock starts before the first connect and stops after the close, so
 * connection set-up is inside the time; PHP start-up and autoloading are not.
 * Each peer builds its message once and sends that object each time, the way
 * a loop over recipients with a reused builder would.
 */

declare(strict_types=1);
require __DIR__ . '/common.php';

const MIN_MESSAGES = 20;
const SEND_MANY_BATCH = 256;

[$peer, $port, $seconds] = [$argv[1] ?? '', (int) ($argv[2] ?? 0), (float) ($argv[3] ?? 2)];
$concurrency = (int) ($argv[4] ?? 1);
$fixedCount = (int) ($argv[5] ?? 0);
if ($peer === '' || $port <= 0) {
	bench_fail('usage: php throughput.php PEER PORT SECONDS [CONCURRENCY [COUNT]]');
}

/** Calls $sendOne until the time is up; it returns how many messages it sent. */
function timed_loop(float $seconds, callable $sendOne): array
{
	global $fixedCount;
	$start = hrtime(true);
	$sent = 0;
	do {
		$sent += $sendOne();
		$elapsed = (hrtime(true) - $start) / 1e9;
	} while ($fixedCount > 0 ? $sent < $fixedCount : ($elapsed < $seconds || $sent < MIN_MESSAGES));
	return [$sent, $elapsed];
}

function ours_mailer(int $port): Smtp\Mailer
{
	return new Smtp\Mailer(['host' => '127.0.0.1', 'port' => $port, 'encryption' => 'none', 'keepalive' => true]);
}

switch ($peer) {
case 'ours-sendraw':
	$raw = bench_raw_message();
	[$sent, $elapsed] = timed_loop($seconds, function () use ($port, $raw): int {
		static $mailer;
		$mailer ??= ours_mailer($port);
		$mailer->sendRaw(BENCH_FROM, [BENCH_TO], $raw);
		return 1;
	});
	break;

case 'ours-send':
	$message = bench_message();
	[$sent, $elapsed] = timed_loop($seconds, function () use ($port, $message): int {
		static $mailer;
		$mailer ??= ours_mailer($port);
		$mailer->send($message);
		return 1;
	});
	break;

case 'ours-sendmany':
	$message = bench_message();
	$batch = array_fill(0, SEND_MANY_BATCH, $message);
	[$sent, $elapsed] = timed_loop($seconds, function () use ($port, $batch, $concurrency): int {
		static $mailer;
		$mailer ??= ours_mailer($port);
		$results = $mailer->sendMany($batch, concurrency: $concurrency);
		if (array_keys($results) !== array_keys($batch)) {
			bench_fail('sendMany returned different keys than it was given');
		}
		foreach ($results as $key => $result) {
			if (!$result instanceof Smtp\Receipt) {
				bench_fail("sendMany: message $key failed: " . ($result instanceof Throwable ? $result->getMessage() : get_debug_type($result)));
			}
		}
		return count($batch);
	});
	break;

case 'ours-mail':
case 'mail-msmtp':
	// The caller sets smtp.override_mail / sendmail_path; here mail() is just called.
	$headers = ['From' => BENCH_FROM_NAME . ' <' . BENCH_FROM . '>', 'MIME-Version' => '1.0',
		'Content-Type' => 'text/plain; charset=utf-8'];
	$body = bench_body();
	[$sent, $elapsed] = timed_loop($seconds, function () use ($headers, $body): int {
		if (!mail(BENCH_TO_NAME . ' <' . BENCH_TO . '>', BENCH_SUBJECT, $body, $headers)) {
			bench_fail('mail() returned false: ' . (error_get_last()['message'] ?? 'no warning'));
		}
		return 1;
	});
	break;

case 'phpmailer':
case 'phpmailer-nodelay':
	require PHPMAILER_AUTOLOAD;
	$mail = null;
	[$sent, $elapsed] = timed_loop($seconds, function () use (&$mail, $port, $peer): int {
		$mail ??= bench_phpmailer($port, keepAlive: true, noDelay: $peer === 'phpmailer-nodelay');
		$mail->send();
		return 1;
	});
	$mail->smtpClose();
	break;

case 'bridge-phpmailer':
	// The bridge: the PHPMailer code above with one class name changed.
	require PHPMAILER_AUTOLOAD;
	require BRIDGE_AUTOLOAD;
	$mail = null;
	[$sent, $elapsed] = timed_loop($seconds, function () use (&$mail, $port): int {
		$mail ??= bench_phpmailer($port, keepAlive: true, class: NativeSmtp\PHPMailer::class);
		$mail->send();
		return 1;
	});
	$mail->smtpClose();
	break;

case 'bridge-symfony':
	// The bridge: the Symfony code below with the transport made from a native+smtp DSN.
	require SYMFONY_MAILER_AUTOLOAD;
	require BRIDGE_AUTOLOAD;
	$email = bench_symfony_email();
	$transport = null;
	[$sent, $elapsed] = timed_loop($seconds, function () use (&$transport, $email, $port): int {
		$transport ??= (new NativeSmtp\Symfony\NativeSmtpTransportFactory())->create(
			Symfony\Component\Mailer\Transport\Dsn::fromString("native+smtp://127.0.0.1:$port?encryption=none"));
		$transport->send($email);
		return 1;
	});
	$transport->stop();
	break;

case 'symfony':
case 'symfony-nodelay':
	require SYMFONY_MAILER_AUTOLOAD;
	$email = bench_symfony_email();
	$transport = null;
	[$sent, $elapsed] = timed_loop($seconds, function () use (&$transport, $email, $port, $peer): int {
		if ($transport === null) {
			$transport = new Symfony\Component\Mailer\Transport\Smtp\EsmtpTransport('127.0.0.1', $port, false);
			if ($peer === 'symfony-nodelay') {
				$stream = $transport->getStream();
				$stream->setStreamOptions(['socket' => ['tcp_nodelay' => true]] + $stream->getStreamOptions());
			}
		}
		$transport->send($email);
		return 1;
	});
	$transport = null; // the destructor says QUIT (stop() is private in Symfony 5.4)
	break;

default:
	bench_fail("throughput.php: unknown peer $peer");
}

bench_report(['peer' => $peer, 'concurrency' => $concurrency, 'messages' => $sent, 'seconds' => $elapsed,
	'rate' => $sent / $elapsed]);

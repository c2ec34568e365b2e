<?php
/*
 * One message with one large binary attachment, for the attachment table:
 *     php attachment.php PEER PORT FILE
 * Builds the message (text body + FILE as application/octet-stream) and sends
 * it over plaintext SMTP; prints a JSON line with the seconds for build and
 * send together and the peak memory of the process.
 */

declare(strict_types=1);
require __DIR__ . '/common.php';

[$peer, $port, $file] = array_slice($argv, 1) + ['', 0, ''];
$port = (int) $port;
if ($peer === '' || $port <= 0 || !is_file($file)) {
	bench_fail('usage: php attachment.php PEER PORT FILE');
}
$name = 'data.bin';

switch ($peer) {
case 'ours':
	$start = hrtime(true);
	$message = bench_message()->attach($file, $name, 'application/octet-stream');
	$mailer = new Smtp\Mailer(['host' => '127.0.0.1', 'port' => $port, 'encryption' => 'none']);
	$mailer->send($message);
	$mailer->close();
	break;

case 'phpmailer':
	require PHPMAILER_AUTOLOAD;
	$start = hrtime(true);
	$mail = bench_phpmailer($port);
	$mail->addAttachment($file, $name, PHPMailer\PHPMailer\PHPMailer::ENCODING_BASE64, 'application/octet-stream');
	$mail->send();
	break;

case 'symfony':
	require SYMFONY_MAILER_AUTOLOAD;
	$start = hrtime(true);
	$email = bench_symfony_email()->attachFromPath($file, $name, 'application/octet-stream');
	$transport = new Symfony\Component\Mailer\Transport\Smtp\EsmtpTransport('127.0.0.1', $port, false);
	$transport->send($email);
	$transport = null; // the destructor says QUIT
	break;

default:
	bench_fail("attachment.php: unknown peer $peer");
}

$elapsed = (hrtime(true) - $start) / 1e9;
bench_report(['peer' => $peer, 'bytes' => filesize($file), 'seconds' => $elapsed]);

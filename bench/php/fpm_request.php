<?php
/*
 * One php-fpm request of bench/fpm.sh: sends the common message once, the way
 * a web request (an order, a contact form) does, and answers "ok". Which peer
 * and where come as FastCGI parameters (fcgi_load.php NAME=VALUE):
 *   BENCH_PEER      ours-persistent | ours | mail | phpmailer | symfony
 *   BENCH_PORT      the relay (STARTTLS + AUTH) on 127.0.0.1
 *   BENCH_CAFILE    the CA its certificate is checked against
 *   BENCH_USER, BENCH_PASSWORD
 * The mail() peer takes its settings from the pool's php_admin_value smtp.*
 * (smtp.persistent=1), as a site configured by its host would.
 * Every peer builds its message in the request (ours: Smtp\Message), as a
 * site does; none keeps anything in PHP between requests (PHPMailer's
 * SMTPKeepAlive and Symfony's open transport end with the request).
 */

declare(strict_types=1);
require __DIR__ . '/common.php';

$peer = (string) ($_SERVER['BENCH_PEER'] ?? '');
$port = (int) ($_SERVER['BENCH_PORT'] ?? 0);
$cafile = (string) ($_SERVER['BENCH_CAFILE'] ?? '');
$user = (string) ($_SERVER['BENCH_USER'] ?? '');
$password = (string) ($_SERVER['BENCH_PASSWORD'] ?? '');

try {
	switch ($peer) {
	case 'ours-persistent':
	case 'ours':
		$mailer = new Smtp\Mailer(['host' => '127.0.0.1', 'port' => $port, 'encryption' => 'starttls',
			'username' => $user, 'password' => $password, 'cafile' => $cafile,
			'persistent' => $peer === 'ours-persistent']);
		$mailer->send(bench_message());
		$mailer = null; /* not persistent: QUIT and close, inside the timed request */
		break;

	case 'mail':
		if (!mail(BENCH_TO, BENCH_SUBJECT, bench_body(), 'From: ' . BENCH_FROM_NAME . ' <' . BENCH_FROM . '>')) {
			throw new RuntimeException('mail() returned false: ' . (smtp_last_result()['error'] ?? '?'));
		}
		break;

	case 'phpmailer':
		require_once PHPMAILER_AUTOLOAD;
		$mail = bench_phpmailer_starttls($port, $cafile, $user, $password);
		$mail->send(); /* SMTPKeepAlive could not outlive the request: QUIT and close */
		break;

	case 'symfony':
		require_once SYMFONY_MAILER_AUTOLOAD;
		$transport = bench_symfony_starttls($port, $cafile, $user, $password);
		$transport->send(bench_symfony_email());
		$transport = null; /* the destructor says QUIT */
		break;

	default:
		throw new RuntimeException("unknown BENCH_PEER '$peer'");
	}
	echo "ok\n";
} catch (Throwable $e) {
	echo 'failed: ', get_class($e), ': ', $e->getMessage(), "\n";
}

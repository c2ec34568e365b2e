<?php
/*
 * One cold message with STARTTLS + AUTH, for the latency table:
 *     php cold.php PEER PORT CAFILE USER PASSWORD
 * Connects, upgrades with STARTTLS (certificate verified against CAFILE),
 * authenticates, sends the common message and closes, each peer in its
 * default configuration. Prints a JSON line with the seconds from before the
 * connect to after the close (PHP start-up and autoloading are outside).
 */

declare(strict_types=1);
require __DIR__ . '/common.php';

[$peer, $port, $cafile, $user, $password] = array_slice($argv, 1) + ['', 0, '', '', ''];
$port = (int) $port;
if ($peer === '' || $port <= 0 || !is_file($cafile)) {
	bench_fail('usage: php cold.php PEER PORT CAFILE USER PASSWORD');
}

switch ($peer) {
case 'ours':
	$raw = bench_raw_message();
	$start = hrtime(true);
	$mailer = new Smtp\Mailer(['host' => '127.0.0.1', 'port' => $port, 'encryption' => 'starttls',
		'username' => $user, 'password' => $password, 'cafile' => $cafile]);
	$mailer->sendRaw(BENCH_FROM, [BENCH_TO], $raw);
	$mailer->close();
	$elapsed = (hrtime(true) - $start) / 1e9;
	break;

case 'phpmailer':
	require PHPMAILER_AUTOLOAD;
	$start = hrtime(true);
	$mail = bench_phpmailer_starttls($port, $cafile, $user, $password);
	$mail->send(); // without SMTPKeepAlive, send() says QUIT and closes
	$elapsed = (hrtime(true) - $start) / 1e9;
	break;

case 'symfony':
	require SYMFONY_MAILER_AUTOLOAD;
	$start = hrtime(true);
	$transport = bench_symfony_starttls($port, $cafile, $user, $password);
	$email = bench_symfony_email();
	$transport->send($email);   // STARTTLS is taken when offered (auto TLS)
	$transport = null;          // the destructor says QUIT
	$elapsed = (hrtime(true) - $start) / 1e9;
	break;

default:
	bench_fail("cold.php: unknown peer $peer");
}

bench_report(['peer' => $peer, 'seconds' => $elapsed]);

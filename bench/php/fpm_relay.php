<?php
/*
 * What the relay of bench/fpm.sh saw, from its log (tests/server/smtpd.py's
 * DIR/log.jsonl):  php fpm_relay.php LOG.JSONL
 * Prints one JSON line: connections, messages, and the round trips of the
 * requests, counted at the relay. A round trip is a time the client had to
 * wait for the relay: the TCP connect (the greeting comes after it), the TLS
 * handshake, and every write of the client the relay answered: a command line
 * with nothing pipelined behind it (the last of a pipelined group, BDAT with
 * its chunk included), a SASL line, a DATA body. A message's round trips are
 * those since the previous message on its connection (or since the connect),
 * and for the last message of a connection the ones after it too (QUIT, when
 * the request closes the session): read the log while php-fpm still runs, so
 * that the QUIT of a kept session at shutdown is not counted.
 * "warm": messages that went on a connection an earlier request had used.
 */

declare(strict_types=1);

$path = $argv[1] ?? '';
if (!is_file($path)) {
	fwrite(STDERR, "usage: php fpm_relay.php LOG.JSONL\n");
	exit(2);
}

$sessions = [];
foreach (file($path, FILE_IGNORE_NEW_LINES) as $line) {
	$e = json_decode($line, true);
	if (!is_array($e)) {
		continue; /* the last line may still be being written */
	}
	$s = &$sessions[$e['session']];
	$s ??= ['counts' => [], 'pending' => 0, 'verb' => ''];
	switch ($e['event']) {
	case 'connect':
	case 'tls':
		$s['pending']++;
		break;
	case 'line':
		if (($e['kind'] ?? '') === 'auth') {
			$s['pending']++;
		} elseif (($e['kind'] ?? '') === 'command') {
			$s['verb'] = strtoupper(strtok((string) $e['line'], ' '));
			$s['pending'] += empty($e['pipelined']) ? 1 : 0;
		}
		break;
	case 'message':
		/* a DATA body is one more write the relay answered; BDAT's chunk came with its line */
		$s['counts'][] = $s['pending'] + ($s['verb'] === 'DATA' ? 1 : 0);
		$s['pending'] = 0;
		break;
	}
	unset($s);
}

$warm = $cold = [];
$messages = 0;
foreach ($sessions as $s) {
	if (!$s['counts']) {
		continue;
	}
	$s['counts'][count($s['counts']) - 1] += $s['pending'];
	$messages += count($s['counts']);
	$cold[] = array_shift($s['counts']);
	array_push($warm, ...$s['counts']);
}

$stats = fn(array $v) => $v ? ['mean' => round(array_sum($v) / count($v), 2), 'min' => min($v), 'max' => max($v),
	'n' => count($v)] : null;
echo json_encode(['connections' => count($sessions), 'messages' => $messages, 'warm' => $stats($warm),
	'cold' => $stats($cold)]), "\n";

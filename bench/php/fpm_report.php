<?php
/*
 * The table of bench/fpm.sh:  php fpm_report.php ROWS.TSV WORKERS RTT_MS SMOKE
 * ROWS.TSV: one line a peer, "key<TAB>{load: fcgi_load.php's JSON, relay:
 * fpm_relay.php's JSON}" or "key<TAB>{na: why}". Ratios are to the first row
 * (ours, persistent). In smoke mode (SMOKE=1) it checks instead of measuring:
 * every request answered ok, every message at the relay, and for the
 * persistent peers no more connections than workers; exit status 1 if not.
 */

declare(strict_types=1);

[$path, $workers, $rtt, $smoke] = array_slice($argv, 1) + ['', 4, 30, '0'];
$smoke = $smoke === '1';
$labels = [
	'ours-persistent' => 'ours: Smtp\Mailer, persistent => true',
	'ours-persistent-nochunking' => '... same, relay without CHUNKING',
	'mail' => 'ours: mail() with smtp.persistent=1',
	'ours' => 'ours: Smtp\Mailer, not persistent',
	'phpmailer' => 'PHPMailer (a session per request)',
	'symfony' => 'Symfony Mailer (a session per request)',
];

$rows = [];
foreach (file($path, FILE_IGNORE_NEW_LINES) as $line) {
	[$key, $json] = explode("\t", $line, 2);
	$rows[$key] = json_decode($json, true);
}

function percentile(array $sorted, float $p): float
{
	$i = (int) ceil($p / 100 * count($sorted)) - 1;
	return $sorted[max(0, min(count($sorted) - 1, $i))];
}

$failed = [];
$facts = [];
foreach ($rows as $key => $r) {
	if (isset($r['na'])) {
		$failed[] = "$key: {$r['na']}";
		continue;
	}
	$load = $r['load'];
	$relay = $r['relay'];
	if ($load['ok'] !== $load['requests'] || $relay['messages'] !== $load['requests']) {
		$failed[] = "$key: {$load['ok']} of {$load['requests']} requests ok, {$relay['messages']} messages at the relay"
			. ($load['bad'] ? " ({$load['bad']})" : '');
		continue;
	}
	$persistent = in_array($key, ['ours-persistent', 'ours-persistent-nochunking', 'mail'], true);
	if ($smoke && $persistent && $relay['connections'] > $workers) {
		$failed[] = "$key: {$relay['connections']} connections for $workers workers";
	}
	$facts[$key] = [
		'requests' => $load['requests'],
		/* a request whose worker had sent before: on a kept connection, or (a session per request) any */
		'warm' => $relay['warm']['mean'] ?? $relay['cold']['mean'],
		'cold' => $relay['cold']['mean'],
		'p50' => percentile($load['latencies_ms'], 50),
		'p99' => percentile($load['latencies_ms'], 99),
		'connections' => $relay['connections'],
	];
}

if ($smoke) {
	foreach ($facts as $key => $f) {
		printf("%s: %d requests ok, %d relay connections, round trips warm %s cold %s\n", $key, $f['requests'],
			$f['connections'], $f['warm'], $f['cold']);
	}
	foreach ($failed as $why) {
		echo "FAILED $why\n";
	}
	exit($failed || !$facts ? 1 : 0);
}

$base = $facts['ours-persistent'] ?? null;
$ratio = fn(string $k, array $f) => $base && $base[$k] > 0 ? sprintf('%.2fx', $f[$k] / $base[$k]) : '-';
echo "### php-fpm: one message per request, $workers workers, STARTTLS + AUTH relay at $rtt ms RTT\n\n";
echo "| peer | requests | round trips / request, worker sent before | x ours | round trips, new connection | p50 ms | x ours | p99 ms | x ours | relay connections | x ours |\n";
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
foreach ($labels as $key => $label) {
	if (!isset($facts[$key])) {
		continue;
	}
	$f = $facts[$key];
	printf("| %s | %s | %s | %s | %s | %.1f | %s | %.1f | %s | %s | %s |\n", $label, number_format($f['requests']),
		$f['warm'], $ratio('warm', $f), $f['cold'], $f['p50'], $ratio('p50', $f), $f['p99'], $ratio('p99', $f),
		number_format($f['connections']), $ratio('connections', $f));
}
foreach ($failed as $why) {
	echo "\nn/a: $why\n";
}

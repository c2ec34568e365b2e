<?php
/*
 * Turns the raw records of one bench run into the tables of bench/README.md:
 *     php report.php WORKDIR ROUND_TRIP_MS_LOW ROUND_TRIP_MS_HIGH
 * Record files (one record a line, fields separated by tabs, the last field
 * the JSON a peer printed, or {"na": "why"} when the peer could not run):
 *   throughput.tsv   row label, group, sessions, json (rate, php_peak_bytes, vmhwm_kb)
 *   attachment.tsv   size label, peer, json (seconds, php_peak_bytes, vmhwm_kb)
 *   latency.tsv      peer, round-trip ms, json (seconds)
 * Every figure is the median over the runs; min-max shows the spread.
 */

declare(strict_types=1);

[$work, $rttLow, $rttHigh] = [$argv[1] ?? '', (float) ($argv[2] ?? 30), (float) ($argv[3] ?? 60)];

function median(array $values): float
{
	sort($values);
	$n = count($values);
	return $n % 2 ? (float) $values[intdiv($n, 2)] : ($values[$n / 2 - 1] + $values[$n / 2]) / 2;
}

/** Groups the records of one file by their leading fields, in first-seen order. */
function read_records(string $path, int $keyFields): array
{
	$groups = [];
	if (!is_file($path)) {
		return $groups;
	}
	foreach (file($path, FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES) as $line) {
		$fields = explode("\t", $line);
		$json = json_decode(array_pop($fields), true) ?? ['na' => 'unreadable record'];
		$key = implode("\t", array_slice($fields, 0, $keyFields));
		$groups[$key] ??= ['fields' => $fields, 'runs' => [], 'na' => null];
		if (isset($json['na'])) {
			$groups[$key]['na'] ??= $json['na'];
		} else {
			$groups[$key]['runs'][] = $json;
		}
	}
	return $groups;
}

function mb(float $bytes): string
{
	return $bytes < 0 ? '-' : number_format($bytes / 1048576, 1);
}

/** A ratio with enough digits to tell 0.004x from 0.0004x. */
function ratio(float $value): string
{
	return ($value >= 10 ? number_format($value, 1) : ($value >= 0.1 ? number_format($value, 2) : sprintf('%.4f', $value))) . 'x';
}

function na_cell(?string $why): string
{
	return 'n/a (' . str_replace('|', '/', mb_strimwidth((string) $why, 0, 90, '...')) . ')';
}

$throughput = read_records("$work/throughput.tsv", 1);
if ($throughput) {
	$rates = [];
	foreach ($throughput as $label => $row) {
		if ($row['runs'] && $row['na'] === null) {
			$rates[$label] = median(array_column($row['runs'], 'rate'));
		}
	}
	$sourceBySessions = [];
	foreach ($throughput as $label => $row) {
		if ($row['fields'][1] === 'smtp-source' && isset($rates[$label])) {
			$sourceBySessions[$row['fields'][2]] = $rates[$label];
		}
	}
	$phpmailer = $rates['PHPMailer, SMTPKeepAlive'] ?? null;

	echo "### Throughput: ~1.2 KB messages to smtp-sink on loopback, plaintext\n\n";
	echo "| peer | connections | msg/s (median) | min - max | x smtp-source (same connections) | x PHPMailer | PHP peak MB | VmHWM MB |\n";
	echo "|---|---:|---:|---:|---:|---:|---:|---:|\n";
	foreach ($throughput as $label => $row) {
		$sessions = $row['fields'][2];
		if (!isset($rates[$label])) {
			echo "| $label | $sessions | " . na_cell($row['na'] ?? 'no run') . " | | | | | |\n";
			continue;
		}
		$rate = $rates[$label];
		$all = array_column($row['runs'], 'rate');
		$source = $sourceBySessions[$sessions] ?? null;
		$peak = array_column($row['runs'], 'php_peak_bytes');
		$hwm = array_column($row['runs'], 'vmhwm_kb');
		printf("| %s | %s | %s | %s - %s | %s | %s | %s | %s |\n", $label, $sessions,
			number_format($rate), number_format(min($all)), number_format(max($all)),
			$source ? ratio($rate / $source) : '-',
			$phpmailer ? ratio($rate / $phpmailer) : '-',
			$peak ? mb(median($peak)) : '-',
			$hwm ? mb(median($hwm) * 1024) : '-');
	}
	echo "\n";

	/* The bridges: the same library and the same message, our transport against its own. */
	$pairs = [
		['PHPMailer through NativeSmtp\\PHPMailer, SMTPKeepAlive', 'PHPMailer, SMTPKeepAlive', 'PHPMailer, SMTPKeepAlive + tcp_nodelay'],
		['Symfony Mailer through native+smtp:// (bridge)', 'Symfony Mailer, EsmtpTransport kept open', 'Symfony Mailer, kept open + tcp_nodelay'],
	];
	if (isset($throughput[$pairs[0][0]]) || isset($throughput[$pairs[1][0]])) {
		echo "### Bridges: the library through our transport vs its own SMTP transport (same message, same run)\n\n";
		echo "| library, through the bridge | msg/s (median) | its own SMTP, msg/s | x its own | its own + tcp_nodelay, msg/s | x that |\n";
		echo "|---|---:|---:|---:|---:|---:|\n";
		foreach ($pairs as [$bridge, $own, $tuned]) {
			if (!isset($rates[$bridge])) {
				echo "| $bridge | " . na_cell($throughput[$bridge]['na'] ?? 'no run') . " | | | | |\n";
				continue;
			}
			printf("| %s | %s | %s | %s | %s | %s |\n", $bridge, number_format($rates[$bridge]),
				isset($rates[$own]) ? number_format($rates[$own]) : '-', isset($rates[$own]) ? ratio($rates[$bridge] / $rates[$own]) : '-',
				isset($rates[$tuned]) ? number_format($rates[$tuned]) : '-', isset($rates[$tuned]) ? ratio($rates[$bridge] / $rates[$tuned]) : '-');
		}
		echo "\n";
	}
}

$attachment = read_records("$work/attachment.tsv", 2);
if ($attachment) {
	echo "### One message with a large binary attachment (build + send, plaintext, smtp-sink)\n\n";
	echo "| attachment | peer | seconds (median) | min - max | PHP peak MB | VmHWM MB |\n";
	echo "|---|---|---:|---:|---:|---:|\n";
	foreach ($attachment as $row) {
		[$size, $peer] = $row['fields'];
		if (!$row['runs'] || $row['na'] !== null) {
			echo "| $size | $peer | " . na_cell($row['na'] ?? 'no run') . " | | | |\n";
			continue;
		}
		$seconds = array_column($row['runs'], 'seconds');
		printf("| %s | %s | %.3f | %.3f - %.3f | %s | %s |\n", $size, $peer, median($seconds), min($seconds),
			max($seconds), mb(median(array_column($row['runs'], 'php_peak_bytes'))),
			mb(median(array_column($row['runs'], 'vmhwm_kb')) * 1024));
	}
	echo "\n";
}

$latency = read_records("$work/latency.tsv", 2);
if ($latency) {
	$byPeer = [];
	foreach ($latency as $row) {
		[$peer, $rtt] = $row['fields'];
		$byPeer[$peer][(string) (float) $rtt] = $row;
	}
	$low = (string) $rttLow;
	$high = (string) $rttHigh;
	echo "### One cold message, STARTTLS + AUTH, emulated round trip (network namespace + NFQUEUE delayer)\n\n";
	echo "| peer | ms at {$rttLow} ms RTT: median (min - max) | ms at {$rttHigh} ms RTT: median (min - max) | round trips (slope of medians) | round trips (slope of minimums) |\n";
	echo "|---|---:|---:|---:|---:|\n";
	foreach ($byPeer as $peer => $rows) {
		$cells = [];
		$medians = [];
		$minimums = [];
		foreach ([$low, $high] as $rtt) {
			$row = $rows[$rtt] ?? null;
			if ($row === null || !$row['runs'] || $row['na'] !== null) {
				$cells[] = na_cell($row['na'] ?? 'no run');
				continue;
			}
			$seconds = array_column($row['runs'], 'seconds');
			$medians[$rtt] = median($seconds) * 1000;
			$minimums[$rtt] = min($seconds) * 1000;
			$cells[] = sprintf('%.0f (%.0f - %.0f)', $medians[$rtt], min($seconds) * 1000, max($seconds) * 1000);
		}
		$slope = fn (array $ms) => count($ms) === 2 ? sprintf('%.1f', ($ms[$high] - $ms[$low]) / ($rttHigh - $rttLow)) : '-';
		echo "| $peer | {$cells[0]} | {$cells[1]} | {$slope($medians)} | {$slope($minimums)} |\n";
	}
	echo "\n";
}

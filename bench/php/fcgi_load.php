<?php
/*
 * A FastCGI load client for bench/fpm.sh: keeps CONCURRENCY requests in
 * flight against php-fpm's socket until REQUESTS have been answered, and
 * times each one from the connect to FastCGI's END_REQUEST.
 *     php fcgi_load.php SOCKET SCRIPT REQUESTS CONCURRENCY [NAME=VALUE...]
 * SOCKET is a path (unix socket) or HOST:PORT; the NAME=VALUE pairs go to the
 * script as FastCGI parameters ($_SERVER). Prints one JSON line: the sorted
 * latencies in ms, how many answered "ok" and the first bad answer.
 * Why not cgi-fcgi: it is one process per request (its start-up would be
 * timed) and one request at a time.
 */

declare(strict_types=1);

const FCGI_BEGIN_REQUEST = 1;
const FCGI_END_REQUEST = 3;
const FCGI_PARAMS = 4;
const FCGI_STDIN = 5;
const FCGI_STDOUT = 6;
const FCGI_STDERR = 7;

[$socket, $script, $requests, $concurrency] = array_slice($argv, 1, 4) + ['', '', 0, 0];
$requests = (int) $requests;
$concurrency = (int) $concurrency;
if ($socket === '' || !is_file($script) || $requests < 1 || $concurrency < 1) {
	fwrite(STDERR, "usage: php fcgi_load.php SOCKET SCRIPT REQUESTS CONCURRENCY [NAME=VALUE...]\n");
	exit(2);
}
$params = ['SCRIPT_FILENAME' => $script, 'REQUEST_METHOD' => 'GET', 'SERVER_PROTOCOL' => 'HTTP/1.1',
	'GATEWAY_INTERFACE' => 'CGI/1.1', 'QUERY_STRING' => ''];
foreach (array_slice($argv, 5) as $pair) {
	[$name, $value] = explode('=', $pair, 2) + ['', ''];
	$params[$name] = $value;
}

function record(int $type, string $content): string
{
	$padding = (8 - strlen($content) % 8) % 8;
	return pack('CCnnCx', 1, $type, 1, strlen($content), $padding) . $content . str_repeat("\0", $padding);
}

function length(int $n): string
{
	return $n < 128 ? chr($n) : pack('N', $n | 0x80000000);
}

$pairs = '';
foreach ($params as $name => $value) {
	$pairs .= length(strlen($name)) . length(strlen((string) $value)) . $name . $value;
}
/* role 1 = responder, flags 0 = fpm closes the connection after the request */
$request = record(FCGI_BEGIN_REQUEST, pack('nCx5', 1, 0)) . record(FCGI_PARAMS, $pairs) . record(FCGI_PARAMS, '')
	. record(FCGI_STDIN, '');
$address = str_starts_with($socket, '/') ? "unix://$socket" : "tcp://$socket";

/* One request: connects and sends; its answer is read by the loop below. */
function start(string $address, string $request): array
{
	$conn = @stream_socket_client($address, $errno, $errstr, 30);
	if (!$conn) {
		return ['error' => "connect: $errstr"];
	}
	$start = hrtime(true);
	fwrite($conn, $request);
	stream_set_blocking($conn, false);
	return ['conn' => $conn, 'start' => $start, 'buffer' => '', 'stdout' => '', 'stderr' => ''];
}

$latencies = [];
$ok = 0;
$bad = null;
$sent = 0;
$active = [];
$deadline = microtime(true) + 600;
while ($sent < $requests || $active) {
	while ($sent < $requests && count($active) < $concurrency) {
		$r = start($address, $request);
		$sent++;
		if (isset($r['error'])) {
			$bad ??= $r['error'];
			continue;
		}
		$active[(int) $r['conn']] = $r;
	}
	if (!$active) {
		continue;
	}
	$read = array_column($active, 'conn');
	$write = $except = null;
	if (stream_select($read, $write, $except, 5) === false || microtime(true) > $deadline) {
		fwrite(STDERR, "fcgi_load.php: gave up waiting for php-fpm\n");
		exit(1);
	}
	foreach ($read as $conn) {
		$r = &$active[(int) $conn];
		$chunk = fread($conn, 65536);
		$r['buffer'] .= (string) $chunk;
		$done = false;
		while (strlen($r['buffer']) >= 8) {
			$h = unpack('Cversion/Ctype/nid/nlength/Cpadding', $r['buffer']);
			$size = 8 + $h['length'] + $h['padding'];
			if (strlen($r['buffer']) < $size) {
				break;
			}
			$content = substr($r['buffer'], 8, $h['length']);
			$r['buffer'] = substr($r['buffer'], $size);
			if ($h['type'] === FCGI_STDOUT) {
				$r['stdout'] .= $content;
			} elseif ($h['type'] === FCGI_STDERR) {
				$r['stderr'] .= $content;
			} elseif ($h['type'] === FCGI_END_REQUEST) {
				$done = true;
			}
		}
		if (!$done && ($chunk === '' || $chunk === false) && feof($conn)) {
			$done = true; /* closed without END_REQUEST: counted as a bad answer below */
		}
		if ($done) {
			$latencies[] = (hrtime(true) - $r['start']) / 1e6;
			$body = trim(substr($r['stdout'], (int) strpos($r['stdout'], "\r\n\r\n") + 4));
			if (str_starts_with($body, 'ok') && $r['stderr'] === '') {
				$ok++;
			} else {
				$bad ??= substr($body . ' ' . $r['stderr'], 0, 300);
			}
			fclose($conn);
			unset($active[(int) $conn]);
		}
		unset($r);
	}
}
sort($latencies);
echo json_encode(['requests' => $requests, 'ok' => $ok, 'bad' => $bad, 'latencies_ms' => $latencies]), "\n";
exit($ok === $requests ? 0 : 1);

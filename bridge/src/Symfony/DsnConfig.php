<?php

declare(strict_types=1);

namespace NativeSmtp\Symfony;

use Symfony\Component\Mailer\Exception\InvalidArgumentException;
use Symfony\Component\Mailer\Transport\Dsn;

/**
 * A native+smtp(s):// DSN as an Smtp\Mailer config array. Host "default" leaves host, port
 * and encryption to the smtp.* INI (whose credentials are then used as well); otherwise
 * native+smtp means encryption=starttls (required: never Symfony's silent fallback to
 * plaintext) and native+smtps encryption=tls. Options are Mailer keys, plus Symfony's own
 * smtp:// options where they mean the same thing; an unknown option throws.
 */
final class DsnConfig
{
	private const STRINGS = ['auth', 'cafile', 'helo', 'from', 'from_name', 'spool', 'fallback', 'token', 'encryption'];
	private const BOOLS = ['allow_insecure_auth', 'verify_peer', 'keepalive', 'deferred', 'persistent'];
	/* Symfony's names for the same settings. */
	private const ALIASES = ['local_domain' => 'helo'];
	/* Symfony smtp:// tuning with nothing to do here: a kept-alive session the server closed
	 * is reopened once by the extension. Accepted so a DSN copied from smtp:// still works. */
	private const IGNORED = ['restart_threshold', 'restart_threshold_sleep', 'ping_threshold'];
	private const DKIM = ['dkim_domain' => 'domain', 'dkim_selector' => 'selector', 'dkim_key' => 'key',
		'dkim_algorithm' => 'algorithm'];

	/**
	 * @return array{0: array<string, mixed>, 1: ?float} the Mailer config, and max_per_second
	 */
	public static function fromDsn(Dsn $dsn): array
	{
		$config = [];
		if ($dsn->getHost() !== 'default') {
			$config['host'] = $dsn->getHost();
			$config['encryption'] = $dsn->getScheme() === 'native+smtps' ? 'tls' : 'starttls';
		} elseif ($dsn->getScheme() === 'native+smtps') {
			$config['encryption'] = 'tls';
		}
		if ($dsn->getPort() !== null) {
			$config['port'] = $dsn->getPort();
		}
		if (($user = $dsn->getUser()) !== null && $user !== '') {
			$config['username'] = $user;
		}
		if (($password = $dsn->getPassword()) !== null && $password !== '') {
			$config['password'] = $password;
		}
		$maxPerSecond = null;
		$dkim = [];
		foreach (self::options($dsn) as $key => $value) {
			$key = self::ALIASES[$key] ?? $key;
			if (!is_string($value)) {
				throw new InvalidArgumentException(sprintf('The "%s" option of a %s DSN must be a single value.', $key, $dsn->getScheme()));
			}
			if (in_array($key, self::STRINGS, true)) {
				$config[$key] = $value;
			} elseif (in_array($key, self::BOOLS, true)) {
				$config[$key] = self::bool($key, $value);
			} elseif ($key === 'timeout' || $key === 'max_per_second') {
				if (!is_numeric($value) || (float) $value < 0) {
					throw new InvalidArgumentException(sprintf('The "%s" option must be a number of seconds or messages, not "%s".', $key, $value));
				}
				if ($key === 'timeout') {
					$config['timeout'] = (float) $value;
				} else {
					$maxPerSecond = (float) $value;
				}
			} elseif (isset(self::DKIM[$key])) {
				$dkim[self::DKIM[$key]] = $value;
			} elseif (!in_array($key, self::IGNORED, true)) {
				throw new InvalidArgumentException(sprintf('Unknown option "%s" in a %s DSN; known: %s.', $key, $dsn->getScheme(),
					implode(', ', [...self::STRINGS, ...self::BOOLS, 'timeout', 'max_per_second', 'local_domain', ...array_keys(self::DKIM)])));
			}
		}
		if ($dkim !== []) {
			$config['dkim'] = $dkim;
		}
		return [$config, $maxPerSecond];
	}

	/**
	 * Every option of the DSN. Dsn has no public list of its options (5.4 to 7.4 alike), and
	 * a misspelt option must be an error, not a silently different configuration.
	 *
	 * @return array<string, mixed>
	 */
	private static function options(Dsn $dsn): array
	{
		return (fn (): array => $this->options)->call($dsn);
	}

	private static function bool(string $key, string $value): bool
	{
		$parsed = filter_var($value, FILTER_VALIDATE_BOOLEAN, FILTER_NULL_ON_FAILURE);
		if ($parsed === null) {
			throw new InvalidArgumentException(sprintf('The "%s" option must be true or false (1/0), not "%s".', $key, $value));
		}
		return $parsed;
	}
}

<?php

declare(strict_types=1);

namespace NativeSmtp\Laravel;

use Symfony\Component\Mailer\Transport\Dsn;

/**
 * A Laravel mailer config (config/mail.php, 'transport' => 'native-smtp') as a native+smtp DSN.
 * Either 'dsn' => 'native+smtp://...' alone, or Laravel's smtp keys: host, port, scheme
 * (Laravel 11: smtp | smtps), encryption (Laravel 10 and older: tls | ssl | none), username,
 * password, timeout, local_domain. No host means the smtp.* INI relay (native+smtp://default).
 * An encryption left empty means STARTTLS required, as native+smtp:// does; a server without
 * TLS needs 'encryption' => 'none'.
 */
final class LaravelConfig
{
	public static function toDsn(array $config): Dsn
	{
		if (isset($config['dsn']) && $config['dsn'] !== '') {
			return Dsn::fromString((string) $config['dsn']);
		}
		$port = isset($config['port']) && $config['port'] !== '' ? (int) $config['port'] : null;
		$encryption = strtolower((string) ($config['encryption'] ?? ''));
		$scheme = strtolower((string) ($config['scheme'] ?? ''));
		$implicit = $scheme === 'smtps' || $encryption === 'ssl' || $encryption === 'smtps'
			|| ($encryption === 'tls' && $port === 465);
		$options = [];
		if ($encryption === 'none') {
			$options['encryption'] = 'none';
		}
		if (isset($config['timeout']) && $config['timeout'] !== '') {
			$options['timeout'] = (string) $config['timeout'];
		}
		if (isset($config['local_domain']) && $config['local_domain'] !== '') {
			$options['helo'] = (string) $config['local_domain'];
		}
		$host = (string) ($config['host'] ?? '');
		return new Dsn($implicit ? 'native+smtps' : 'native+smtp', $host !== '' ? $host : 'default',
			isset($config['username']) && $config['username'] !== '' ? (string) $config['username'] : null,
			isset($config['password']) && $config['password'] !== '' ? (string) $config['password'] : null,
			$port, $options);
	}
}

<?php

declare(strict_types=1);

namespace NativeSmtp\Symfony;

use Symfony\Component\Mailer\Exception\InvalidArgumentException;
use Symfony\Component\Mailer\Exception\UnsupportedSchemeException;
use Symfony\Component\Mailer\Transport\AbstractTransportFactory;
use Symfony\Component\Mailer\Transport\Dsn;
use Symfony\Component\Mailer\Transport\TransportInterface;

/**
 * native+smtp://user:pass@host:587 (STARTTLS required), native+smtps://user:pass@host:465
 * (implicit TLS), native+smtp://default (the smtp.* INI settings, credentials included).
 * DSN options are Smtp\Mailer config keys (see DsnConfig); a bad one throws
 * InvalidArgumentException when the transport is made, not at the first send.
 */
final class NativeSmtpTransportFactory extends AbstractTransportFactory
{
	public function create(Dsn $dsn): TransportInterface
	{
		if (!in_array($dsn->getScheme(), $this->getSupportedSchemes(), true)) {
			throw new UnsupportedSchemeException($dsn, 'native', $this->getSupportedSchemes());
		}
		[$config, $maxPerSecond] = DsnConfig::fromDsn($dsn);
		try {
			$mailer = new \Smtp\Mailer($config);
		} catch (\Smtp\InvalidArgumentException $e) {
			throw new InvalidArgumentException($dsn->getScheme() . ': ' . $e->getMessage(), 0, $e);
		}
		$port = $dsn->getPort();
		$name = $dsn->getScheme() . '://' . $dsn->getHost() . ($port !== null ? ":$port" : '');
		$transport = new NativeSmtpTransport($mailer, $this->dispatcher, $this->logger, $name, (string) $dsn->getUser());
		if ($maxPerSecond !== null) {
			$transport->setMaxPerSecond($maxPerSecond);
		}
		return $transport;
	}

	protected function getSupportedSchemes(): array
	{
		return ['native+smtp', 'native+smtps'];
	}
}

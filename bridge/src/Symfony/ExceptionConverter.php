<?php

declare(strict_types=1);

namespace NativeSmtp\Symfony;

use Symfony\Component\Mailer\Exception\TransportException;
use Symfony\Component\Mailer\Exception\UnexpectedResponseException;

/**
 * The one place an Smtp\Exception becomes a Symfony TransportException: the SMTP reply code
 * is the exception's code, the redacted transcript its debug, the original its previous.
 */
final class ExceptionConverter
{
	public static function convert(\Smtp\Exception $e, string $username = ''): TransportException
	{
		$code = $e->smtpCode;
		if ($e instanceof \Smtp\AuthenticationException) {
			/* What Symfony's EsmtpTransport says on a refused login, so code and log
			 * searches written for it keep working; the server's reply follows. */
			$converted = new TransportException(sprintf('Failed to authenticate on SMTP server with username "%s": %s',
				$username, $e->getMessage()), $code > 0 ? $code : 535, $e);
		} elseif ($code > 0 && class_exists(UnexpectedResponseException::class)) {
			/* Symfony 6.3+ throws this subclass for a reply it did not expect. */
			$converted = new UnexpectedResponseException($e->getMessage(), $code, $e);
		} else {
			$converted = new TransportException($e->getMessage(), $code, $e);
		}
		$converted->appendDebug(implode("\n", $e->transcript) . "\n");
		return $converted;
	}
}

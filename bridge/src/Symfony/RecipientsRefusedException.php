<?php

declare(strict_types=1);

namespace NativeSmtp\Symfony;

use Symfony\Component\Mailer\Exception\TransportException;
use Symfony\Component\Mailer\Exception\UnexpectedResponseException;

/* The class Symfony itself throws for a reply it did not expect: UnexpectedResponseException
 * from Symfony 6.3, TransportException before. */
if (class_exists(UnexpectedResponseException::class)) {
	abstract class RecipientsRefusedBase extends UnexpectedResponseException
	{
	}
} else {
	abstract class RecipientsRefusedBase extends TransportException
	{
	}
}

/**
 * The server refused every recipient, each for good (5xx): nothing was sent, and sending again
 * gets the same refusals. A subclass of the exception Symfony throws for a refused recipient
 * (same message, the reply code as code), and Unrecoverable: Symfony Messenger does not retry it.
 * Refusals of which one is temporary (4xx) stay Symfony's own exception, which Messenger retries.
 */
final class RecipientsRefusedException extends RecipientsRefusedBase implements Unrecoverable
{
}

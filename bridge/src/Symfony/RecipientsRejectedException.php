<?php

declare(strict_types=1);

namespace NativeSmtp\Symfony;

use Symfony\Component\Mailer\Exception\TransportException;
use Symfony\Component\Mailer\SentMessage;

/**
 * The server refused some recipients and took the message for the others. Symfony reports a
 * refused recipient with a TransportException, so this is one too (code: the first refusal's
 * reply code); unlike Symfony's own SMTP transport, the message did go to the accepted
 * recipients: getSentMessage() has it, getRejected() the refusals. Sending it again would
 * reach the accepted recipients twice.
 */
final class RecipientsRejectedException extends TransportException
{
	/**
	 * @param array<string, string> $rejected address => the server's reply
	 * @param list<string> $accepted
	 */
	public function __construct(
		private readonly SentMessage $sentMessage,
		private readonly array $rejected,
		private readonly array $accepted,
	) {
		$refusals = [];
		foreach ($rejected as $address => $reply) {
			$refusals[] = "$address: $reply";
		}
		$first = (string) reset($rejected);
		parent::__construct(sprintf('The server refused %d recipient(s) and accepted the message for the other %d: %s',
			count($rejected), count($accepted), implode('; ', $refusals)), (int) substr($first, 0, 3));
		$this->appendDebug($sentMessage->getDebug());
	}

	public function getSentMessage(): SentMessage
	{
		return $this->sentMessage;
	}

	/** @return array<string, string> address => the server's reply */
	public function getRejected(): array
	{
		return $this->rejected;
	}

	/** @return list<string> */
	public function getAccepted(): array
	{
		return $this->accepted;
	}
}

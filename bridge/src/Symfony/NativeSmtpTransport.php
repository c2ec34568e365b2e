<?php

declare(strict_types=1);

namespace NativeSmtp\Symfony;

use Psr\EventDispatcher\EventDispatcherInterface;
use Psr\Log\LoggerInterface;
use Smtp\Mailer;
use Symfony\Component\Mailer\Exception\InvalidArgumentException;
use Symfony\Component\Mailer\SentMessage;
use Symfony\Component\Mailer\Transport\AbstractTransport;
use Symfony\Component\Mime\Address;

/**
 * A Symfony Mailer transport that hands each message, as Symfony built it, with the envelope
 * Symfony computed, to Smtp\Mailer::sendRaw(). Extending AbstractTransport keeps Symfony's
 * MessageEvent (and, from Symfony 6.2, SentMessageEvent and FailedMessageEvent) and
 * max_per_second throttling. One Smtp\Mailer per transport: a loop or a Messenger worker
 * sends over one kept-alive session.
 */
final class NativeSmtpTransport extends AbstractTransport
{
	public function __construct(
		private readonly Mailer $mailer,
		?EventDispatcherInterface $dispatcher = null,
		?LoggerInterface $logger = null,
		private readonly string $name = 'native+smtp://default',
		private readonly string $username = '',
	) {
		parent::__construct($dispatcher, $logger);
	}

	/** The Smtp\Mailer underneath (its transcript(), or sendMany() for batches). */
	public function getMailer(): Mailer
	{
		return $this->mailer;
	}

	/** Ends the kept-alive session now (it is reopened by the next send). */
	public function stop(): void
	{
		$this->mailer->close();
	}

	public function __toString(): string
	{
		return $this->name;
	}

	protected function doSend(SentMessage $message): void
	{
		$envelope = $message->getEnvelope();
		$recipients = array_map(static fn (Address $address): string => $address->getAddress(), $envelope->getRecipients());
		try {
			$receipt = $this->mailer->sendRaw($envelope->getSender()->getAddress(), $recipients, $message->toString());
		} catch (\Smtp\Exception $e) {
			throw ExceptionConverter::convert($e, $this->username);
		} catch (\Smtp\InvalidArgumentException $e) {
			throw new InvalidArgumentException($e->getMessage(), 0, $e);
		}
		if ($receipt->messageId !== '') {
			$message->setMessageId($receipt->messageId);
		}
		$debug = $this->mailer->transcript();
		if ($receipt->queued) {
			$debug[] = '* queued in the spool for a later try: ' . $receipt->response;
		}
		$message->appendDebug(implode("\n", $debug) . "\n");
		if ($receipt->rejected !== []) {
			throw new RecipientsRejectedException($message, $receipt->rejected, $receipt->accepted);
		}
	}
}

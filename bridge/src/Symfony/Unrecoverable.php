<?php

declare(strict_types=1);

namespace NativeSmtp\Symfony;

use Symfony\Component\Messenger\Exception\UnrecoverableExceptionInterface;

/*
 * Marks a failure that sending again cannot mend (or would make worse). Where Symfony Messenger
 * is installed this is its UnrecoverableExceptionInterface, so a worker sends the message to the
 * failure transport at once instead of retrying it; without Messenger it is a plain marker, and
 * the bridge needs no Messenger to load.
 */
if (interface_exists(UnrecoverableExceptionInterface::class)) {
	interface Unrecoverable extends UnrecoverableExceptionInterface
	{
	}
} else {
	interface Unrecoverable
	{
	}
}

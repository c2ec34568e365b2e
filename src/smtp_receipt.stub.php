<?php

/** @generate-class-entries */

namespace Smtp;

/**
 * What the relay said about one message. A message some recipients refused
 * is still delivered to the others: those refused are in $rejected.
 * @strict-properties
 * @not-serializable
 */
final class Receipt
{
    /** The Message-ID that went out, without angle brackets. */
    public readonly string $messageId;
    /** @var list<string> recipients the server accepted */
    public readonly array $accepted;
    /** @var array<string, string> recipient => the server's reply */
    public readonly array $rejected;
    /** true when the message was spooled for a later try instead of sent */
    public readonly bool $queued;
    /** the server's last reply (to the end of DATA), e.g. "250 2.0.0 Ok: queued as 4F2A" */
    public readonly string $response;

    private function __construct() {}
}

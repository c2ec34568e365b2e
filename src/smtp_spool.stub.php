<?php

/** @generate-class-entries */

namespace Smtp;

/**
 * A durable directory queue of messages a relay could not take yet. Each
 * message is one file, written atomically (tmp/, fsync, rename into queue/);
 * flush() retries what is due with exponential backoff and moves a message
 * to failed/ after a permanent failure or the maximum age.
 * @not-serializable
 */
final class Spool implements \Countable
{
    /**
     * Creates $dir and its tmp/, queue/ and failed/ areas (0700) as needed.
     * $options: max_age (seconds before a message is given up, default 172800),
     * retry_min (first backoff, default 60), retry_max (longest backoff, default 3600).
     */
    public function __construct(string $dir, array $options = []) {}

    /** Messages waiting in queue/. */
    public function count(): int {}

    /**
     * Tries up to $limit messages that are due (all of them with $force), oldest
     * first. Returns sent, deferred, failed, busy (held by another flusher),
     * waiting (not due yet), remaining (still queued) and errors (id => last error).
     */
    public function flush(Mailer $mailer, int $limit = 100, bool $force = false): array {}

    /**
     * The queued (or, with $failed, the given-up) messages, oldest first: id,
     * from, recipients, attempts, queued_at, next_try, last_error, size.
     */
    public function messages(bool $failed = false): array {}

    /**
     * One message by id, from queue/ or failed/: the fields of messages() plus
     * area ("queue" or "failed") and data (the message bytes); null when there
     * is no such message.
     */
    public function message(string $id): ?array {}

    /**
     * Moves a message from failed/ back into queue/, due now; its age starts
     * again (max_age counts from now), its attempts are kept. False when
     * failed/ has no such message.
     */
    public function retry(string $id): bool {}

    /**
     * Deletes the queued messages (the given-up ones with $failed) first queued
     * at least $olderThan seconds ago (0: all). A message a flusher is sending
     * is left alone. Returns how many were deleted.
     */
    public function purge(bool $failed = false, int $olderThan = 0): int {}
}

<?php

/** @generate-class-entries */

namespace Smtp;

/**
 * A mutable e-mail message builder; every setter returns $this.
 *
 * to(), cc(), bcc() and replyTo() add one address per call; from(),
 * returnPath(), subject(), text() and html() replace. The Date, the
 * Message-ID and the MIME boundaries are fixed the first time the message is
 * rendered (toString(), writeTo(), messageId() or a send) and kept for this
 * object, so every rendering of unchanged content gives the same bytes; a
 * clone gets its own.
 * @not-serializable
 */
class Message
{
    public function __construct() {}

    public function from(string $address, ?string $name = null): static {}

    public function to(string $address, ?string $name = null): static {}

    public function cc(string $address, ?string $name = null): static {}

    /** Envelope recipient only: never written into the message. */
    public function bcc(string $address, ?string $name = null): static {}

    public function replyTo(string $address, ?string $name = null): static {}

    /** The envelope sender (MAIL FROM); From is used when none is set. */
    public function returnPath(string $address): static {}

    public function subject(string $subject): static {}

    public function text(string $body): static {}

    public function html(string $body): static {}

    /** The file is checked now and read when the message is sent or rendered. */
    public function attach(string $path, ?string $name = null, ?string $type = null): static {}

    public function attachData(string $data, string $name, ?string $type = null): static {}

    /** An inline part the html refers to as "cid:$cid". */
    public function embed(string $path, string $cid, ?string $name = null, ?string $type = null): static {}

    /**
     * Adds a header. The headers the builder writes itself (From, To, Cc,
     * Bcc, Reply-To, Subject, Date, Message-ID, MIME-Version, Return-Path,
     * Content-Type, Content-Transfer-Encoding) are refused: use their setters.
     */
    public function header(string $name, string $value): static {}

    public function toString(): string {}

    /**
     * Writes the message to a stream in chunks, never holding it whole.
     * @param resource $stream
     * @return int the number of bytes written
     */
    public function writeTo($stream): int {}

    /** The Message-ID, without angle brackets (fixed on first use). */
    public function messageId(): string {}
}

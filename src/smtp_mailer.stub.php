<?php

/** @generate-class-entries */

namespace Smtp;

/**
 * Sends messages through one SMTP relay (or a fallback), keeping the
 * connection open between sends. Secure by default: STARTTLS is required,
 * certificates are verified, credentials never cross a plaintext connection.
 * @not-serializable
 */
class Mailer
{
    /**
     * $config is a DSN such as "smtp://user:pass@host:587", or an array of
     * config keys; a key not given falls back to its smtp.* INI setting.
     * OAuth 2.0 (auth xoauth2 or oauthbearer): "token" is an access token or
     * a callable fn(bool $refresh): string, asked again once with true after
     * the server refused its token; "oauth" (token_url, client_id,
     * client_secret, refresh_token, scope, on_refresh_token) lets the
     * extension fetch and cache the tokens itself. All of it is a secret:
     * never in a trace, a transcript or a log.
     */
    public function __construct(#[\SensitiveParameter] array|string $config = []) {}

    /** Sends a built message: envelope from its Return-Path or From, recipients To + Cc + Bcc. */
    public function send(Message $message): Receipt {}

    /** Sends RFC 5322 text as it is (bare CR or LF become CRLF) to one or more recipients. */
    public function sendRaw(string $from, array|string $recipients, string $data): Receipt {}

    /**
     * Sends many messages over up to $concurrency connections at once; the
     * result has the same keys in the same order, a Receipt or an Exception each.
     */
    public function sendMany(array $messages, int $concurrency = 4): array {}

    /** The last session's lines as sent and received, credentials shown as ***. */
    public function transcript(): array {}

    /** Says QUIT and closes the connection; the next send opens a new one. */
    public function close(): void {}
}

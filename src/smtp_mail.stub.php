<?php

/** @generate-class-entries */

/**
 * What happened to the last message mail() sent through SMTP in this request
 * (smtp.override_mail=1), or null when none was tried yet. Keys: ok, code,
 * reply, error, message_id, from, recipients, accepted, rejected, transcript
 * (redacted: no password ever appears in it).
 * @return array<string, mixed>|null
 */
function smtp_last_result(): ?array {}

/**
 * The sessions this process keeps for later requests (`persistent`), each:
 * destination ("host:port (encryption)"), username, age and idle (seconds),
 * messages (sent over it). Never a secret.
 * @return list<array{destination: string, username: string, age: float, idle: float, messages: int}>
 */
function smtp_persistent_sessions(): array {}

<?php

/** @generate-class-entries */

namespace Smtp;

/**
 * Every failure to deliver. smtpCode, enhancedStatus and temporary come from
 * the server's reply where there was one; transcript is the session so far,
 * with credentials shown as ***.
 */
class Exception extends \RuntimeException
{
    public readonly int $smtpCode;
    public readonly string $enhancedStatus;
    public readonly bool $temporary;
    public readonly array $transcript;
}

/** The relay could not be reached, or the line dropped or stalled. */
class ConnectionException extends Exception
{
}

/** TLS could not be set up: no STARTTLS offered, a refused STARTTLS, a bad certificate. */
class TlsException extends Exception
{
}

/** The server refused the credentials, or offered no way to send them safely. */
class AuthenticationException extends Exception
{
}

/** The server accepted none of the recipients. */
class RecipientException extends Exception
{
    /** @var array<string, string> address => the server's reply */
    public readonly array $rejected;
}

/** Bad input: an invalid address, CR/LF in a header, an unknown config key. */
class InvalidArgumentException extends \InvalidArgumentException
{
}

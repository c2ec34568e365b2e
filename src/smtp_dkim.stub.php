<?php

/** @generate-class-entries */

namespace Smtp;

/**
 * DKIM helpers: make a key pair and the DNS record to publish, and sign a
 * message outside a Mailer. A Mailer with a `dkim` config (or the smtp.dkim_*
 * INI settings) signs every message it sends by itself.
 * @not-serializable
 */
final class Dkim
{
    private function __construct() {}

    /**
     * Makes a new private key and the TXT record for it.
     * @param string $algorithm rsa-sha256 or ed25519-sha256
     * @param int $bits RSA key size, 1024 to 8192 (ignored for Ed25519)
     * @return array{algorithm: string, private_key: string, dns_record: string}
     *   private_key is PKCS#8 PEM; dns_record is "v=DKIM1; k=...; p=..."
     */
    public static function generateKey(string $algorithm = "rsa-sha256", int $bits = 2048): array {}

    /** The TXT record for a private key (PEM, or a path to a file holding one). */
    public static function dnsRecord(#[\SensitiveParameter] string $key): string {}

    /** Where the record goes: "<selector>._domainkey.<domain>". */
    public static function dnsName(string $selector, string $domain): string {}

    /**
     * Signs an RFC 5322 message: returns it with CRLF line ends and the
     * DKIM-Signature field(s) in front. $config is what a Mailer's `dkim`
     * key takes: one array (domain, selector, key, algorithm) or a list.
     * $time sets t= (default: now).
     */
    public static function sign(string $message, #[\SensitiveParameter] array $config, ?int $time = null): string {}
}

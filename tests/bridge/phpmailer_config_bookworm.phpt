--TEST--
PHPMailer 6.6 (Debian 12): Host forms, backup host, Helo, SMTPAutoTLS, SMTPOptions, XOAUTH2, Mailer 'native', NativeConfig and setNativeMailer() map to the extension's config
--EXTENSIONS--
smtp
--FILE--
<?php
require __DIR__ . '/bridge.inc';
bridge_load('phpmailer', 'bookworm');
require __DIR__ . '/phpmailer_config.inc';
?>
--EXPECT--
tls://127.0.0.1:PORT: true tls=true helo.example
ssl://127.0.0.1:PORT: true tls=true helo.example
unknown CA: false
verify_peer off: true
plaintext with SMTPAutoTLS: false SMTP Error: Could not connect to SMTP host. TLS is required but 127.0.0.1:PORT did not start it: STARTTLS not supported. (SMTPAutoTLS asks for STARTTLS and a server that does not offer it is refused: set SMTPAutoTLS = false for a relay without TLS)
plaintext, SMTPAutoTLS off: true
Host localhost: true ''
second host: true ''
XOAUTH2: true '' user
Mailer 'native': true native.example
setNativeMailer: shared.example shared.example same session: true
bad setting: false Config key "encryption" must be starttls, tls or none, "sometimes" given

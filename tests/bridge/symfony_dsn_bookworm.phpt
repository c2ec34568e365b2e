--TEST--
Symfony Mailer 5.4 (Debian 12): native+smtp://default uses the smtp.* INI, native+smtps:// is implicit TLS, DSN options map to Mailer keys, bad ones throw
--EXTENSIONS--
smtp
--FILE--
<?php
require __DIR__ . '/bridge.inc';
bridge_load('symfony', 'bookworm');
require __DIR__ . '/symfony_dsn.inc';
?>
--EXPECT--
native+smtp://default
INI relay: client.example ann@y.test
native+smtps://127.0.0.1:PORT
implicit TLS: true h.example signed: true
native+smtp://h.test?verify=0: InvalidArgumentException: Unknown option "verify" in a native+smtp DSN; known: auth, cafile, helo, from, from_name, spool, fallback, token, encryption, allow_insecure_auth, verify_peer, keepalive, deferred, persistent, timeout, max_per_second, local_domain, dkim_domain, dkim_selector, dkim_key, dkim_algorithm.
native+smtp://h.test?verify_peer=maybe: InvalidArgumentException: The "verify_peer" option must be true or false (1/0), not "maybe".
native+smtp://h.test?timeout=soon: InvalidArgumentException: The "timeout" option must be a number of seconds or messages, not "soon".
native+smtp://h.test?encryption=sometimes: InvalidArgumentException: native+smtp: Config key "encryption" must be starttls, tls or none, "sometimes" given
native+smtp://h.test?options[]=1: InvalidArgumentException: The "options" option of a native+smtp DSN must be a single value.
smtp://h.test: UnsupportedSchemeException: The "smtp" scheme is not supported; supported schemes for mailer "native" are: "native+smtp", "native+smtps".
supports native+smtps: true

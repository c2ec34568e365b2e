<?php

declare(strict_types=1);

namespace NativeSmtp;

/**
 * PHPMailer, sending through the smtp extension: change `new PHPMailer\PHPMailer\PHPMailer(...)`
 * to `new NativeSmtp\PHPMailer(...)` and keep everything else. PHPMailer still builds the whole
 * message (headers, MIME, DKIM, its checks); only the hand-over to the server changes: with
 * isSMTP() (or Mailer = 'native') the finished message goes to Smtp\Mailer::sendRaw() with
 * PHPMailer's envelope (Sender, else From; every To, Cc and Bcc). Errors come back the
 * PHPMailer way: send() returns false with ErrorInfo set, or throws PHPMailer\PHPMailer\Exception
 * when exceptions are on (its previous is the Smtp\Exception, with smtpCode); refused recipients
 * give "recipients_failed" after the others got the message, and action_function hears about
 * each recipient.
 *
 * Host (with ;-separated backups, ssl:// or tls:// prefixes and :port), Port, SMTPSecure,
 * SMTPAutoTLS, SMTPAuth, Username, Password, AuthType (XOAUTH2 with setOAuth() too), Timeout,
 * Helo/Hostname, SMTPKeepAlive, SMTPDebug/Debugoutput and SMTPOptions['ssl'] (verify_peer,
 * verify_peer_name, allow_self_signed, cafile) are mapped in nativeConfig(); NativeConfig adds
 * Smtp\Mailer keys PHPMailer has no property for (dkim, spool, fallback, allow_insecure_auth, ...).
 */
class PHPMailer extends \PHPMailer\PHPMailer\PHPMailer
{
	use PHPMailerNative;
}

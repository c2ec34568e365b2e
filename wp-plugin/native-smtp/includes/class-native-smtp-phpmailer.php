<?php
/**
 * PHPMailer subclass whose "nativesmtp" mailer sends through the smtp extension.
 * Loaded only after WordPress's PHPMailer (see Native_SMTP_Transport::load_phpmailer()).
 *
 * @package Native_SMTP
 */

defined( 'ABSPATH' ) || exit;

// Our parent is WordPress's own PHPMailer subclass where it has one (6.8+, translated messages),
// else PHPMailer itself (6.1 to 6.7): one class name for the rest of the plugin either way.
if ( class_exists( 'WP_PHPMailer', false ) ) {
	/**
	 * The parent on WordPress 6.8+.
	 */
	abstract class Native_SMTP_PHPMailer_Base extends WP_PHPMailer {} // phpcs:ignore Generic.Files.OneObjectStructurePerFile.MultipleFound
} else {
	/**
	 * The parent before WordPress 6.8.
	 */
	abstract class Native_SMTP_PHPMailer_Base extends PHPMailer\PHPMailer\PHPMailer {} // phpcs:ignore Generic.Files.OneObjectStructurePerFile.MultipleFound
}

/**
 * WordPress's PHPMailer, with one more mailer. Everything up to the finished MIME message is
 * PHPMailer's own work; the hand-over (envelope, errors the PHPMailer way, action_function per
 * recipient) is the bridge's NativeSmtp\PHPMailerNative, the same code as NativeSmtp\PHPMailer
 * (a trait, because our parent must stay WP_PHPMailer); only the delivery itself is ours:
 * Native_SMTP_Transport::send_raw(), with the settings, log, queue and wp_mail_failed details.
 */
class Native_SMTP_PHPMailer extends Native_SMTP_PHPMailer_Base {

	use NativeSmtp\PHPMailerNative;

	/**
	 * Whether Sender was set by our Return-Path setting (cleared before the next email).
	 *
	 * @var bool
	 */
	public $native_smtp_set_sender = false;

	/**
	 * Called by PHPMailer::postSend() when Mailer is "nativesmtp" (it calls "{$Mailer}Send").
	 * As with PHPMailer's SMTP mailer, the header block already holds To, Cc and Subject, never Bcc.
	 *
	 * @param string $header The header block.
	 * @param string $body   The encoded body.
	 * @return bool true: every recipient was accepted.
	 * @throws PHPMailer\PHPMailer\Exception When the message was not delivered to every recipient.
	 */
	public function nativesmtpSend( $header, $body ) { // phpcs:ignore WordPress.NamingConventions.ValidFunctionName.MethodNameInvalid -- PHPMailer calls "{$Mailer}Send".
		return $this->nativeSend( $header, $body );
	}

	/**
	 * The bridge's hand-over, routed through the plugin's transport.
	 *
	 * @param string   $from       MAIL FROM.
	 * @param string[] $recipients RCPT TO (To, Cc and Bcc).
	 * @param string   $data       The message: headers, blank line, body.
	 * @return \Smtp\Receipt
	 * @throws PHPMailer\PHPMailer\Exception For anything but the extension's own exceptions (which the bridge turns into PHPMailer's).
	 */
	protected function nativeDeliver( string $from, array $recipients, string $data ): \Smtp\Receipt { // phpcs:ignore WordPress.NamingConventions.ValidFunctionName.MethodNameInvalid -- the bridge's name.
		try {
			return Native_SMTP_Transport::send_raw( $from, $recipients, $data );
		} catch ( \Smtp\Exception | \Smtp\InvalidArgumentException $e ) {
			throw $e;
		} catch ( \Throwable $e ) {
			// Anything else (a TypeError, an Error in a filter): wp_mail() only catches PHPMailer's
			// exception, and a fatal in wp_mail() takes the whole request down.
			throw new PHPMailer\PHPMailer\Exception( $e->getMessage(), self::STOP_CRITICAL, $e );
		}
	}
}

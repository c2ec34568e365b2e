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
 * PHPMailer's own work; only the hand-over to the network is the extension's.
 */
class Native_SMTP_PHPMailer extends Native_SMTP_PHPMailer_Base {

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
	 * @throws PHPMailer\PHPMailer\Exception When the extension could not deliver; its code is the SMTP reply code.
	 */
	public function nativesmtpSend( $header, $body ) { // phpcs:ignore WordPress.NamingConventions.ValidFunctionName.MethodNameInvalid -- PHPMailer calls "{$Mailer}Send".
		// phpcs:disable WordPress.NamingConventions.ValidVariableName.UsedPropertyNotSnakeCase -- PHPMailer's names.
		$envelope_from = '' !== $this->Sender ? $this->Sender : $this->From;
		$recipients    = array();
		foreach ( array( $this->getToAddresses(), $this->getCcAddresses(), $this->getBccAddresses() ) as $group ) {
			foreach ( $group as $address ) {
				$recipients[] = $address[0];
			}
		}
		$data = rtrim( $header, "\r\n " ) . static::$LE . static::$LE . $body;

		try {
			$receipt = Native_SMTP_Transport::send_raw( $envelope_from, $recipients, $data );
		} catch ( \Smtp\Exception $e ) {
			$this->report_to_callback( false, $body );
			throw new PHPMailer\PHPMailer\Exception( self::describe( $e ), (int) $e->smtpCode, $e );
		} catch ( \Throwable $e ) {
			// Anything else (a setting the extension refused, a TypeError, an Error in a filter): wp_mail()
			// only catches PHPMailer's exception, and a fatal in wp_mail() takes the whole request down.
			$this->report_to_callback( false, $body );
			throw new PHPMailer\PHPMailer\Exception( $e->getMessage(), 0, $e );
		}

		$this->report_to_callback( true, $body );
		if ( ! empty( $receipt->rejected ) ) {
			// Delivered to the others; report the refused ones as PHPMailer's SMTP mailer does.
			$refused = array();
			foreach ( $receipt->rejected as $address => $reply ) {
				$refused[] = $address . ': ' . $reply;
			}
			throw new PHPMailer\PHPMailer\Exception( $this->lang( 'recipients_failed' ) . implode( ', ', $refused ), self::STOP_CONTINUE );
		}
		return true;
		// phpcs:enable
	}

	/**
	 * The error text wp_mail_failed and Send Test show: the server's reply with its code.
	 *
	 * @param \Smtp\Exception $e The failure.
	 * @return string
	 */
	private static function describe( $e ) {
		$message = $e->getMessage();
		$code    = (int) $e->smtpCode; // phpcs:ignore WordPress.NamingConventions.ValidVariableName.UsedPropertyNotSnakeCase
		if ( $code > 0 && false === strpos( $message, (string) $code ) ) {
			$message = sprintf( 'SMTP %d: %s', $code, $message );
		}
		return $message;
	}

	/**
	 * Tells a PHPMailer action_function callback what happened, as PHPMailer's own mailers do.
	 *
	 * @param bool   $sent Whether it was sent.
	 * @param string $body The body.
	 */
	private function report_to_callback( $sent, $body ) {
		// phpcs:disable WordPress.NamingConventions.ValidVariableName.UsedPropertyNotSnakeCase
		$this->doCallback( $sent, $this->to, $this->cc, $this->bcc, $this->Subject, $body, $this->From, array() );
		// phpcs:enable
	}
}

<?php
/**
 * The mail path: makes wp_mail() hand its message to the smtp extension.
 *
 * Design: WordPress keeps building the message with PHPMailer (so every core filter and
 * every phpmailer_init customisation still applies: From, Reply-To, attachments, DKIM,
 * charset, content type), and only the last step changes. The global $phpmailer becomes a
 * Native_SMTP_PHPMailer whose Mailer is "nativesmtp"; PHPMailer then calls its
 * nativesmtpSend(), the bridge's hand-over (NativeSmtp\PHPMailerNative), which gives the
 * finished message to send_raw() here and so to Smtp\Mailer::sendRaw(). The bridge turns an
 * Smtp\Exception into PHPMailer's exception (PHPMailer's wording, then the server's reply), so
 * wp_mail() fires wp_mail_failed as usual; this class adds the SMTP reply code, enhanced status,
 * reply and redacted transcript to that WP_Error's data.
 *
 * @package Native_SMTP
 */

defined( 'ABSPATH' ) || exit;

/**
 * Builds the extension's config from the settings and keeps one Smtp\Mailer per request.
 */
class Native_SMTP_Transport {

	/** PHPMailer's Mailer value that routes send() to Native_SMTP_PHPMailer::nativesmtpSend(). */
	const MAILER = 'nativesmtp';

	/**
	 * The one mailer of this request (keepalive: several wp_mail() calls share a connection).
	 *
	 * @var object|null Smtp\Mailer
	 */
	private static $mailer = null;

	/**
	 * Hash of the config self::$mailer was built with; a changed setting builds a new one.
	 *
	 * @var string
	 */
	private static $mailer_config_hash = '';

	/**
	 * The failure of the last wp_mail() that went through the extension, if it failed.
	 *
	 * @var Throwable|null
	 */
	private static $last_failure = null;

	/**
	 * The redacted transcript of the last send through the extension.
	 *
	 * @var string[]
	 */
	private static $last_transcript = array();

	/**
	 * What the extension did with the last wp_mail() when it queued it instead of delivering:
	 * message_id, spool_id, reason. Null when it was not queued.
	 *
	 * @var array<string, string>|null
	 */
	private static $last_queued = null;

	/**
	 * The Message-ID of the last message the relay accepted in this request.
	 *
	 * @var string
	 */
	private static $last_message_id = '';

	/**
	 * Above 0 while without_spool() runs: sends then fail instead of queueing (Send Test, alerts).
	 *
	 * @var int
	 */
	private static $spool_bypass = 0;

	/**
	 * Hooks into wp_mail(). Does nothing visible unless the extension is loaded and the settings are complete.
	 */
	public static function register_hooks() {
		add_filter( 'pre_wp_mail', array( __CLASS__, 'prepare' ), PHP_INT_MAX );
		add_action( 'phpmailer_init', array( __CLASS__, 'route_phpmailer' ), PHP_INT_MAX );
		add_filter( 'wp_mail_from', array( __CLASS__, 'filter_from' ), PHP_INT_MAX );
		add_filter( 'wp_mail_from_name', array( __CLASS__, 'filter_from_name' ), PHP_INT_MAX );
		// Early, so every other wp_mail_failed listener already sees the SMTP details.
		add_action( 'wp_mail_failed', array( __CLASS__, 'add_smtp_details' ), -1000 );
	}

	/**
	 * Whether the smtp extension is loaded.
	 *
	 * @return bool
	 */
	public static function extension_loaded() {
		return class_exists( 'Smtp\Mailer' );
	}

	/**
	 * Whether wp_mail() goes through the extension right now.
	 *
	 * @return bool
	 */
	public static function is_active() {
		return self::extension_loaded() && Native_SMTP_Options::is_complete();
	}

	/**
	 * The extension's config for the current settings. The plugin's None / SSL / TLS map to
	 * the extension's none / tls (implicit TLS) / starttls.
	 *
	 * @return array<string, mixed>
	 */
	public static function config() {
		$settings = Native_SMTP_Options::all();
		$config   = Native_SMTP_Connections::config( $settings );
		Native_SMTP_Crypto::wipe( $settings['password'] );
		$config['timeout'] = (float) ( defined( 'NATIVE_SMTP_TIMEOUT' ) ? NATIVE_SMTP_TIMEOUT : 15 );
		// For tests and private relays: an extra CA bundle.
		if ( defined( 'NATIVE_SMTP_CAFILE' ) && '' !== NATIVE_SMTP_CAFILE ) {
			$config['cafile'] = NATIVE_SMTP_CAFILE;
		}
		$dkim = Native_SMTP_Dkim::mailer_config();
		if ( null !== $dkim ) {
			$config['dkim'] = $dkim;
		}
		if ( 0 === self::$spool_bypass && Native_SMTP_Queue::enabled() ) {
			$spool = Native_SMTP_Queue::prepare_dir();
			if ( '' !== $spool ) {
				$config['spool'] = $spool;
			}
		}
		/**
		 * Filters the config handed to new Smtp\Mailer() (see the extension's API for the keys).
		 *
		 * @param array $config Config keys.
		 */
		return apply_filters( 'native_smtp_mailer_config', $config );
	}

	/**
	 * The Smtp\Mailer of this request, built on first use.
	 *
	 * @return object Smtp\Mailer
	 */
	public static function mailer() {
		$config = self::config();
		$hash   = hash( 'sha256', serialize( $config ) ); // phpcs:ignore WordPress.PHP.DiscouragedPHPFunctions.serialize_serialize, Generic.PHP.ForbiddenFunctions.Found -- only hashed (JSON would turn a password that is not UTF-8 into false).
		if ( null === self::$mailer || $hash !== self::$mailer_config_hash ) {
			self::reset_mailer();
			$class                    = 'Smtp\Mailer';
			self::$mailer             = new $class( $config );
			self::$mailer_config_hash = $hash;
		}
		self::wipe_secrets( $config );
		return self::$mailer;
	}

	/**
	 * A Mailer of its own for Smtp\Spool::flush(): the same relay, DKIM and credentials, no spool
	 * (flush() decides itself what goes back into the queue). The caller closes it.
	 *
	 * @return object Smtp\Mailer
	 */
	public static function flush_mailer() {
		++self::$spool_bypass;
		try {
			$config = self::config();
		} finally {
			--self::$spool_bypass;
		}
		$class  = 'Smtp\Mailer';
		$mailer = new $class( $config );
		self::wipe_secrets( $config );
		return $mailer;
	}

	/**
	 * Runs $send with queueing off: a temporary failure is then reported, not queued. For Send Test
	 * (an admin wants to know now) and the failure alert (it must never loop through a failing queue).
	 *
	 * @param callable $send What sends.
	 * @return mixed What $send returned.
	 */
	public static function without_spool( callable $send ) {
		++self::$spool_bypass;
		try {
			return $send();
		} finally {
			--self::$spool_bypass;
		}
	}

	/**
	 * Wipes our copies of the password and DKIM keys (the Mailer keeps its own).
	 *
	 * @param array $config A config from config().
	 */
	private static function wipe_secrets( array &$config ) {
		if ( isset( $config['password'] ) ) {
			Native_SMTP_Crypto::wipe( $config['password'] );
		}
		if ( isset( $config['dkim'] ) && is_array( $config['dkim'] ) ) {
			foreach ( $config['dkim'] as &$signer ) {
				if ( isset( $signer['key'] ) && is_string( $signer['key'] ) ) {
					Native_SMTP_Crypto::wipe( $signer['key'] );
				}
			}
			unset( $signer );
		}
	}

	/**
	 * Closes and forgets the mailer (settings changed, or a test wants a fresh connection).
	 */
	public static function reset_mailer() {
		if ( null !== self::$mailer ) {
			try {
				self::$mailer->close();
			} catch ( Throwable $ignored ) { // phpcs:ignore Generic.CodeAnalysis.EmptyStatement.DetectedCatch -- closing is best effort.
			}
		}
		self::$mailer             = null;
		self::$mailer_config_hash = '';
	}

	/**
	 * Runs at the start of every wp_mail(): forgets the last failure and, when active, puts our
	 * PHPMailer subclass in place of the global one.
	 *
	 * @param null|bool $short_circuit What other pre_wp_mail filters decided; passed on unchanged.
	 * @return null|bool
	 */
	public static function prepare( $short_circuit ) {
		self::$last_failure    = null;
		self::$last_transcript = array();
		self::$last_queued     = null;
		self::$last_message_id = '';
		if ( null !== $short_circuit || ! self::is_active() ) {
			return $short_circuit;
		}
		global $phpmailer;
		self::load_phpmailer();
		if ( ! ( $phpmailer instanceof Native_SMTP_PHPMailer ) ) {
			$phpmailer = new Native_SMTP_PHPMailer( true ); // phpcs:ignore WordPress.WP.GlobalVariablesOverride.Prohibited -- the documented way to change wp_mail()'s transport.
			// As wp_mail() does for its own instance: WordPress's notion of a valid address.
			$phpmailer::$validator = static function ( $email ) {
				return (bool) is_email( $email );
			};
		} elseif ( $phpmailer->native_smtp_set_sender ) {
			// wp_mail() reuses the instance and never clears Sender: drop the one our Return-Path set
			// for the previous email, or it would stick to this one even with Return-Path off.
			$phpmailer->Sender                 = ''; // phpcs:ignore WordPress.NamingConventions.ValidVariableName.UsedPropertyNotSnakeCase
			$phpmailer->native_smtp_set_sender = false;
		}
		return $short_circuit;
	}

	/**
	 * Loads WordPress's PHPMailer and our subclass of it.
	 */
	public static function load_phpmailer() {
		// Each on its own: code that loaded PHPMailer before us may not have loaded SMTP, which the
		// bridge's hand-over needs.
		foreach ( array( 'PHPMailer', 'SMTP', 'Exception' ) as $name ) {
			if ( ! class_exists( 'PHPMailer\\PHPMailer\\' . $name, false ) ) {
				require_once ABSPATH . WPINC . '/PHPMailer/' . $name . '.php';
			}
		}
		// WordPress 6.8+ has its own subclass (translated error messages); ours extends it there.
		if ( ! class_exists( 'WP_PHPMailer', false ) && is_readable( ABSPATH . WPINC . '/class-wp-phpmailer.php' ) ) {
			require_once ABSPATH . WPINC . '/class-wp-phpmailer.php';
		}
		// The bridge's PHPMailer hand-over (bridge/src/PHPMailerNative.php, shipped inside the plugin
		// because a plugin cannot count on Composer), unless an application loaded the bridge first.
		if ( ! trait_exists( 'NativeSmtp\PHPMailerNative', false ) ) {
			require_once NATIVE_SMTP_PLUGIN_DIR . 'vendor/native-smtp-bridge/PHPMailerNative.php';
		}
		require_once NATIVE_SMTP_PLUGIN_DIR . 'includes/class-native-smtp-phpmailer.php';
	}

	/**
	 * Last in phpmailer_init: wp_mail() has called isMail(); send through the extension instead,
	 * after every other customisation ran.
	 *
	 * @param object $phpmailer PHPMailer\PHPMailer\PHPMailer.
	 */
	public static function route_phpmailer( $phpmailer ) {
		if ( ! ( $phpmailer instanceof Native_SMTP_PHPMailer ) || ! self::is_active() ) {
			return;
		}
		$phpmailer->Mailer = self::MAILER; // phpcs:ignore WordPress.NamingConventions.ValidVariableName.UsedPropertyNotSnakeCase
		if ( Native_SMTP_Options::get( 'return_path' ) ) {
			// Return-Path: bounces go to the From address.
			$phpmailer->Sender                 = $phpmailer->From; // phpcs:ignore WordPress.NamingConventions.ValidVariableName.UsedPropertyNotSnakeCase
			$phpmailer->native_smtp_set_sender = true;
		}
	}

	/**
	 * From Email: ours when forced, or when nobody changed WordPress's default wordpress@host.
	 *
	 * @param string $from The From address so far.
	 * @return string
	 */
	public static function filter_from( $from ) {
		$ours = Native_SMTP_Options::get( 'from_email' );
		if ( '' === $ours || ! is_email( $ours ) ) {
			return $from;
		}
		if ( Native_SMTP_Options::get( 'force_from_email' ) || self::is_default_from( $from ) ) {
			return $ours;
		}
		return $from;
	}

	/**
	 * From Name: ours when forced, or when the name is still WordPress's default "WordPress".
	 *
	 * @param string $name The From name so far.
	 * @return string
	 */
	public static function filter_from_name( $name ) {
		$ours = Native_SMTP_Options::get( 'from_name' );
		if ( '' === $ours ) {
			return $name;
		}
		if ( Native_SMTP_Options::get( 'force_from_name' ) || 'WordPress' === $name ) {
			return $ours;
		}
		return $name;
	}

	/**
	 * Whether an address is the one wp_mail() makes up (wordpress@ + the site's host without www.).
	 *
	 * @param string $from Address.
	 * @return bool
	 */
	private static function is_default_from( $from ) {
		$sitename = wp_parse_url( network_home_url(), PHP_URL_HOST );
		if ( null !== $sitename && 'www.' === substr( $sitename, 0, 4 ) ) {
			$sitename = substr( $sitename, 4 );
		}
		return strtolower( (string) $from ) === strtolower( 'wordpress@' . $sitename );
	}

	/**
	 * Called by Native_SMTP_PHPMailer with the finished message.
	 *
	 * @param string   $envelope_from MAIL FROM.
	 * @param string[] $recipients    RCPT TO (To, Cc and Bcc).
	 * @param string   $data          The message: headers, blank line, body.
	 * @return object Smtp\Receipt
	 * @throws Throwable What the extension threw (remembered for wp_mail_failed and Send Test).
	 */
	public static function send_raw( $envelope_from, array $recipients, $data ) {
		$mailer = null;
		try {
			$mailer                = self::mailer();
			$receipt               = $mailer->sendRaw( $envelope_from, $recipients, $data );
			self::$last_transcript = $mailer->transcript();
			if ( $receipt->queued ) {
				// Kept for a later try: wp_mail() returns true, the log says "queued", WP-Cron retries.
				self::$last_queued = array(
					'message_id' => (string) $receipt->messageId, // phpcs:ignore WordPress.NamingConventions.ValidVariableName.UsedPropertyNotSnakeCase
					'spool_id'   => Native_SMTP_Queue::find_spool_id( $envelope_from, $recipients ),
					'reason'     => (string) $receipt->response,
				);
			} else {
				self::$last_message_id = (string) $receipt->messageId; // phpcs:ignore WordPress.NamingConventions.ValidVariableName.UsedPropertyNotSnakeCase
				self::record_last_send( true, '' );
			}
			return $receipt;
		} catch ( Throwable $failure ) {
			self::$last_failure    = $failure;
			self::$last_transcript = self::transcript_of( $failure, $mailer );
			self::record_last_send( false, $failure->getMessage() );
			throw $failure;
		}
	}

	/**
	 * The redacted transcript of a failure: the exception's own, else the mailer's.
	 *
	 * @param Throwable   $failure What was thrown.
	 * @param object|null $mailer  Smtp\Mailer, if one was built.
	 * @return string[]
	 */
	private static function transcript_of( $failure, $mailer ) {
		if ( $failure instanceof \Smtp\Exception && ! empty( $failure->transcript ) ) {
			return $failure->transcript;
		}
		if ( null !== $mailer ) {
			try {
				return $mailer->transcript();
			} catch ( Throwable $ignored ) {
				return array();
			}
		}
		return array();
	}

	/**
	 * Keeps the outcome of the last send for Site Health.
	 *
	 * @param bool   $ok    Whether it was accepted.
	 * @param string $error The error, if not.
	 */
	private static function record_last_send( $ok, $error ) {
		// Not one database write per email: only when the outcome changes, or once an hour to keep
		// Site Health's "last email at ..." roughly current.
		$last = get_option( 'native_smtp_last_send' );
		if ( is_array( $last ) && (bool) $last['ok'] === (bool) $ok && (string) $last['error'] === (string) $error && time() - (int) $last['time'] < HOUR_IN_SECONDS ) {
			return;
		}
		update_option(
			'native_smtp_last_send',
			array(
				'ok'    => $ok,
				'time'  => time(),
				'error' => $error,
			),
			false
		);
	}

	/**
	 * The failure of the last wp_mail() in this request, or null.
	 *
	 * @return Throwable|null
	 */
	public static function last_failure() {
		return self::$last_failure;
	}

	/**
	 * Whether the last wp_mail() was queued rather than delivered: {message_id, spool_id, reason}, or null.
	 *
	 * @return array<string, string>|null
	 */
	public static function last_queued() {
		return self::$last_queued;
	}

	/**
	 * The Message-ID of the last delivered wp_mail() of this request, or ''.
	 *
	 * @return string
	 */
	public static function last_message_id() {
		return self::$last_message_id;
	}

	/**
	 * The redacted transcript of the last send through the extension in this request.
	 *
	 * @return string[]
	 */
	public static function last_transcript() {
		return self::$last_transcript;
	}

	/**
	 * wp_mail_failed: adds the SMTP reply code, enhanced status, reply text and redacted
	 * transcript to the error's data, next to wp_mail()'s own keys.
	 *
	 * @param WP_Error $error The error wp_mail() made.
	 */
	public static function add_smtp_details( $error ) {
		$failure = self::$last_failure;
		if ( ! ( $error instanceof WP_Error ) || ! ( $failure instanceof \Smtp\Exception ) ) {
			return;
		}
		$data = $error->get_error_data( 'wp_mail_failed' );
		$data = is_array( $data ) ? $data : array();

		$data['smtp_code']            = (int) $failure->smtpCode; // phpcs:ignore WordPress.NamingConventions.ValidVariableName.UsedPropertyNotSnakeCase
		$data['smtp_enhanced_status'] = (string) $failure->enhancedStatus; // phpcs:ignore WordPress.NamingConventions.ValidVariableName.UsedPropertyNotSnakeCase
		$data['smtp_reply']           = $failure->getMessage();
		$data['smtp_temporary']       = (bool) $failure->temporary;
		$data['smtp_exception']       = get_class( $failure );
		$data['smtp_transcript']      = self::$last_transcript;
		$error->add_data( $data, 'wp_mail_failed' );
	}
}

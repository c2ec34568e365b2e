<?php
/**
 * Alerts: an email failed for good, the queue gave up on one, the backup relay had to send, the
 * connection broke (the relay refused the login or the token). Each goes by email to the chosen
 * addresses and to the webhooks, at most once per kind per window: an outage of a thousand
 * failures is one alert, and the next one says how many were held back.
 *
 * Never a loop: an alert raised while an alert is being sent is dropped; the alert email is sent
 * once, with the queue off (Native_SMTP_Transport::without_spool()), and its own failure raises
 * nothing (it carries X-Native-SMTP-Alert, like the queue's own given-up email).
 *
 * Settings: one option, the network's (a site option) on multisite, where only the network admin
 * may change them (issue 14's rule: where mail about the network's relay goes is theirs).
 *
 * @package Native_SMTP
 */

defined( 'ABSPATH' ) || exit;

/**
 * Alert settings, the event listeners, the rate limit and the sending.
 */
class Native_SMTP_Alerts {

	/** Option (site option on multisite) holding the settings. */
	const OPTION = 'native_smtp_alerts';

	/** Prefix of the rate limit's rows in the options table (raw SQL: see claim()). */
	const STATE_PREFIX = 'native_smtp_alert_';

	/** The kinds, in the order the settings page lists them. */
	const KINDS = array( 'failed', 'queue_gave_up', 'backup_used', 'connection_broken' );

	/** Header on every email the plugin sends about itself: its failure raises no alert. */
	const HEADER = 'X-Native-SMTP-Alert';

	/**
	 * True while an alert is being sent (an alert about the alert is dropped).
	 *
	 * @var bool
	 */
	private static $sending = false;

	/**
	 * How many wp_mail() calls are under way in this request. An alert raised inside one (the
	 * transport learns of a refused login in the middle of PHPMailer's send()) waits until it
	 * ends: sending the alert's own wp_mail() there would reuse the global PHPMailer mid-send and
	 * overwrite the failure details the log is about to record.
	 *
	 * @var int
	 */
	private static $mail_depth = 0;

	/**
	 * Alerts raised inside a wp_mail(), sent when it ends: list of [kind, details, force].
	 *
	 * @var array
	 */
	private static $pending = array();

	/**
	 * Hooks the event sources.
	 */
	public static function register_hooks() {
		// Same priority as the log, registered after it (native-smtp.php): the failure is on
		// record when the alert points at the log.
		add_action( 'wp_mail_failed', array( __CLASS__, 'on_mail_failed' ), PHP_INT_MAX );
		add_action( 'wp_mail_succeeded', array( __CLASS__, 'on_mail_done' ), PHP_INT_MAX );
		add_filter( 'pre_wp_mail', array( __CLASS__, 'on_mail_start' ), PHP_INT_MAX );
		add_action( 'shutdown', array( __CLASS__, 'on_shutdown' ) );
		add_action( 'native_smtp_queue_gave_up', array( __CLASS__, 'on_queue_gave_up' ) );
		add_action( 'native_smtp_backup_used', array( __CLASS__, 'on_backup_used' ), 10, 3 );
		add_action( 'native_smtp_connection_broken', array( __CLASS__, 'on_connection_broken' ) );
	}

	/**
	 * Defaults: every kind on, no addresses and no webhooks (nothing is sent until chosen), a
	 * one-hour window, the weekly summary on.
	 *
	 * @return array
	 */
	public static function defaults() {
		return array(
			'kinds'          => self::KINDS,
			'emails'         => array(),
			'webhooks'       => array(),
			'window'         => 60,
			'summary'        => true,
			'summary_emails' => array(),
		);
	}

	/**
	 * The settings, defaults filled in.
	 *
	 * @return array
	 */
	public static function settings() {
		$stored = Native_SMTP_Options::get_shared( self::OPTION, array() );
		$stored = is_array( $stored ) ? $stored : array();
		return array_merge( self::defaults(), array_intersect_key( $stored, self::defaults() ) );
	}

	/**
	 * The capability that may change the settings: the network admin's on multisite.
	 *
	 * @return string
	 */
	public static function capability() {
		return is_multisite() ? 'manage_network_options' : 'manage_options';
	}

	/**
	 * Cleans what the form sent.
	 *
	 * @param array $input Unslashed form fields: kinds[], emails, webhooks, window, summary, summary_emails.
	 * @return array{settings: array, errors: string[]}
	 */
	public static function sanitize( array $input ) {
		$errors = array();
		$kinds  = isset( $input['kinds'] ) && is_array( $input['kinds'] ) ? array_values( array_intersect( self::KINDS, array_map( 'strval', $input['kinds'] ) ) ) : array();
		$emails = self::addresses( isset( $input['emails'] ) ? $input['emails'] : '', $errors );
		$hooks  = Native_SMTP_Webhooks::parse( isset( $input['webhooks'] ) ? (string) $input['webhooks'] : '' );
		$errors = array_merge( $errors, $hooks['errors'] );
		$window = isset( $input['window'] ) ? (int) $input['window'] : 60;
		return array(
			'settings' => array(
				'kinds'          => $kinds,
				'emails'         => $emails,
				'webhooks'       => $hooks['hooks'],
				'window'         => max( 5, min( 1440, $window ) ),
				'summary'        => ! empty( $input['summary'] ),
				'summary_emails' => self::addresses( isset( $input['summary_emails'] ) ? $input['summary_emails'] : '', $errors ),
			),
			'errors'   => $errors,
		);
	}

	/**
	 * Addresses from a comma- or line-separated text; bad ones are reported and dropped.
	 *
	 * @param mixed    $text   Text.
	 * @param string[] $errors Where problems go.
	 * @return string[]
	 */
	private static function addresses( $text, array &$errors ) {
		$list = array();
		foreach ( preg_split( '/[\s,;]+/', (string) $text ) as $address ) {
			if ( '' === $address ) {
				continue;
			}
			if ( ! is_email( $address ) ) {
				/* translators: %s: what the admin typed */
				$errors[] = sprintf( __( '"%s" is not an email address.', 'native-smtp' ), $address );
				continue;
			}
			$list[] = sanitize_email( $address );
		}
		return array_slice( array_values( array_unique( $list ) ), 0, 20 );
	}

	/**
	 * Stores cleaned settings.
	 *
	 * @param array $settings From sanitize().
	 */
	public static function save( array $settings ) {
		Native_SMTP_Options::update_shared( self::OPTION, $settings );
		Native_SMTP_Summary::schedule();
	}

	/**
	 * Whether an email is one the plugin sends about itself (alerts, summaries, the queue's notice).
	 *
	 * @param mixed $headers wp_mail()'s headers, as given or as parsed.
	 * @return bool
	 */
	public static function is_own_email( $headers ) {
		if ( is_array( $headers ) ) {
			foreach ( $headers as $name => $value ) {
				$line = is_string( $name ) ? $name . ': ' . $value : (string) $value;
				if ( 0 === stripos( ltrim( $line ), self::HEADER . ':' ) ) {
					return true;
				}
			}
			return false;
		}
		return false !== stripos( (string) $headers, self::HEADER . ':' );
	}

	/**
	 * Whether a reply says the relay refused the login (535) or wants another method or an app
	 * password (534): the connection itself is broken, not this one email.
	 *
	 * @param int    $code   Reply code.
	 * @param string $class  Exception class, if known.
	 * @return bool
	 */
	public static function is_auth_failure( $code, $class = '' ) {
		return in_array( (int) $code, array( 534, 535 ), true ) || 'Smtp\AuthenticationException' === ltrim( (string) $class, '\\' );
	}

	/**
	 * pre_wp_mail, last: a wp_mail() starts (unless a filter short-circuited it: then it ends here,
	 * without wp_mail_succeeded or wp_mail_failed).
	 *
	 * @param null|bool $short_circuit What the other filters decided; passed on.
	 * @return null|bool
	 */
	public static function on_mail_start( $short_circuit ) {
		if ( null === $short_circuit ) {
			++self::$mail_depth;
		}
		return $short_circuit;
	}

	/**
	 * wp_mail_succeeded, last: the wp_mail() ended; alerts raised inside it go out now.
	 *
	 * @param mixed $unused wp_mail()'s data.
	 */
	public static function on_mail_done( $unused = null ) {
		unset( $unused );
		self::$mail_depth = max( 0, self::$mail_depth - 1 );
		self::send_pending();
	}

	/**
	 * shutdown: whatever still waits goes out now (a pre_wp_mail filter after ours that
	 * short-circuited a wp_mail() would otherwise leave the count up for the rest of the request).
	 */
	public static function on_shutdown() {
		self::$mail_depth = 0;
		self::send_pending();
	}

	/**
	 * Sends the alerts that waited for the end of a wp_mail().
	 */
	public static function send_pending() {
		if ( self::$sending || self::$mail_depth > 0 ) {
			return;
		}
		while ( self::$pending ) {
			$next = array_shift( self::$pending );
			self::dispatch( $next[0], $next[1], $next[2] );
		}
	}

	/**
	 * wp_mail_failed: an email that was neither sent nor queued.
	 *
	 * @param WP_Error $error wp_mail()'s error.
	 */
	public static function on_mail_failed( $error ) {
		self::$mail_depth = max( 0, self::$mail_depth - 1 );
		try {
			self::failed( $error );
		} finally {
			self::send_pending();
		}
	}

	/**
	 * The "failed" alert for a wp_mail_failed error.
	 *
	 * @param WP_Error $error wp_mail()'s error.
	 */
	private static function failed( $error ) {
		if ( ! ( $error instanceof WP_Error ) ) {
			return;
		}
		$data = $error->get_error_data( 'wp_mail_failed' );
		$data = is_array( $data ) ? $data : array();
		if ( self::$sending || self::is_own_email( isset( $data['headers'] ) ? $data['headers'] : array() ) ) {
			return;
		}
		$code = isset( $data['smtp_code'] ) ? (int) $data['smtp_code'] : 0;
		if ( self::is_auth_failure( $code, isset( $data['smtp_exception'] ) ? $data['smtp_exception'] : '' ) ) {
			return; // The transport raised native_smtp_connection_broken: one alert for the outage.
		}
		$to = isset( $data['to'] ) ? (array) $data['to'] : array();
		self::raise(
			'failed',
			array(
				'to'        => implode( ', ', array_map( 'strval', $to ) ),
				'subject'   => isset( $data['subject'] ) ? (string) $data['subject'] : '',
				'smtp_code' => $code,
				'error'     => $error->get_error_message( 'wp_mail_failed' ),
			)
		);
	}

	/**
	 * native_smtp_queue_gave_up: the queue moved messages to failed/.
	 *
	 * @param array $entries Smtp\Spool entries: recipients, last_error, attempts.
	 */
	public static function on_queue_gave_up( $entries ) {
		$entries = is_array( $entries ) ? array_values( $entries ) : array();
		if ( ! $entries ) {
			return;
		}
		$first = is_array( $entries[0] ) ? $entries[0] : array();
		$error = isset( $first['last_error'] ) ? (string) $first['last_error'] : '';
		self::raise(
			'queue_gave_up',
			array(
				'count'    => count( $entries ),
				'to'       => isset( $first['recipients'] ) ? implode( ', ', array_map( 'strval', (array) $first['recipients'] ) ) : '',
				'attempts' => isset( $first['attempts'] ) ? (int) $first['attempts'] : 0,
				'error'    => $error,
			)
		);
		if ( preg_match( '/(?:^|[\s:])(53[45])(?=[\s-]|$)/', $error ) ) {
			self::on_connection_broken(
				array(
					'source' => 'queue',
					'reason' => $error,
				)
			);
		}
	}

	/**
	 * native_smtp_backup_used: the backup relay sent an email (fired by the backup connection code).
	 * Only plain, named facts are kept from what it passes: never a password or token.
	 *
	 * @param mixed $info    An array (host, port, preset, label, reason, subject, message_id) or a relay name.
	 * @param mixed $reason  Why the first relay was not used, if passed on its own.
	 * @param mixed $unused  Anything else (ignored).
	 */
	public static function on_backup_used( $info = array(), $reason = '', $unused = null ) {
		unset( $unused );
		$details = array();
		if ( is_array( $info ) ) {
			foreach ( array( 'host', 'port', 'preset', 'label', 'reason', 'subject', 'message_id', 'primary_error' ) as $key ) {
				if ( isset( $info[ $key ] ) && is_scalar( $info[ $key ] ) ) {
					$details[ $key ] = (string) $info[ $key ];
				}
			}
		} elseif ( is_scalar( $info ) && '' !== (string) $info ) {
			$details['relay'] = (string) $info;
		}
		if ( is_scalar( $reason ) && '' !== (string) $reason && ! isset( $details['reason'] ) ) {
			$details['reason'] = (string) $reason;
		}
		self::raise( 'backup_used', $details );
	}

	/**
	 * native_smtp_connection_broken: the relay refused the login or the token (the transport fires
	 * it on a 534/535 or Smtp\AuthenticationException; OAuth code may fire it for a token it cannot
	 * refresh).
	 *
	 * @param mixed $context {code, enhanced_status, reason, source: auth | token | queue}.
	 */
	public static function on_connection_broken( $context = array() ) {
		$context = is_array( $context ) ? $context : array( 'reason' => (string) $context );
		$details = array();
		foreach ( array( 'source', 'code', 'enhanced_status', 'reason', 'host' ) as $key ) {
			if ( isset( $context[ $key ] ) && is_scalar( $context[ $key ] ) ) {
				$details[ $key ] = (string) $context[ $key ];
			}
		}
		self::raise( 'connection_broken', $details );
	}

	/**
	 * The action the transport fires when it learns of a refused login; kept here so its shape is
	 * in one place.
	 *
	 * @param Throwable $failure What the extension threw.
	 */
	public static function maybe_connection_broken( $failure ) {
		if ( ! ( $failure instanceof \Smtp\Exception ) || ! self::is_auth_failure( (int) $failure->smtpCode, get_class( $failure ) ) ) { // phpcs:ignore WordPress.NamingConventions.ValidVariableName.UsedPropertyNotSnakeCase
			return;
		}
		/**
		 * The SMTP connection is broken: the relay refused the login (534 / 535) or the OAuth token.
		 *
		 * @param array $context {source: auth | token | queue, code, enhanced_status, reason}; never a secret.
		 */
		do_action(
			'native_smtp_connection_broken',
			array(
				'source'          => 'auth',
				'code'            => (int) $failure->smtpCode, // phpcs:ignore WordPress.NamingConventions.ValidVariableName.UsedPropertyNotSnakeCase
				'enhanced_status' => (string) $failure->enhancedStatus, // phpcs:ignore WordPress.NamingConventions.ValidVariableName.UsedPropertyNotSnakeCase
				'reason'          => $failure->getMessage(),
			)
		);
	}

	/**
	 * Raises an alert of a kind: sent now (or when the wp_mail() under way ends) if the window
	 * allows, else counted for the next one.
	 *
	 * @param string $kind    One of KINDS.
	 * @param array  $details Facts to show (scalars).
	 * @param bool   $force   Ignore the window and the kinds chosen (the "Send a test alert" button).
	 * @return array|null What was sent: {emails: bool[], webhooks: array[]}; null when nothing was.
	 */
	public static function raise( $kind, array $details, $force = false ) {
		if ( self::$sending || ! in_array( $kind, self::KINDS, true ) ) {
			return null;
		}
		if ( self::$mail_depth > 0 ) {
			self::$pending[] = array( $kind, $details, (bool) $force );
			return null;
		}
		return self::dispatch( $kind, $details, $force );
	}

	/**
	 * Sends an alert now if its kind is chosen, somewhere to send it is set and the window allows.
	 *
	 * @param string $kind    One of KINDS.
	 * @param array  $details Facts.
	 * @param bool   $force   Ignore the window and the kinds chosen.
	 * @return array|null What was sent, or null.
	 */
	private static function dispatch( $kind, array $details, $force ) {
		if ( self::$sending ) {
			return null;
		}
		$settings = self::settings();
		if ( ! $force && ( ! in_array( $kind, $settings['kinds'], true ) || ( ! $settings['emails'] && ! $settings['webhooks'] ) ) ) {
			return null;
		}
		$held = 0;
		if ( ! $force ) {
			$held = self::claim( $kind, (int) $settings['window'] * MINUTE_IN_SECONDS );
			if ( null === $held ) {
				return null;
			}
		}
		$alert = self::build( $kind, $details, $held, (int) $settings['window'] );
		return self::deliver( $alert, $settings );
	}

	/**
	 * The options table the rate limit lives in: the main site's, so a network shares one window.
	 *
	 * @return string
	 */
	private static function state_table() {
		global $wpdb;
		return is_multisite() ? $wpdb->get_blog_prefix( get_main_site_id() ) . 'options' : $wpdb->options;
	}

	/**
	 * Takes the window of a kind, atomically: of many requests failing at once, one wins. A
	 * compare-and-set in SQL (a transient would let each concurrent request see "not sent yet").
	 *
	 * @param string $kind   Kind.
	 * @param int    $window Seconds.
	 * @return int|null How many alerts of this kind were held back since the last one sent; null: not now (this one is counted).
	 */
	private static function claim( $kind, $window ) {
		global $wpdb;
		$table = self::state_table();
		$last  = self::STATE_PREFIX . 'last_' . $kind;
		$held  = self::STATE_PREFIX . 'held_' . $kind;
		$now   = time();
		// phpcs:disable WordPress.DB.DirectDatabaseQuery, WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- an atomic update the options API cannot do; the table name is WordPress's.
		$wpdb->query( $wpdb->prepare( "INSERT IGNORE INTO {$table} (option_name, option_value, autoload) VALUES (%s, '0', 'no'), (%s, '0', 'no')", $last, $held ) );
		$won = (int) $wpdb->query( $wpdb->prepare( "UPDATE {$table} SET option_value = %s WHERE option_name = %s AND CAST(option_value AS UNSIGNED) <= %d", (string) $now, $last, $now - $window ) );
		if ( 1 !== $won ) {
			$wpdb->query( $wpdb->prepare( "UPDATE {$table} SET option_value = CAST(option_value AS UNSIGNED) + 1 WHERE option_name = %s", $held ) );
			return null;
		}
		$count = (int) $wpdb->get_var( $wpdb->prepare( "SELECT option_value FROM {$table} WHERE option_name = %s", $held ) );
		$wpdb->query( $wpdb->prepare( "UPDATE {$table} SET option_value = CAST(option_value AS UNSIGNED) - %d WHERE option_name = %s", $count, $held ) );
		// phpcs:enable
		return $count;
	}

	/**
	 * Forgets the windows (tests; the settings page's "Send a test alert" does not need it).
	 */
	public static function reset_windows() {
		global $wpdb;
		$table = self::state_table();
		$wpdb->query( $wpdb->prepare( "DELETE FROM {$table} WHERE option_name LIKE %s", $wpdb->esc_like( self::STATE_PREFIX ) . '%' ) ); // phpcs:ignore WordPress.DB
	}

	/**
	 * The words of an alert.
	 *
	 * @param string $kind    Kind.
	 * @param array  $details Facts.
	 * @param int    $held    Alerts held back since the last one.
	 * @param int    $window  Minutes.
	 * @return array{kind: string, title: string, text: string, site: string, site_url: string, time: string, details: array, held_back: int, log_url: string}
	 */
	public static function build( $kind, array $details, $held, $window ) {
		$titles = array(
			'failed'            => __( 'An email could not be sent', 'native-smtp' ),
			'queue_gave_up'     => __( 'The queue gave up on an email', 'native-smtp' ),
			'backup_used'       => __( 'The backup relay had to send an email', 'native-smtp' ),
			'connection_broken' => __( 'The SMTP connection is broken: the relay refused the login', 'native-smtp' ),
		);
		$labels = array(
			'to'              => __( 'To', 'native-smtp' ),
			'subject'         => __( 'Subject', 'native-smtp' ),
			'smtp_code'       => __( 'Reply code', 'native-smtp' ),
			'code'            => __( 'Reply code', 'native-smtp' ),
			'enhanced_status' => __( 'Status', 'native-smtp' ),
			'error'           => __( 'Error', 'native-smtp' ),
			'reason'          => __( 'Reason', 'native-smtp' ),
			'primary_error'   => __( 'Reason', 'native-smtp' ),
			'count'           => __( 'Emails', 'native-smtp' ),
			'attempts'        => __( 'Attempts', 'native-smtp' ),
			'host'            => __( 'Relay', 'native-smtp' ),
			'relay'           => __( 'Relay', 'native-smtp' ),
			'source'          => __( 'Source', 'native-smtp' ),
		);
		$clean = array();
		$lines = array();
		foreach ( $details as $key => $value ) {
			if ( ! is_scalar( $value ) || '' === (string) $value || ( in_array( $key, array( 'smtp_code', 'code' ), true ) && '0' === (string) $value ) ) {
				continue;
			}
			// One line each, bounded: an error text is the relay's, and can be long.
			$value         = substr( trim( preg_replace( '/\s+/', ' ', (string) $value ) ), 0, 500 );
			$clean[ $key ] = $value;
			$lines[]       = ( isset( $labels[ $key ] ) ? $labels[ $key ] : $key ) . ': ' . $value;
		}
		if ( $held > 0 ) {
			$lines[] = sprintf(
				/* translators: %d: number of alerts */
				_n( '%d more alert of this kind was held back since the last one.', '%d more alerts of this kind were held back since the last one.', $held, 'native-smtp' ),
				$held
			);
		}
		$lines[] = sprintf(
			/* translators: %d: minutes */
			_n( 'The next alert of this kind comes at the earliest in %d minute.', 'The next alert of this kind comes at the earliest in %d minutes.', $window, 'native-smtp' ),
			$window
		);
		return array(
			'kind'      => $kind,
			'title'     => $titles[ $kind ],
			'text'      => implode( "\n", $lines ),
			'site'      => wp_specialchars_decode( get_bloginfo( 'name' ), ENT_QUOTES ),
			'site_url'  => home_url( '/' ),
			'time'      => gmdate( 'c' ),
			'details'   => $clean,
			'held_back' => (int) $held,
			'log_url'   => admin_url( 'options-general.php?page=native-smtp&tab=log' ),
		);
	}

	/**
	 * Sends an alert by email and to the webhooks.
	 *
	 * @param array $alert    From build().
	 * @param array $settings The settings.
	 * @return array{emails: bool[], webhooks: array[]}
	 */
	private static function deliver( array $alert, array $settings ) {
		$result        = array(
			'emails'   => array(),
			'webhooks' => array(),
		);
		self::$sending = true;
		try {
			if ( $settings['emails'] ) {
				$subject = sprintf( '[%s] %s', $alert['site'], $alert['title'] );
				$body    = $alert['text'] . "\n\n" . __( 'Email log:', 'native-smtp' ) . ' ' . $alert['log_url'] . "\n";
				// Once, with the queue off: a broken relay makes it fail now (and say so in the log),
				// never retry it forever.
				$result['emails'][] = (bool) Native_SMTP_Transport::without_spool(
					static function () use ( $settings, $subject, $body ) {
						return wp_mail( $settings['emails'], $subject, $body, array( self::HEADER . ': 1' ) );
					}
				);
			}
			foreach ( $settings['webhooks'] as $hook ) {
				$result['webhooks'][] = Native_SMTP_Webhooks::post( $hook, $alert );
			}
		} finally {
			self::$sending = false;
		}
		return $result;
	}
}

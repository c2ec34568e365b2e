<?php
/**
 * Queue: the Mailer gets a spool directory, so a temporary failure (relay down, 4xx) keeps the
 * message instead of losing it; WP-Cron flushes the spool every minute; the email log follows
 * each queued message (queued, retried, sent, failed); a message given up on tells the admin.
 *
 * The extension does the queueing and the retrying (Smtp\Spool); this class only points it at a
 * folder, runs flush() and reports.
 *
 * @package Native_SMTP
 */

defined( 'ABSPATH' ) || exit;

/**
 * The spool folder, the flush cron job and the failure alerts.
 */
class Native_SMTP_Queue {

	/** WP-Cron event that flushes the spool. */
	const CRON_HOOK = 'native_smtp_flush_spool';

	/** Our one-minute WP-Cron schedule. */
	const SCHEDULE = 'native_smtp_every_minute';

	/** Option: messages given up on that the admin has not dismissed yet. */
	const FAILED_OPTION = 'native_smtp_failed_notice';

	/** Messages tried per flush: a cron run must end well within PHP's time limit. */
	const FLUSH_LIMIT = 50;

	/**
	 * The spool folder prepared in this request (so the checks run once).
	 *
	 * @var string|null
	 */
	private static $prepared_dir = null;

	/**
	 * Whether a flush runs in this request (a failure alert sent from it must not flush again).
	 *
	 * @var bool
	 */
	private static $flushing = false;

	/**
	 * Hooks the schedule, the cron job and the admin actions.
	 */
	public static function register_hooks() {
		add_filter( 'cron_schedules', array( __CLASS__, 'add_schedule' ) ); // phpcs:ignore WordPress.WP.CronInterval.CronSchedulesInterval -- a queue is retried every minute by design.
		add_action( self::CRON_HOOK, array( __CLASS__, 'run_cron' ) );
		add_action( 'plugins_loaded', array( __CLASS__, 'schedule' ) );
		add_action( 'admin_post_native_smtp_flush_now', array( __CLASS__, 'handle_flush_now' ) );
		add_action( 'admin_post_native_smtp_dismiss_failed', array( __CLASS__, 'handle_dismiss' ) );
	}

	/**
	 * cron_schedules: every minute.
	 *
	 * @param array $schedules Schedules.
	 * @return array
	 */
	public static function add_schedule( $schedules ) {
		$schedules[ self::SCHEDULE ] = array(
			'interval' => MINUTE_IN_SECONDS,
			'display'  => __( 'Every minute (Native SMTP queue)', 'native-smtp' ),
		);
		return $schedules;
	}

	/**
	 * Schedules the flush (on activation and whenever it went missing).
	 */
	public static function schedule() {
		if ( ! wp_next_scheduled( self::CRON_HOOK ) ) {
			wp_schedule_event( time() + MINUTE_IN_SECONDS, self::SCHEDULE, self::CRON_HOOK );
		}
	}

	/**
	 * Removes the flush (deactivation). Queued messages stay on disk for the next activation.
	 */
	public static function unschedule() {
		wp_clear_scheduled_hook( self::CRON_HOOK );
	}

	/**
	 * Whether sending queues on a temporary failure: on by default, NATIVE_SMTP_QUEUE can turn it off.
	 *
	 * @return bool
	 */
	public static function enabled() {
		return Native_SMTP_Transport::extension_loaded() && (bool) Native_SMTP_Options::get( 'queue' );
	}

	/**
	 * The spool folder: NATIVE_SMTP_SPOOL_DIR, else wp-content/uploads/native-smtp-spool.
	 *
	 * @return string
	 */
	public static function dir() {
		if ( defined( 'NATIVE_SMTP_SPOOL_DIR' ) && '' !== (string) NATIVE_SMTP_SPOOL_DIR ) {
			$dir = (string) NATIVE_SMTP_SPOOL_DIR;
		} else {
			$uploads = wp_upload_dir( null, false );
			$dir     = $uploads['basedir'] . '/native-smtp-spool';
		}
		/**
		 * Filters the spool folder (a path outside the web root is best; the default has guards).
		 *
		 * @param string $dir Folder.
		 */
		return untrailingslashit( (string) apply_filters( 'native_smtp_spool_dir', $dir ) );
	}

	/**
	 * Creates the spool folder (0700) with an index.php and an .htaccess that keep web servers from
	 * listing or serving it: queued messages are whole emails.
	 *
	 * @return string The folder, or '' when it cannot be made (sending then fails as without a queue).
	 */
	public static function prepare_dir() {
		$dir = self::dir();
		if ( self::$prepared_dir === $dir ) {
			return $dir;
		}
		if ( ! is_dir( $dir ) && ! @mkdir( $dir, 0700, true ) && ! is_dir( $dir ) ) { // phpcs:ignore WordPress.PHP.NoSilencedErrors.Discouraged, WordPress.WP.AlternativeFunctions.file_system_operations_mkdir -- reported by the return value.
			return '';
		}
		@chmod( $dir, 0700 ); // phpcs:ignore WordPress.PHP.NoSilencedErrors.Discouraged, WordPress.WP.AlternativeFunctions.file_system_operations_chmod -- best effort on filesystems without modes.
		$guards = array(
			'index.php' => "<?php\n// Silence is golden.\n",
			'.htaccess' => "# Native SMTP's mail queue: never served.\n<IfModule mod_authz_core.c>\n\tRequire all denied\n</IfModule>\n<IfModule !mod_authz_core.c>\n\tOrder deny,allow\n\tDeny from all\n</IfModule>\n",
		);
		foreach ( $guards as $name => $content ) {
			if ( ! file_exists( $dir . '/' . $name ) ) {
				file_put_contents( $dir . '/' . $name, $content ); // phpcs:ignore WordPress.WP.AlternativeFunctions.file_system_operations_file_put_contents
			}
		}
		self::$prepared_dir = $dir;
		return $dir;
	}

	/**
	 * The Smtp\Spool over our folder, or null without the extension or the folder.
	 *
	 * @return object|null Smtp\Spool
	 */
	public static function spool() {
		if ( ! class_exists( 'Smtp\Spool' ) ) {
			return null;
		}
		$dir = self::prepare_dir();
		if ( '' === $dir ) {
			return null;
		}
		$class = 'Smtp\Spool';
		return new $class( $dir );
	}

	/**
	 * After a send was queued: the id of its file in the spool, for the log. The newest queued message
	 * with this envelope that no log row claims yet (Smtp\Receipt does not carry the spool's id).
	 *
	 * @param string   $from       Envelope sender.
	 * @param string[] $recipients Envelope recipients.
	 * @return string The id, or ''.
	 */
	public static function find_spool_id( $from, array $recipients ) {
		global $wpdb;
		$spool = self::spool();
		if ( null === $spool ) {
			return '';
		}
		$candidates = array();
		foreach ( $spool->messages() as $entry ) {
			if ( (string) $entry['from'] === (string) $from && array_values( $entry['recipients'] ) === array_values( $recipients ) ) {
				$candidates[] = (string) $entry['id'];
			}
		}
		if ( ! $candidates ) {
			return '';
		}
		$table   = Native_SMTP_Log::table();
		$holders = implode( ',', array_fill( 0, count( $candidates ), '%s' ) );
		$claimed = $wpdb->get_col( $wpdb->prepare( "SELECT spool_id FROM {$table} WHERE spool_id IN ({$holders})", $candidates ) ); // phpcs:ignore WordPress.DB -- our own table; placeholders built above.
		$free    = array_values( array_diff( $candidates, is_array( $claimed ) ? $claimed : array() ) );
		return $free ? (string) end( $free ) : '';
	}

	/**
	 * WP-Cron: flushes what is due.
	 */
	public static function run_cron() {
		/**
		 * Filters whether the cron flush tries every queued message now, due or not (tests, or a site
		 * that wants no backoff).
		 *
		 * @param bool $force Default false.
		 */
		self::flush( (bool) apply_filters( 'native_smtp_flush_force', false ) );
	}

	/**
	 * Flushes the spool and brings the log up to date: delivered -> sent, tried again and still
	 * queued -> retried, given up -> failed (and the admin is told).
	 *
	 * @param bool $force Try everything queued now, due or not.
	 * @return array|null Smtp\Spool::flush()'s summary, or null when there was nothing to do.
	 */
	public static function flush( $force = false ) {
		if ( self::$flushing || ! Native_SMTP_Transport::is_active() ) {
			return null;
		}
		$spool = self::spool();
		if ( null === $spool || 0 === $spool->count() ) {
			return null;
		}
		self::$flushing = true;
		try {
			$before = self::by_id( $spool->messages() );
			$mailer = Native_SMTP_Transport::flush_mailer();
			try {
				$summary = $spool->flush( $mailer, self::FLUSH_LIMIT, (bool) $force );
			} finally {
				$mailer->close();
			}
			$after  = self::by_id( $spool->messages() );
			$failed = self::by_id( $spool->messages( true ) );

			$given_up = array();
			foreach ( $before as $id => $entry ) {
				if ( isset( $failed[ $id ] ) ) {
					Native_SMTP_Log::update_queued( $id, 'failed', (int) $failed[ $id ]['attempts'], (string) $failed[ $id ]['last_error'] );
					$given_up[] = $failed[ $id ];
				} elseif ( isset( $after[ $id ] ) ) {
					if ( (int) $after[ $id ]['attempts'] > (int) $entry['attempts'] ) {
						Native_SMTP_Log::update_queued( $id, 'retried', (int) $after[ $id ]['attempts'], (string) $after[ $id ]['last_error'] );
					}
				} else {
					Native_SMTP_Log::update_queued( $id, 'sent', (int) $entry['attempts'] + 1, '' );
				}
			}
			if ( $given_up ) {
				self::report_failures( $given_up );
			}
			return $summary;
		} finally {
			self::$flushing = false;
		}
	}

	/**
	 * Spool entries keyed by id.
	 *
	 * @param array $entries Smtp\Spool::messages().
	 * @return array<string, array>
	 */
	private static function by_id( array $entries ) {
		$keyed = array();
		foreach ( $entries as $entry ) {
			$keyed[ (string) $entry['id'] ] = $entry;
		}
		return $keyed;
	}

	/**
	 * Messages given up on: kept for the admin notice, and one email to the site's admin address.
	 * That email never goes into the queue (a failing relay would fail it again and again): it is
	 * sent once, directly; if the relay refuses it too, the notice and the log still tell.
	 *
	 * @param array $entries Spool entries now in failed/.
	 */
	private static function report_failures( array $entries ) {
		$notice = get_option( self::FAILED_OPTION, array() );
		$notice = is_array( $notice ) ? $notice : array();
		$items  = isset( $notice['items'] ) && is_array( $notice['items'] ) ? $notice['items'] : array();
		$lines  = array();
		foreach ( $entries as $entry ) {
			$to      = implode( ', ', array_map( 'strval', (array) $entry['recipients'] ) );
			$items[] = array(
				'to'    => $to,
				'error' => (string) $entry['last_error'],
				'time'  => time(),
			);
			$lines[] = sprintf( '- %s: %s', $to, $entry['last_error'] );
		}
		update_option(
			self::FAILED_OPTION,
			array(
				'count' => ( isset( $notice['count'] ) ? (int) $notice['count'] : 0 ) + count( $entries ),
				'items' => array_slice( $items, -10 ),
			),
			false
		);

		$site    = wp_specialchars_decode( get_bloginfo( 'name' ), ENT_QUOTES );
		$subject = sprintf(
			/* translators: 1: site name, 2: number of emails */
			_n( '[%1$s] %2$d email could not be delivered', '[%1$s] %2$d emails could not be delivered', count( $entries ), 'native-smtp' ),
			$site,
			count( $entries )
		);
		$body = __( 'Native SMTP kept trying to send these emails and has given up on them:', 'native-smtp' ) . "\n\n"
			. implode( "\n", $lines ) . "\n\n"
			. __( 'Check the SMTP settings and the Email Log:', 'native-smtp' ) . ' '
			. admin_url( 'options-general.php?page=native-smtp&tab=log' ) . "\n";
		Native_SMTP_Transport::without_spool(
			static function () use ( $subject, $body ) {
				wp_mail( get_option( 'admin_email' ), $subject, $body, array( 'X-Native-SMTP-Alert: 1' ) );
			}
		);
	}

	/**
	 * The undismissed failures: {count, items: [{to, error, time}]}.
	 *
	 * @return array{count: int, items: array}
	 */
	public static function failed_notice() {
		$notice = get_option( self::FAILED_OPTION, array() );
		return array(
			'count' => is_array( $notice ) && isset( $notice['count'] ) ? (int) $notice['count'] : 0,
			'items' => is_array( $notice ) && isset( $notice['items'] ) && is_array( $notice['items'] ) ? $notice['items'] : array(),
		);
	}

	/**
	 * admin-post.php?action=native_smtp_flush_now: tries every queued message now.
	 */
	public static function handle_flush_now() {
		if ( ! current_user_can( 'manage_options' ) ) {
			wp_die( esc_html__( 'Sorry, you are not allowed to do that.', 'native-smtp' ), 403 );
		}
		check_admin_referer( 'native_smtp_flush_now' );
		$summary = self::flush( true );
		set_transient( 'native_smtp_flush_notice_' . get_current_user_id(), is_array( $summary ) ? $summary : array(), MINUTE_IN_SECONDS );
		wp_safe_redirect( admin_url( 'options-general.php?page=native-smtp&tab=log' ) );
		exit;
	}

	/**
	 * admin-post.php?action=native_smtp_dismiss_failed: hides the failure notice until the next one.
	 */
	public static function handle_dismiss() {
		if ( ! current_user_can( 'manage_options' ) ) {
			wp_die( esc_html__( 'Sorry, you are not allowed to do that.', 'native-smtp' ), 403 );
		}
		check_admin_referer( 'native_smtp_dismiss_failed' );
		delete_option( self::FAILED_OPTION );
		wp_safe_redirect( wp_get_referer() ? wp_get_referer() : admin_url( 'options-general.php?page=native-smtp&tab=log' ) );
		exit;
	}
}

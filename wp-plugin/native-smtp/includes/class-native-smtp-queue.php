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
		add_action( 'init', array( __CLASS__, 'schedule' ) ); // not plugins_loaded: scheduling translates the schedule's name, which WordPress 6.7+ reports before init.
		add_action( 'admin_post_native_smtp_flush_now', array( __CLASS__, 'handle_flush_now' ) );
		add_action( 'admin_post_native_smtp_dismiss_failed', array( __CLASS__, 'handle_dismiss' ) );
		add_action( Native_SMTP_Log::PRUNE_EVENT, array( __CLASS__, 'prune_failed' ) );
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
		$next = wp_next_scheduled( self::CRON_HOOK );
		// Only while there is something to flush with: the queue on and the extension loaded. Both
		// checks read memory (autoloaded cron and options), so no request writes unless it changes.
		if ( ! self::enabled() ) {
			if ( $next ) {
				self::unschedule();
			}
			return;
		}
		if ( ! $next ) {
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

	/** Shared option: the queue's base folder once chosen (it must not move while mail waits in it). */
	const DIR_OPTION = 'native_smtp_spool_base';

	/**
	 * The spool folder of this site: the base folder (see base_dir()), and on multisite a folder per
	 * site in it, so each site's cron flushes only its own mail.
	 *
	 * @return string
	 */
	public static function dir() {
		$dir = self::base_dir();
		if ( is_multisite() ) {
			$dir .= '/site-' . (int) get_current_blog_id();
		}
		/**
		 * Filters this site's spool folder.
		 *
		 * @param string $dir Folder.
		 */
		return untrailingslashit( (string) apply_filters( 'native_smtp_spool_dir', $dir ) );
	}

	/**
	 * The queue's base folder: NATIVE_SMTP_SPOOL_DIR, else the one chosen before, else a new choice
	 * (choose_base_dir()), kept in a (network) option so web requests and WP-CLI or system cron
	 * agree on it and it never moves under queued mail.
	 *
	 * @return string
	 */
	public static function base_dir() {
		if ( defined( 'NATIVE_SMTP_SPOOL_DIR' ) && '' !== (string) NATIVE_SMTP_SPOOL_DIR ) {
			return untrailingslashit( (string) NATIVE_SMTP_SPOOL_DIR );
		}
		$stored = Native_SMTP_Options::get_shared( self::DIR_OPTION, '' );
		if ( is_string( $stored ) && '' !== $stored ) {
			return $stored;
		}
		$dir = self::choose_base_dir();
		Native_SMTP_Options::update_shared( self::DIR_OPTION, $dir );
		return $dir;
	}

	/**
	 * Where queued mail (password-reset links, attachments) is safest: outside the document root,
	 * where no web server configuration can serve it. WordPress's files are served at site_url(),
	 * so the document root is ABSPATH without site_url()'s path ("/var/www/html/" for ABSPATH
	 * "/var/www/html/wp/" and site_url() "https://example.com/wp"); its parent is outside it. That
	 * works the same from the web and from the command line (no $_SERVER['DOCUMENT_ROOT'] there).
	 * The folder name carries a hash of ABSPATH so two WordPress installs side by side do not share
	 * a queue. When the parent is not writable (most shared hosts), the queue goes under uploads/
	 * in a folder with an unguessable name, with deny files for Apache and IIS and an index.php at
	 * every level; the Site Health test then checks over HTTP that nothing in it is served.
	 *
	 * @return string
	 */
	public static function choose_base_dir() {
		$docroot = self::document_root();
		$parent  = dirname( $docroot );
		/**
		 * Filters the folder the queue goes in when it can live outside the document root ('' to
		 * keep it under uploads/).
		 *
		 * @param string $parent  The document root's parent.
		 * @param string $docroot The document root as derived from ABSPATH and site_url().
		 */
		$parent = (string) apply_filters( 'native_smtp_private_parent_dir', $parent, $docroot );
		if ( '' !== $parent && '/' !== $parent && wp_is_writable( $parent ) && 0 !== strpos( trailingslashit( $parent ), trailingslashit( $docroot ) ) ) {
			return untrailingslashit( $parent ) . '/native-smtp-spool-' . substr( hash( 'sha256', ABSPATH ), 0, 12 );
		}
		$uploads = wp_upload_dir( null, false );
		return untrailingslashit( $uploads['basedir'] ) . '/native-smtp-spool-' . bin2hex( random_bytes( 12 ) );
	}

	/**
	 * The document root WordPress's files are served from: ABSPATH without site_url()'s path.
	 *
	 * @return string No trailing slash.
	 */
	public static function document_root() {
		$abspath = untrailingslashit( wp_normalize_path( ABSPATH ) );
		$path    = untrailingslashit( (string) wp_parse_url( network_site_url(), PHP_URL_PATH ) );
		if ( '' !== $path && substr( $abspath, -strlen( $path ) ) === $path ) {
			return substr( $abspath, 0, -strlen( $path ) );
		}
		return $abspath;
	}

	/**
	 * The URL a file in the queue would have if the web server served it, or '' when the folder is
	 * outside the document root (no URL leads there).
	 *
	 * @param string $file Absolute path.
	 * @return string
	 */
	public static function url_of( $file ) {
		$file    = wp_normalize_path( $file );
		$uploads = wp_upload_dir( null, false );
		$basedir = trailingslashit( wp_normalize_path( $uploads['basedir'] ) );
		if ( 0 === strpos( $file, $basedir ) ) {
			return trailingslashit( $uploads['baseurl'] ) . substr( $file, strlen( $basedir ) );
		}
		$docroot = trailingslashit( self::document_root() );
		if ( 0 === strpos( $file, $docroot ) ) {
			$root = (string) wp_parse_url( network_site_url(), PHP_URL_PATH );
			$base = substr( untrailingslashit( network_site_url() ), 0, strlen( untrailingslashit( network_site_url() ) ) - strlen( untrailingslashit( $root ) ) );
			return $base . '/' . substr( $file, strlen( $docroot ) );
		}
		return '';
	}

	/**
	 * The files that keep a folder from being listed or served where a web server reads them:
	 * Apache (.htaccess), IIS (web.config), and an index.php for servers that list folders.
	 *
	 * @return array<string, string> name => content.
	 */
	public static function guard_files() {
		return array(
			'index.php'  => "<?php\n// Silence is golden.\n",
			'.htaccess'  => "# Native SMTP's mail queue: never served.\n<IfModule mod_authz_core.c>\n\tRequire all denied\n</IfModule>\n<IfModule !mod_authz_core.c>\n\tOrder deny,allow\n\tDeny from all\n</IfModule>\n",
			'web.config' => "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- Native SMTP's mail queue: never served. -->\n<configuration>\n\t<system.webServer>\n\t\t<authorization>\n\t\t\t<deny users=\"*\" />\n\t\t</authorization>\n\t\t<security>\n\t\t\t<requestFiltering>\n\t\t\t\t<hiddenSegments>\n\t\t\t\t\t<add segment=\"queue\" />\n\t\t\t\t\t<add segment=\"failed\" />\n\t\t\t\t\t<add segment=\"tmp\" />\n\t\t\t\t</hiddenSegments>\n\t\t\t</requestFiltering>\n\t\t</security>\n\t</system.webServer>\n</configuration>\n",
		);
	}

	/**
	 * Creates the spool folder and its areas (0700), with the guard files at every level: the base,
	 * this site's folder, and tmp/, queue/ and failed/.
	 *
	 * @return string The folder, or '' when it cannot be made (sending then fails as without a queue).
	 */
	public static function prepare_dir() {
		$dir = self::dir();
		if ( self::$prepared_dir === $dir ) {
			return $dir;
		}
		$levels = array( $dir, $dir . '/tmp', $dir . '/queue', $dir . '/failed' );
		if ( self::base_dir() !== $dir && 0 === strpos( $dir, self::base_dir() . '/' ) ) {
			array_unshift( $levels, self::base_dir() );
		}
		foreach ( $levels as $level ) {
			if ( ! is_dir( $level ) && ! @mkdir( $level, 0700, true ) && ! is_dir( $level ) ) { // phpcs:ignore WordPress.PHP.NoSilencedErrors.Discouraged, WordPress.WP.AlternativeFunctions.file_system_operations_mkdir -- reported by the return value.
				return '';
			}
			@chmod( $level, 0700 ); // phpcs:ignore WordPress.PHP.NoSilencedErrors.Discouraged, WordPress.WP.AlternativeFunctions.file_system_operations_chmod -- best effort on filesystems without modes.
			foreach ( self::guard_files() as $name => $content ) {
				if ( ! file_exists( $level . '/' . $name ) ) {
					file_put_contents( $level . '/' . $name, $content ); // phpcs:ignore WordPress.WP.AlternativeFunctions.file_system_operations_file_put_contents
				}
			}
		}
		self::$prepared_dir = $dir;
		return $dir;
	}

	/**
	 * Deletes a spool folder and everything in it (uninstall, a deleted site). Only a folder that
	 * looks like ours: it has our queue/ or our guard file.
	 *
	 * @param string $dir Folder.
	 * @return bool Whether it is gone.
	 */
	public static function remove_dir( $dir ) {
		$dir = untrailingslashit( (string) $dir );
		if ( '' === $dir || ! is_dir( $dir ) ) {
			return true;
		}
		if ( ! is_dir( $dir . '/queue' ) && ! is_file( $dir . '/web.config' ) && false === strpos( basename( $dir ), 'native-smtp-spool' ) && 0 !== strpos( basename( $dir ), 'site-' ) ) {
			return false;
		}
		$items = new RecursiveIteratorIterator( new RecursiveDirectoryIterator( $dir, FilesystemIterator::SKIP_DOTS ), RecursiveIteratorIterator::CHILD_FIRST );
		foreach ( $items as $item ) {
			if ( $item->isDir() && ! $item->isLink() ) {
				@rmdir( $item->getPathname() ); // phpcs:ignore WordPress.PHP.NoSilencedErrors.Discouraged, WordPress.WP.AlternativeFunctions.file_system_operations_rmdir
			} else {
				@unlink( $item->getPathname() ); // phpcs:ignore WordPress.PHP.NoSilencedErrors.Discouraged, WordPress.WP.AlternativeFunctions.unlink_unlink
			}
		}
		return @rmdir( $dir ); // phpcs:ignore WordPress.PHP.NoSilencedErrors.Discouraged, WordPress.WP.AlternativeFunctions.file_system_operations_rmdir
	}

	/**
	 * Deletes given-up messages (failed/) older than the log's retention; with the log's
	 * retention at 0 (keep forever) they are kept too. Runs with the daily log pruning.
	 *
	 * @return int How many were deleted.
	 */
	public static function prune_failed() {
		$days = (int) Native_SMTP_Options::get( 'retention_days' );
		if ( $days <= 0 || ! class_exists( 'Smtp\Spool' ) || ! is_dir( self::dir() . '/failed' ) ) {
			return 0;
		}
		$spool = self::spool();
		/**
		 * Filters how old (seconds) a given-up message gets before it is deleted.
		 *
		 * @param int $max_age Default: the log's retention.
		 */
		$max_age = max( 1, (int) apply_filters( 'native_smtp_failed_max_age', $days * DAY_IN_SECONDS ) );
		return null === $spool ? 0 : (int) $spool->purge( true, $max_age );
	}

	/**
	 * Writes a harmless probe file into queue/ and asks the web server for it at the URL it would
	 * have: whether queued mail can be downloaded. Used by Site Health.
	 *
	 * @return array{served: bool, url: string, code: int, error: string}
	 */
	public static function probe() {
		$result = array(
			'served' => false,
			'url'    => '',
			'code'   => 0,
			'error'  => '',
		);
		$dir = self::prepare_dir();
		if ( '' === $dir ) {
			$result['error'] = 'no folder';
			return $result;
		}
		$token = 'native-smtp-probe-' . bin2hex( random_bytes( 16 ) );
		// Not a spool file name (the extension skips it): a text file nobody mistakes for mail.
		$file = $dir . '/queue/' . $token . '.txt';
		if ( false === file_put_contents( $file, $token ) ) { // phpcs:ignore WordPress.WP.AlternativeFunctions.file_system_operations_file_put_contents
			$result['error'] = 'cannot write';
			return $result;
		}
		try {
			$result['url'] = self::url_of( $file );
			if ( '' === $result['url'] ) {
				return $result; // Outside the document root: no URL leads there.
			}
			$response = wp_remote_get(
				$result['url'],
				array(
					'timeout'     => 5,
					'redirection' => 0,
					'sslverify'   => false, // Loopback to this very site; a self-signed certificate is fine here.
				)
			);
			if ( is_wp_error( $response ) ) {
				$result['error'] = $response->get_error_message();
				return $result;
			}
			$result['code']   = (int) wp_remote_retrieve_response_code( $response );
			$result['served'] = false !== strpos( (string) wp_remote_retrieve_body( $response ), $token );
			return $result;
		} finally {
			@unlink( $file ); // phpcs:ignore WordPress.PHP.NoSilencedErrors.Discouraged, WordPress.WP.AlternativeFunctions.unlink_unlink
		}
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
		if ( ! self::enabled() ) {
			return;
		}
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
				/**
				 * The queue gave up on these messages (they are in failed/ now).
				 *
				 * @param array $entries Smtp\Spool entries: id, recipients, attempts, last_error.
				 */
				do_action( 'native_smtp_queue_gave_up', $given_up );
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

<?php
/**
 * Email log: one row per wp_mail() in the plugin's own table, pruned daily by WP-Cron.
 *
 * @package Native_SMTP
 */

defined( 'ABSPATH' ) || exit;

/**
 * Records, lists, prunes and resends logged emails.
 */
class Native_SMTP_Log {

	/** Schema version; a higher one runs dbDelta again on the next load. */
	const DB_VERSION = '3';

	/** Statuses a row can have: queued and retried rows become sent or failed when the spool is flushed. */
	const STATUSES = array( 'sent', 'failed', 'queued', 'retried' );

	/** Daily WP-Cron event that deletes rows older than the retention. */
	const PRUNE_EVENT = 'native_smtp_prune_log';

	/**
	 * The table's full name.
	 *
	 * @return string
	 */
	public static function table() {
		global $wpdb;
		return $wpdb->prefix . 'native_smtp_log';
	}

	/**
	 * Hooks: logging after every wp_mail(), schema upgrades, the daily pruning and Resend.
	 */
	public static function register_hooks() {
		// Late, so the error already carries the SMTP details (added at -1000).
		add_filter( 'wp_mail', array( __CLASS__, 'remember_headers' ), PHP_INT_MAX );
		add_action( 'wp_mail_succeeded', array( __CLASS__, 'record_success' ), PHP_INT_MAX );
		add_action( 'wp_mail_failed', array( __CLASS__, 'record_failure' ), PHP_INT_MAX );
		add_action( 'plugins_loaded', array( __CLASS__, 'maybe_upgrade' ) );
		add_action( self::PRUNE_EVENT, array( __CLASS__, 'prune' ) );
		add_action( 'admin_post_native_smtp_resend', array( __CLASS__, 'handle_resend' ) );
		add_action( 'admin_post_native_smtp_log_delete', array( __CLASS__, 'handle_delete' ) );
		add_action( 'admin_post_native_smtp_log_purge', array( __CLASS__, 'handle_purge' ) );
	}

	/**
	 * The headers the current wp_mail() was called with. wp_mail() takes Content-Type, From, Cc,
	 * Bcc and Reply-To out of the headers it passes to wp_mail_succeeded / wp_mail_failed, so the
	 * log keeps the caller's own: a resend is then the same email (HTML stays HTML, Cc stays Cc).
	 *
	 * @var string[]|null
	 */
	private static $call_headers = null;

	/**
	 * wp_mail filter, last: remembers the headers as the caller gave them (after other filters).
	 *
	 * @param array $atts wp_mail()'s arguments.
	 * @return array Unchanged.
	 */
	public static function remember_headers( $atts ) {
		self::$call_headers = is_array( $atts ) && isset( $atts['headers'] ) ? self::header_lines( $atts['headers'] ) : array();
		return $atts;
	}

	/**
	 * Creates or upgrades the table with dbDelta.
	 */
	public static function install() {
		global $wpdb;
		require_once ABSPATH . 'wp-admin/includes/upgrade.php';
		$table   = self::table();
		$charset = $wpdb->get_charset_collate();
		// dbDelta's format: two spaces after PRIMARY KEY, one field per line.
		dbDelta(
			"CREATE TABLE {$table} (
  id bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  created_at datetime NOT NULL,
  blog_id bigint(20) unsigned NOT NULL DEFAULT 0,
  to_address text NOT NULL,
  recipients longtext NULL,
  subject text NOT NULL,
  status varchar(20) NOT NULL,
  smtp_code smallint(5) unsigned NOT NULL DEFAULT 0,
  error text NOT NULL,
  headers longtext NOT NULL,
  message longtext NULL,
  attachments text NOT NULL,
  message_id varchar(255) NOT NULL DEFAULT '',
  spool_id varchar(100) NOT NULL DEFAULT '',
  attempts smallint(5) unsigned NOT NULL DEFAULT 1,
  transcript longtext NULL,
  PRIMARY KEY  (id),
  KEY created_at (created_at),
  KEY status (status),
  KEY spool_id (spool_id)
) {$charset};"
		);
		self::migrate_recipients();
		update_option( 'native_smtp_db_version', self::DB_VERSION, false );
	}

	/**
	 * Schema 3: recipients are a JSON list (a display name may hold a comma, so the old
	 * comma-joined to_address cannot be split back). Rows from before are converted the way
	 * wp_mail() itself splits a string of recipients, in batches.
	 */
	private static function migrate_recipients() {
		global $wpdb;
		$table = self::table();
		do {
			$rows = $wpdb->get_results( "SELECT id, to_address FROM {$table} WHERE recipients IS NULL LIMIT 500", ARRAY_A ); // phpcs:ignore WordPress.DB -- our own table.
			foreach ( (array) $rows as $row ) {
				$list = array_values( array_filter( array_map( 'trim', explode( ',', (string) $row['to_address'] ) ), 'strlen' ) );
				$wpdb->update( $table, array( 'recipients' => wp_json_encode( $list ), 'blog_id' => get_current_blog_id() ), array( 'id' => (int) $row['id'] ), array( '%s', '%d' ), array( '%d' ) ); // phpcs:ignore WordPress.DB.DirectDatabaseQuery
			}
		} while ( is_array( $rows ) && count( $rows ) === 500 );
	}

	/**
	 * A row's recipients as a list.
	 *
	 * @param array $row Row.
	 * @return string[]
	 */
	public static function recipients_of( array $row ) {
		$list = isset( $row['recipients'] ) ? json_decode( (string) $row['recipients'], true ) : null;
		if ( is_array( $list ) ) {
			return array_values( array_map( 'strval', $list ) );
		}
		return array_values( array_filter( array_map( 'trim', explode( ',', (string) $row['to_address'] ) ), 'strlen' ) );
	}

	/**
	 * Runs install() when the stored schema version is older than this code's.
	 */
	public static function maybe_upgrade() {
		if ( get_option( 'native_smtp_db_version' ) !== self::DB_VERSION ) {
			self::install();
		}
		if ( ! wp_next_scheduled( self::PRUNE_EVENT ) ) {
			self::schedule_pruning();
		}
	}

	/**
	 * Schedules the daily pruning.
	 */
	public static function schedule_pruning() {
		if ( ! wp_next_scheduled( self::PRUNE_EVENT ) ) {
			wp_schedule_event( time() + HOUR_IN_SECONDS, 'daily', self::PRUNE_EVENT );
		}
	}

	/**
	 * Removes the daily pruning.
	 */
	public static function unschedule_pruning() {
		wp_clear_scheduled_hook( self::PRUNE_EVENT );
	}

	/**
	 * wp_mail_succeeded.
	 *
	 * @param array $mail_data to, subject, message, headers, attachments.
	 */
	public static function record_success( $mail_data ) {
		$queued = Native_SMTP_Transport::last_queued();
		if ( null === $queued ) {
			self::record( is_array( $mail_data ) ? $mail_data : array(), 'sent', 0, '', Native_SMTP_Transport::last_message_id() );
			return;
		}
		// The relay could not take it now: the extension queued it, and the flush will update this row.
		self::record( is_array( $mail_data ) ? $mail_data : array(), 'queued', 0, $queued['reason'], $queued['message_id'], $queued['spool_id'] );
	}

	/**
	 * The spool flushed a queued message: its row becomes sent, retried or failed.
	 *
	 * @param string $spool_id The message's id in the spool.
	 * @param string $status   sent | retried | failed.
	 * @param int    $attempts Attempts so far.
	 * @param string $error    The last error ('' when sent).
	 * @return int Rows updated.
	 */
	public static function update_queued( $spool_id, $status, $attempts, $error ) {
		global $wpdb;
		if ( '' === (string) $spool_id || get_option( 'native_smtp_db_version' ) !== self::DB_VERSION ) {
			return 0;
		}
		// The spool keeps the reply as text ("The server accepted none of the recipients: 550 5.1.1 ..."):
		// the first three-digit reply code in it, as a word of its own.
		$code = preg_match( '/(?:^|[\s:])([2-5][0-9]{2})(?=[\s-]|$)/', (string) $error, $m ) ? (int) $m[1] : 0;
		return (int) $wpdb->update( // phpcs:ignore WordPress.DB.DirectDatabaseQuery -- our own table.
			self::table(),
			array(
				'status'    => $status,
				'attempts'  => max( 1, min( 65535, (int) $attempts ) ),
				'error'     => (string) $error,
				'smtp_code' => $code,
			),
			array( 'spool_id' => (string) $spool_id ),
			array( '%s', '%d', '%s', '%d' ),
			array( '%s' )
		);
	}

	/**
	 * wp_mail_failed.
	 *
	 * @param WP_Error $error The error, with wp_mail()'s data (and our smtp_* keys).
	 */
	public static function record_failure( $error ) {
		if ( ! ( $error instanceof WP_Error ) ) {
			return;
		}
		$data = $error->get_error_data( 'wp_mail_failed' );
		$data = is_array( $data ) ? $data : array();
		// Only the server's code: phpmailer_exception_code is PHPMailer's (STOP_CRITICAL and such).
		$code = isset( $data['smtp_code'] ) ? (int) $data['smtp_code'] : 0;
		self::record( $data, 'failed', $code, $error->get_error_message( 'wp_mail_failed' ) );
	}

	/**
	 * Inserts one row. The body is kept only when the admin turned that on.
	 *
	 * @param array  $mail_data wp_mail()'s data.
	 * @param string $status    sent | failed.
	 * @param int    $smtp_code The SMTP reply code of a failure, or 0.
	 * @param string $error     The error text of a failure.
	 * @param string $message_id Message-ID, when known.
	 * @param string $spool_id   The queued file's id, for a queued message.
	 * @return int The new row's id, or 0.
	 */
	public static function record( array $mail_data, $status, $smtp_code, $error, $message_id = '', $spool_id = '' ) {
		global $wpdb;
		if ( get_option( 'native_smtp_db_version' ) !== self::DB_VERSION ) {
			return 0; // Not installed (or being uninstalled): logging must never break wp_mail().
		}
		$to = isset( $mail_data['to'] ) ? $mail_data['to'] : array();
		// wp_mail() splits a string of recipients at commas; a list is kept as it is (a display name
		// may hold a comma).
		$to = is_array( $to ) ? $to : explode( ',', (string) $to );
		$to = array_values( array_filter( array_map( 'trim', array_map( 'strval', $to ) ), 'strlen' ) );
		$headers     = isset( $mail_data['headers'] ) ? $mail_data['headers'] : array();
		$attachments = isset( $mail_data['attachments'] ) ? (array) $mail_data['attachments'] : array();
		$row         = array(
			'created_at'  => current_time( 'mysql', true ),
			'blog_id'     => get_current_blog_id(),
			'to_address'  => implode( ', ', $to ),
			'recipients'  => wp_json_encode( $to ),
			'subject'     => isset( $mail_data['subject'] ) ? (string) $mail_data['subject'] : '',
			'status'      => $status,
			'smtp_code'   => max( 0, min( 65535, (int) $smtp_code ) ),
			'error'       => (string) $error,
			'headers'     => wp_json_encode( null !== self::$call_headers ? self::$call_headers : self::header_lines( $headers ) ),
			'message'     => Native_SMTP_Options::get( 'log_bodies' ) && isset( $mail_data['message'] ) ? (string) $mail_data['message'] : null,
			'attachments' => wp_json_encode( array_values( array_filter( array_map( 'strval', $attachments ) ) ) ),
			'message_id'  => substr( (string) $message_id, 0, 255 ),
			'spool_id'    => substr( (string) $spool_id, 0, 100 ),
			// Redacted by the extension (no password, no AUTH exchange); capped so one odd session
			// cannot bloat the table.
			'transcript'  => substr( implode( "\n", array_map( 'strval', Native_SMTP_Transport::last_transcript() ) ), 0, 65536 ),
		);
		self::$call_headers = null;
		$ok = $wpdb->insert( self::table(), $row, array( '%s', '%d', '%s', '%s', '%s', '%s', '%d', '%s', '%s', '%s', '%s', '%s', '%s', '%s' ) ); // phpcs:ignore WordPress.DB.DirectDatabaseQuery.DirectQuery -- our own table.
		return $ok ? (int) $wpdb->insert_id : 0;
	}

	/**
	 * wp_mail()'s headers as "Name: value" lines: a string, a list of lines, or (after wp_mail()
	 * parsed them, as wp_mail_succeeded passes them) a name => value map.
	 *
	 * @param mixed $headers Headers.
	 * @return string[]
	 */
	private static function header_lines( $headers ) {
		if ( ! is_array( $headers ) ) {
			return array_values( array_filter( explode( "\n", str_replace( "\r\n", "\n", (string) $headers ) ), 'strlen' ) );
		}
		$lines = array();
		foreach ( $headers as $name => $value ) {
			$lines[] = is_string( $name ) ? $name . ': ' . $value : (string) $value;
		}
		return $lines;
	}

	/**
	 * Deletes rows older than the retention (0 days: keep forever).
	 *
	 * @return int Rows deleted.
	 */
	public static function prune() {
		global $wpdb;
		$days = (int) Native_SMTP_Options::get( 'retention_days' );
		if ( $days <= 0 ) {
			return 0;
		}
		$cutoff = gmdate( 'Y-m-d H:i:s', time() - $days * DAY_IN_SECONDS );
		$table  = self::table();
		return (int) $wpdb->query( $wpdb->prepare( "DELETE FROM {$table} WHERE created_at < %s", $cutoff ) ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared, WordPress.DB.DirectDatabaseQuery -- table name is ours.
	}

	/**
	 * One row, or null.
	 *
	 * @param int $id Row id.
	 * @return array|null
	 */
	public static function get( $id ) {
		global $wpdb;
		$table = self::table();
		$row   = $wpdb->get_row( $wpdb->prepare( "SELECT * FROM {$table} WHERE id = %d", $id ), ARRAY_A ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared, WordPress.DB.DirectDatabaseQuery
		return is_array( $row ) ? $row : null;
	}

	/**
	 * A page of rows, newest first, filtered.
	 *
	 * @param string|array $filters  A search text, or {s: search in addresses and subject, status:
	 *                               sent | failed | queued (queued and retried), from / to: Y-m-d
	 *                               dates in the site's time zone}.
	 * @param int          $per_page Rows per page.
	 * @param int          $page     1-based page.
	 * @return array{rows: array, total: int}
	 */
	public static function query( $filters, $per_page, $page ) {
		global $wpdb;
		$filters = is_array( $filters ) ? $filters : array( 's' => (string) $filters );
		$table   = self::table();
		$where   = array( '1=1' );
		$params  = array();
		$search  = isset( $filters['s'] ) ? trim( (string) $filters['s'] ) : '';
		if ( '' !== $search ) {
			$like     = '%' . $wpdb->esc_like( $search ) . '%';
			$where[]  = '(to_address LIKE %s OR recipients LIKE %s OR subject LIKE %s OR error LIKE %s)';
			$params[] = $like;
			$params[] = $like;
			$params[] = $like;
			$params[] = $like;
		}
		$status = isset( $filters['status'] ) ? (string) $filters['status'] : '';
		if ( 'queued' === $status ) {
			$where[] = "status IN ('queued', 'retried')";
		} elseif ( in_array( $status, array( 'sent', 'failed' ), true ) ) {
			$where[]  = 'status = %s';
			$params[] = $status;
		}
		foreach ( array(
			'from' => '>=',
			'to'   => '<',
		) as $key => $operator ) {
			$day = isset( $filters[ $key ] ) ? (string) $filters[ $key ] : '';
			if ( ! preg_match( '/^\d{4}-\d{2}-\d{2}$/', $day ) ) {
				continue;
			}
			// The admin picks days in the site's time zone; rows are in UTC. "to" includes its day.
			$local = date_create_immutable( $day . ' 00:00:00', wp_timezone() );
			if ( false === $local ) {
				continue;
			}
			if ( 'to' === $key ) {
				$local = $local->modify( '+1 day' );
			}
			$where[]  = "created_at {$operator} %s";
			$params[] = $local->setTimezone( new DateTimeZone( 'UTC' ) )->format( 'Y-m-d H:i:s' );
		}
		$where     = implode( ' AND ', $where );
		$count_sql = "SELECT COUNT(*) FROM {$table} WHERE {$where}";
		$total     = (int) $wpdb->get_var( $params ? $wpdb->prepare( $count_sql, $params ) : $count_sql ); // phpcs:ignore WordPress.DB
		$rows_sql  = "SELECT * FROM {$table} WHERE {$where} ORDER BY id DESC LIMIT %d OFFSET %d";
		$rows      = $wpdb->get_results( $wpdb->prepare( $rows_sql, array_merge( $params, array( $per_page, max( 0, ( $page - 1 ) * $per_page ) ) ) ), ARRAY_A ); // phpcs:ignore WordPress.DB
		return array(
			'rows'  => is_array( $rows ) ? $rows : array(),
			'total' => $total,
		);
	}

	/**
	 * Rows sent to one address (privacy export and erasure), oldest first.
	 *
	 * @param string $email    Address.
	 * @param int    $per_page Rows.
	 * @param int    $page     1-based page.
	 * @return array
	 */
	public static function rows_for_address( $email, $per_page, $page ) {
		global $wpdb;
		$email = strtolower( trim( (string) $email ) );
		if ( '' === $email || ! is_email( $email ) || get_option( 'native_smtp_db_version' ) !== self::DB_VERSION ) {
			return array();
		}
		$table = self::table();
		$like  = '%' . $wpdb->esc_like( $email ) . '%';
		$rows  = $wpdb->get_results( $wpdb->prepare( "SELECT * FROM {$table} WHERE recipients LIKE %s OR to_address LIKE %s ORDER BY id ASC LIMIT %d OFFSET %d", $like, $like, $per_page * 4, 0 ), ARRAY_A ); // phpcs:ignore WordPress.DB
		// LIKE also matches "xann@example.com" for "ann@example.com": keep exact addresses only.
		$matching = array();
		foreach ( (array) $rows as $row ) {
			foreach ( self::recipients_of( $row ) as $recipient ) {
				$address = preg_match( '/<([^>]+)>\s*$/', $recipient, $m ) ? $m[1] : $recipient;
				if ( strtolower( trim( $address ) ) === $email ) {
					$matching[] = $row;
					break;
				}
			}
		}
		return array_slice( $matching, ( $page - 1 ) * $per_page, $per_page );
	}

	/**
	 * Deletes rows.
	 *
	 * @param int[] $ids Row ids.
	 * @return int Rows deleted.
	 */
	public static function delete( array $ids ) {
		global $wpdb;
		$ids = array_values( array_filter( array_map( 'absint', $ids ) ) );
		if ( ! $ids ) {
			return 0;
		}
		$table   = self::table();
		$holders = implode( ',', array_fill( 0, count( $ids ), '%d' ) );
		return (int) $wpdb->query( $wpdb->prepare( "DELETE FROM {$table} WHERE id IN ({$holders})", $ids ) ); // phpcs:ignore WordPress.DB -- our own table; placeholders built above.
	}

	/**
	 * Deletes every row of this site's log.
	 *
	 * @return int Rows deleted.
	 */
	public static function purge() {
		global $wpdb;
		$table = self::table();
		return (int) $wpdb->query( "DELETE FROM {$table}" ); // phpcs:ignore WordPress.DB -- our own table.
	}

	/**
	 * Sends a logged email again (needs its stored body). The new attempt is logged as a new row.
	 *
	 * @param int $id Row id.
	 * @return bool|WP_Error wp_mail()'s result, or why it could not be tried.
	 */
	public static function resend( $id ) {
		$row = self::get( $id );
		if ( null === $row ) {
			return new WP_Error( 'native_smtp_no_row', __( 'That log entry does not exist.', 'native-smtp' ) );
		}
		if ( null === $row['message'] ) {
			return new WP_Error( 'native_smtp_no_body', __( 'This email cannot be resent because its body was not stored. Turn on "Store email bodies" to be able to resend.', 'native-smtp' ) );
		}
		$headers     = json_decode( (string) $row['headers'], true );
		$attachments = json_decode( (string) $row['attachments'], true );
		$attachments = is_array( $attachments ) ? array_values( array_map( 'strval', $attachments ) ) : array();
		// A missing attachment would make it a different email: say so and send nothing.
		$gone = array_values( array_filter( $attachments, static function ( $file ) {
			return ! is_readable( $file );
		} ) );
		if ( $gone ) {
			return new WP_Error(
				'native_smtp_attachment_gone',
				sprintf(
					/* translators: %s: file names */
					__( 'This email was not resent: its attachment is no longer on the server (%s).', 'native-smtp' ),
					implode( ', ', array_map( 'wp_basename', $gone ) )
				)
			);
		}
		return wp_mail( self::recipients_of( $row ), $row['subject'], $row['message'], is_array( $headers ) ? $headers : array(), $attachments );
	}

	/**
	 * admin-post.php, POST action=native_smtp_resend&id=N: capability and nonce checked, then back to
	 * the email's detail view with the result (post/redirect/get: a reload sends nothing).
	 */
	public static function handle_resend() {
		if ( ! current_user_can( 'manage_options' ) ) {
			wp_die( esc_html__( 'Sorry, you are not allowed to resend emails.', 'native-smtp' ), 403 );
		}
		if ( 'POST' !== ( isset( $_SERVER['REQUEST_METHOD'] ) ? $_SERVER['REQUEST_METHOD'] : '' ) ) { // phpcs:ignore WordPress.Security.ValidatedSanitizedInput -- compared only.
			wp_die( esc_html__( 'Resending needs the Resend button.', 'native-smtp' ), 405 );
		}
		$id = isset( $_POST['id'] ) ? absint( $_POST['id'] ) : 0;
		check_admin_referer( 'native_smtp_resend_' . $id );
		$result = self::resend( $id );
		if ( is_wp_error( $result ) ) {
			$notice = 'error:' . $result->get_error_message();
		} elseif ( $result ) {
			$notice = 'ok';
		} else {
			$notice = 'failed';
		}
		set_transient( 'native_smtp_resend_notice_' . get_current_user_id(), $notice, MINUTE_IN_SECONDS );
		wp_safe_redirect( admin_url( 'options-general.php?page=native-smtp&tab=log&email=' . $id ) );
		exit;
	}

	/**
	 * admin-post.php, POST action=native_smtp_log_delete&id=N: deletes one entry.
	 */
	public static function handle_delete() {
		if ( ! current_user_can( 'manage_options' ) ) {
			wp_die( esc_html__( 'Sorry, you are not allowed to do that.', 'native-smtp' ), 403 );
		}
		$id = isset( $_POST['id'] ) ? absint( $_POST['id'] ) : 0;
		check_admin_referer( 'native_smtp_log_delete_' . $id );
		$deleted = self::delete( array( $id ) );
		set_transient( 'native_smtp_log_notice_' . get_current_user_id(), 'deleted:' . $deleted, MINUTE_IN_SECONDS );
		wp_safe_redirect( admin_url( 'options-general.php?page=native-smtp&tab=log' ) );
		exit;
	}

	/**
	 * admin-post.php, POST action=native_smtp_log_purge: empties this site's log.
	 */
	public static function handle_purge() {
		if ( ! current_user_can( 'manage_options' ) ) {
			wp_die( esc_html__( 'Sorry, you are not allowed to do that.', 'native-smtp' ), 403 );
		}
		check_admin_referer( 'native_smtp_log_purge' );
		$deleted = self::purge();
		set_transient( 'native_smtp_log_notice_' . get_current_user_id(), 'deleted:' . $deleted, MINUTE_IN_SECONDS );
		wp_safe_redirect( admin_url( 'options-general.php?page=native-smtp&tab=log' ) );
		exit;
	}
}

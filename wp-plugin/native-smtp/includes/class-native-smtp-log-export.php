<?php
/**
 * Email Log tools: export as CSV, and "Resend all failed" (with a confirmation step).
 *
 * CSV: a cell that starts with = + - @, a tab or a carriage return is read as a formula by
 * spreadsheet programs (CSV injection: a subject "=HYPERLINK(...)" would run in the admin's
 * Excel), so such a cell gets a leading apostrophe.
 *
 * Resend all failed: the confirmation page names how many and fixes the set (every failed entry up
 * to the newest id it saw); each entry is claimed in SQL (failed -> resent) before it is sent, so
 * a double submit, a reload or two admins at once send each email once. Each resend is an
 * ordinary wp_mail(): with the queue on, a relay that is down queues it (nothing is lost), and
 * the new attempt has a row of its own.
 *
 * @package Native_SMTP
 */

defined( 'ABSPATH' ) || exit;

/**
 * CSV export and Resend all failed.
 */
class Native_SMTP_Log_Export {

	/** Columns of the CSV, in order. */
	const COLUMNS = array( 'id', 'created_at', 'status', 'to', 'subject', 'smtp_code', 'error', 'attempts', 'message_id' );

	/** Emails resent per request: a request must end well within PHP's time limit. */
	const RESEND_LIMIT = 50;

	/** Log status of a failed entry that "Resend all failed" has resent. */
	const RESENT = 'resent';

	/**
	 * Hooks the admin-post actions.
	 */
	public static function register_hooks() {
		add_action( 'admin_post_native_smtp_log_export', array( __CLASS__, 'handle_export' ) );
		add_action( 'admin_post_native_smtp_resend_failed', array( __CLASS__, 'handle_resend_failed' ) );
		add_action( 'native_smtp_log_tab_top', array( __CLASS__, 'render_log_tools' ) );
	}

	/**
	 * Makes a cell safe to open in a spreadsheet.
	 *
	 * @param mixed $value Cell.
	 * @return string
	 */
	public static function neutralise( $value ) {
		$value = (string) $value;
		if ( '' !== $value && false !== strpos( "=+-@\t\r", $value[0] ) ) {
			return "'" . $value;
		}
		return $value;
	}

	/**
	 * Writes the log (filtered like the list: s, status, from, to) as CSV, newest first like the
	 * list, in batches.
	 *
	 * @param resource $stream  Where to write.
	 * @param array    $filters Native_SMTP_Log::query() filters.
	 * @return int Rows written.
	 */
	public static function write_csv( $stream, array $filters ) {
		fwrite( $stream, "\xEF\xBB\xBF" ); // phpcs:ignore WordPress.WP.AlternativeFunctions.file_system_operations_fwrite -- a BOM: Excel then reads UTF-8 (Vietnamese subjects) right.
		fputcsv( $stream, self::COLUMNS );
		$written = 0;
		$page    = 1;
		do {
			$result = Native_SMTP_Log::query( $filters, 500, $page );
			foreach ( $result['rows'] as $row ) {
				$cells = array(
					$row['id'],
					$row['created_at'],
					$row['status'],
					implode( ', ', Native_SMTP_Log::recipients_of( $row ) ),
					$row['subject'],
					$row['smtp_code'],
					$row['error'],
					$row['attempts'],
					$row['message_id'],
				);
				fputcsv( $stream, array_map( array( __CLASS__, 'neutralise' ), $cells ) );
				++$written;
			}
			++$page;
		} while ( count( $result['rows'] ) === 500 );
		return $written;
	}

	/**
	 * The filters of an export request, cleaned as the list cleans them.
	 *
	 * @param array $input Request fields.
	 * @return array
	 */
	public static function filters_from( array $input ) {
		$filters = array();
		foreach ( array( 's', 'status', 'from', 'to' ) as $key ) {
			$filters[ $key ] = isset( $input[ $key ] ) && is_string( $input[ $key ] ) ? sanitize_text_field( $input[ $key ] ) : '';
		}
		$filters['status'] = in_array( $filters['status'], array( 'sent', 'failed', 'queued' ), true ) ? $filters['status'] : '';
		return $filters;
	}

	/**
	 * admin-post.php, POST action=native_smtp_log_export: capability and nonce, then the CSV.
	 */
	public static function handle_export() {
		if ( ! current_user_can( Native_SMTP_Admin::CAPABILITY ) ) {
			wp_die( esc_html__( 'Sorry, you are not allowed to do that.', 'native-smtp' ), 403 );
		}
		check_admin_referer( 'native_smtp_log_export' );
		$filters = self::filters_from( wp_unslash( $_POST ) ); // phpcs:ignore WordPress.Security.ValidatedSanitizedInput -- cleaned in filters_from().
		nocache_headers();
		header( 'Content-Type: text/csv; charset=utf-8' );
		header( 'Content-Disposition: attachment; filename="native-smtp-log-' . gmdate( 'Y-m-d' ) . '.csv"' );
		header( 'X-Content-Type-Options: nosniff' );
		$out = fopen( 'php://output', 'w' ); // phpcs:ignore WordPress.WP.AlternativeFunctions.file_system_operations_fopen
		self::write_csv( $out, $filters );
		fclose( $out ); // phpcs:ignore WordPress.WP.AlternativeFunctions.file_system_operations_fclose
		exit;
	}

	/**
	 * The failed entries a "Resend all failed" would send: up to $upto (0: all), and how many of
	 * them cannot be (no stored body).
	 *
	 * @param int $upto Highest row id included (0: no limit).
	 * @return array{ids: int[], without_body: int, max_id: int}
	 */
	public static function failed_entries( $upto = 0 ) {
		global $wpdb;
		$table = Native_SMTP_Log::table();
		$upto  = (int) $upto > 0 ? (int) $upto : PHP_INT_MAX;
		// phpcs:disable WordPress.DB.DirectDatabaseQuery, WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- our own table.
		$ids     = $wpdb->get_col( $wpdb->prepare( "SELECT id FROM {$table} WHERE status = 'failed' AND message IS NOT NULL AND id <= %d ORDER BY id ASC", $upto ) );
		$without = (int) $wpdb->get_var( $wpdb->prepare( "SELECT COUNT(*) FROM {$table} WHERE status = 'failed' AND message IS NULL AND id <= %d", $upto ) );
		// phpcs:enable
		$ids = array_map( 'intval', (array) $ids );
		return array(
			'ids'          => $ids,
			'without_body' => $without,
			'max_id'       => $ids ? max( $ids ) : 0,
		);
	}

	/**
	 * Resends failed entries up to $upto, each at most once whatever runs at the same time.
	 *
	 * @param int $upto Highest row id (what the confirmation showed).
	 * @return array{resent: int, failed: int, skipped: int, remaining: int}
	 */
	public static function resend_failed( $upto ) {
		global $wpdb;
		$table  = Native_SMTP_Log::table();
		$counts = array(
			'resent'    => 0,
			'failed'    => 0,
			'skipped'   => 0,
			'remaining' => 0,
		);
		$ids    = self::failed_entries( $upto )['ids'];
		foreach ( $ids as $index => $id ) {
			if ( $counts['resent'] + $counts['failed'] >= self::RESEND_LIMIT ) {
				$counts['remaining'] = count( $ids ) - $index;
				break;
			}
			// The claim: only the request that turns it from failed to resent sends it.
			$claimed = (int) $wpdb->query( $wpdb->prepare( "UPDATE {$table} SET status = %s WHERE id = %d AND status = 'failed'", self::RESENT, $id ) ); // phpcs:ignore WordPress.DB.DirectDatabaseQuery, WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- our own table.
			if ( 1 !== $claimed ) {
				++$counts['skipped'];
				continue;
			}
			$result = Native_SMTP_Log::resend( $id );
			if ( is_wp_error( $result ) ) {
				// Not tried (an attachment is gone): it stays failed, for the admin to see why.
				$wpdb->update( $table, array( 'status' => 'failed' ), array( 'id' => $id ), array( '%s' ), array( '%d' ) ); // phpcs:ignore WordPress.DB.DirectDatabaseQuery
				++$counts['skipped'];
			} elseif ( $result ) {
				++$counts['resent'];
			} else {
				++$counts['failed']; // Tried: the new attempt's own row says why.
			}
		}
		return $counts;
	}

	/**
	 * admin-post.php, POST action=native_smtp_resend_failed&upto=N: capability, nonce, POST only;
	 * then back to the log with the counts (post/redirect/get).
	 */
	public static function handle_resend_failed() {
		if ( ! current_user_can( Native_SMTP_Admin::CAPABILITY ) ) {
			wp_die( esc_html__( 'Sorry, you are not allowed to resend emails.', 'native-smtp' ), 403 );
		}
		if ( 'POST' !== ( isset( $_SERVER['REQUEST_METHOD'] ) ? $_SERVER['REQUEST_METHOD'] : '' ) ) { // phpcs:ignore WordPress.Security.ValidatedSanitizedInput -- compared only.
			wp_die( esc_html__( 'Resending needs the Resend button.', 'native-smtp' ), 405 );
		}
		check_admin_referer( 'native_smtp_resend_failed' );
		$upto   = isset( $_POST['upto'] ) ? absint( $_POST['upto'] ) : 0;
		$counts = 0 === $upto ? array(
			'resent'    => 0,
			'failed'    => 0,
			'skipped'   => 0,
			'remaining' => 0,
		) : self::resend_failed( $upto );
		set_transient( 'native_smtp_resend_all_notice_' . get_current_user_id(), $counts, MINUTE_IN_SECONDS );
		wp_safe_redirect( admin_url( 'options-general.php?page=' . Native_SMTP_Admin::PAGE . '&tab=log' ) );
		exit;
	}

	/**
	 * At the top of the Email Log: the result of a Resend all failed, the confirmation when asked
	 * for, and the Export CSV and Resend all failed buttons.
	 *
	 * @param array $filters The list's current filters.
	 */
	public static function render_log_tools( $filters = array() ) {
		if ( ! current_user_can( Native_SMTP_Admin::CAPABILITY ) ) {
			return;
		}
		$filters = is_array( $filters ) ? $filters : array();
		$notice  = get_transient( 'native_smtp_resend_all_notice_' . get_current_user_id() );
		if ( is_array( $notice ) ) {
			delete_transient( 'native_smtp_resend_all_notice_' . get_current_user_id() );
			$class = $notice['failed'] > 0 ? 'warning' : 'success';
			echo '<div class="notice notice-' . esc_attr( $class ) . ' is-dismissible" id="native-smtp-resend-all-notice"><p>';
			if ( 0 === $notice['resent'] + $notice['failed'] ) {
				esc_html_e( 'Nothing was resent: those emails were already resent.', 'native-smtp' );
			} else {
				echo esc_html(
					sprintf(
						/* translators: 1: resent or queued, 2: failed again */
						__( 'Resent: %1$d sent or queued, %2$d failed again (see their new log entries).', 'native-smtp' ),
						$notice['resent'],
						$notice['failed']
					)
				);
			}
			if ( $notice['remaining'] > 0 ) {
				echo ' ' . esc_html(
					sprintf(
						/* translators: %d: number of emails */
						_n( '%d more failed email is left: run Resend all failed again.', '%d more failed emails are left: run Resend all failed again.', $notice['remaining'], 'native-smtp' ),
						$notice['remaining']
					)
				);
			}
			echo '</p></div>';
		}

		// phpcs:ignore WordPress.Security.NonceVerification.Recommended -- showing the confirmation changes nothing.
		if ( isset( $_GET['resend_failed'] ) ) {
			self::render_confirmation();
			return;
		}

		echo '<div class="native-smtp-log-tools" style="display:flex;gap:.5em;flex-wrap:wrap;margin:1em 0">';
		echo '<form method="post" action="' . esc_url( admin_url( 'admin-post.php' ) ) . '" id="native-smtp-log-export">';
		echo '<input type="hidden" name="action" value="native_smtp_log_export" />';
		wp_nonce_field( 'native_smtp_log_export' );
		foreach ( array( 's', 'status', 'from', 'to' ) as $key ) {
			if ( isset( $filters[ $key ] ) && '' !== $filters[ $key ] ) {
				echo '<input type="hidden" name="' . esc_attr( $key ) . '" value="' . esc_attr( $filters[ $key ] ) . '" />';
			}
		}
		submit_button( __( 'Export CSV', 'native-smtp' ), 'secondary', 'native_smtp_log_export', false, array( 'id' => 'native-smtp-log-export-button' ) );
		echo '</form>';
		$failed = self::failed_entries();
		if ( $failed['ids'] ) {
			printf(
				'<a class="button" id="native-smtp-resend-failed-link" href="%1$s">%2$s</a>',
				esc_url( admin_url( 'options-general.php?page=' . Native_SMTP_Admin::PAGE . '&tab=log&resend_failed=confirm' ) ),
				esc_html(
					sprintf(
						/* translators: %d: number of emails */
						__( 'Resend all failed (%d)', 'native-smtp' ),
						count( $failed['ids'] )
					)
				)
			);
		}
		echo '</div>';
	}

	/**
	 * The confirmation step: how many will be sent again, how many cannot be, and the button.
	 */
	private static function render_confirmation() {
		$failed = self::failed_entries();
		$back   = admin_url( 'options-general.php?page=' . Native_SMTP_Admin::PAGE . '&tab=log' );
		echo '<div class="notice notice-warning inline" id="native-smtp-resend-failed-confirm"><p><strong>';
		if ( ! $failed['ids'] ) {
			esc_html_e( 'There is no failed email with a stored body to resend.', 'native-smtp' );
			echo '</strong></p><p><a href="' . esc_url( $back ) . '">' . esc_html__( 'Back to the log', 'native-smtp' ) . '</a></p></div>';
			return;
		}
		echo esc_html(
			sprintf(
				/* translators: %d: number of emails */
				_n( 'Resend %d failed email?', 'Resend %d failed emails?', count( $failed['ids'] ), 'native-smtp' ),
				count( $failed['ids'] )
			)
		);
		echo '</strong></p><p>' . esc_html__( 'Each one is sent again to its recipients as it was. Check first that the reason they failed is fixed, or they fail again.', 'native-smtp' ) . '</p>';
		if ( $failed['without_body'] > 0 ) {
			echo '<p>' . esc_html(
				sprintf(
					/* translators: %d: number of emails */
					_n( '%d failed email cannot be resent: its body was not stored.', '%d failed emails cannot be resent: their bodies were not stored.', $failed['without_body'], 'native-smtp' ),
					$failed['without_body']
				)
			) . '</p>';
		}
		echo '<form method="post" action="' . esc_url( admin_url( 'admin-post.php' ) ) . '" id="native-smtp-resend-failed-form"><p>';
		echo '<input type="hidden" name="action" value="native_smtp_resend_failed" />';
		echo '<input type="hidden" name="upto" value="' . esc_attr( (string) $failed['max_id'] ) . '" />';
		wp_nonce_field( 'native_smtp_resend_failed' );
		submit_button( __( 'Yes, resend them', 'native-smtp' ), 'primary', 'native_smtp_resend_failed', false, array( 'id' => 'native-smtp-resend-failed-button' ) );
		echo ' <a class="button" id="native-smtp-resend-failed-cancel" href="' . esc_url( $back ) . '">' . esc_html__( 'Cancel', 'native-smtp' ) . '</a>';
		echo '</p></form></div>';
	}
}

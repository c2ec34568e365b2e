<?php
/**
 * The weekly summary email (sent / failed / queued and the top failure reasons of the last 7
 * days), on WP-Cron, turned off in the Alerts settings; and the numbers behind it, which the
 * dashboard widget shows too.
 *
 * @package Native_SMTP
 */

defined( 'ABSPATH' ) || exit;

/**
 * Log statistics and the weekly summary.
 */
class Native_SMTP_Summary {

	/** Weekly WP-Cron event. */
	const CRON_HOOK = 'native_smtp_weekly_summary';

	/** On multisite, at most this many sites' logs are read for the network's summary. */
	const MAX_SITES = 100;

	/**
	 * Hooks the cron job and keeps it scheduled (or not) as the settings say.
	 */
	public static function register_hooks() {
		add_action( self::CRON_HOOK, array( __CLASS__, 'send' ) );
		add_action( 'plugins_loaded', array( __CLASS__, 'schedule' ) );
	}

	/**
	 * Schedules the weekly summary when it is on (on the main site of a network), removes it when
	 * off. Runs when the Alerts settings are saved, and on admin requests to put back an event that
	 * went missing: the settings are not autoloaded, so a front-end request never reads them.
	 */
	public static function schedule() {
		if ( is_multisite() && ! is_main_site() ) {
			return;
		}
		if ( doing_action( 'plugins_loaded' ) && ! is_admin() ) {
			return;
		}
		$next = wp_next_scheduled( self::CRON_HOOK );
		$on   = (bool) Native_SMTP_Alerts::settings()['summary'];
		if ( $on && ! $next ) {
			wp_schedule_event( time() + DAY_IN_SECONDS, 'weekly', self::CRON_HOOK );
		} elseif ( ! $on && $next ) {
			self::unschedule();
		}
	}

	/**
	 * Removes the weekly event (deactivation, summary turned off).
	 */
	public static function unschedule() {
		wp_clear_scheduled_hook( self::CRON_HOOK );
	}

	/**
	 * The log tables the summary reads: this site's, or on multisite the network's sites' (those
	 * that have one).
	 *
	 * @param bool $network Whether to read the whole network.
	 * @return array<int, string> blog id => table.
	 */
	public static function tables( $network = false ) {
		global $wpdb;
		if ( ! $network || ! is_multisite() ) {
			return array( get_current_blog_id() => Native_SMTP_Log::table() );
		}
		$tables = array();
		/** This filter is documented here: how many sites the network's summary reads at most. */
		$max = (int) apply_filters( 'native_smtp_summary_max_sites', self::MAX_SITES );
		foreach ( get_sites(
			array(
				'fields'                 => 'ids',
				'number'                 => max( 1, $max ),
				'orderby'                => 'id',
				'update_site_meta_cache' => false,
			)
		) as $id ) {
			$tables[ (int) $id ] = $wpdb->get_blog_prefix( (int) $id ) . 'native_smtp_log';
		}
		return $tables;
	}

	/**
	 * Counts of the last $days days: totals, per day (UTC dates) and the top failure reasons.
	 *
	 * @param int   $days   Days back from now.
	 * @param array $tables From tables().
	 * @return array{sent: int, failed: int, queued: int, days: array<string, array{sent: int, failed: int, queued: int}>, reasons: array<int, array{reason: string, count: int}>}
	 */
	public static function stats( $days = 7, ?array $tables = null ) {
		global $wpdb;
		$tables = null === $tables ? self::tables() : $tables;
		$since  = gmdate( 'Y-m-d H:i:s', time() - (int) $days * DAY_IN_SECONDS );
		$stats  = array(
			'sent'    => 0,
			'failed'  => 0,
			'queued'  => 0,
			'days'    => array(),
			'reasons' => array(),
		);
		for ( $i = (int) $days - 1; $i >= 0; $i-- ) {
			$stats['days'][ gmdate( 'Y-m-d', time() - $i * DAY_IN_SECONDS ) ] = array(
				'sent'   => 0,
				'failed' => 0,
				'queued' => 0,
			);
		}
		$reasons  = array();
		$suppress = $wpdb->suppress_errors( true ); // A site whose table is not made yet is just empty.
		foreach ( $tables as $table ) {
			// phpcs:disable WordPress.DB.DirectDatabaseQuery, WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- our own tables.
			$rows = $wpdb->get_results( $wpdb->prepare( "SELECT DATE(created_at) AS day, status, COUNT(*) AS n FROM {$table} WHERE created_at >= %s GROUP BY day, status", $since ), ARRAY_A );
			foreach ( (array) $rows as $row ) {
				$bucket = self::bucket( (string) $row['status'] );
				$stats[ $bucket ] += (int) $row['n'];
				if ( isset( $stats['days'][ $row['day'] ] ) ) {
					$stats['days'][ $row['day'] ][ $bucket ] += (int) $row['n'];
				}
			}
			$top = $wpdb->get_results( $wpdb->prepare( "SELECT smtp_code, LEFT(error, 160) AS reason, COUNT(*) AS n FROM {$table} WHERE created_at >= %s AND status IN ('failed', 'resent') GROUP BY smtp_code, reason ORDER BY n DESC LIMIT 5", $since ), ARRAY_A );
			// phpcs:enable
			foreach ( (array) $top as $row ) {
				$reason             = trim( (string) $row['reason'] );
				$reason             = '' === $reason ? __( '(no error text)', 'native-smtp' ) : $reason;
				$reasons[ $reason ] = ( isset( $reasons[ $reason ] ) ? $reasons[ $reason ] : 0 ) + (int) $row['n'];
			}
		}
		$wpdb->suppress_errors( $suppress );
		arsort( $reasons );
		foreach ( array_slice( $reasons, 0, 5, true ) as $reason => $count ) {
			$stats['reasons'][] = array(
				'reason' => (string) $reason,
				'count'  => (int) $count,
			);
		}
		return $stats;
	}

	/**
	 * Which count a log status goes to.
	 *
	 * @param string $status Log status.
	 * @return string sent | failed | queued
	 */
	private static function bucket( $status ) {
		if ( 'sent' === $status ) {
			return 'sent';
		}
		return in_array( $status, array( 'queued', 'retried' ), true ) ? 'queued' : 'failed';
	}

	/**
	 * The summary's subject and text.
	 *
	 * @param array $stats From stats().
	 * @return array{subject: string, body: string}
	 */
	public static function compose( array $stats ) {
		$site    = wp_specialchars_decode( is_multisite() ? get_network()->site_name : get_bloginfo( 'name' ), ENT_QUOTES );
		$subject = sprintf(
			/* translators: 1: site name, 2: sent, 3: failed, 4: queued */
			__( '[%1$s] Email summary of the last 7 days: %2$d sent, %3$d failed, %4$d queued', 'native-smtp' ),
			$site,
			$stats['sent'],
			$stats['failed'],
			$stats['queued']
		);
		$lines   = array(
			__( 'Native SMTP: what your site sent in the last 7 days.', 'native-smtp' ),
			'',
			/* translators: %d: number of emails */
			sprintf( __( 'Sent: %d', 'native-smtp' ), $stats['sent'] ),
			/* translators: %d: number of emails */
			sprintf( __( 'Failed: %d', 'native-smtp' ), $stats['failed'] ),
			/* translators: %d: number of emails */
			sprintf( __( 'Queued for another try: %d', 'native-smtp' ), $stats['queued'] ),
			'',
		);
		if ( $stats['reasons'] ) {
			$lines[] = __( 'Top failure reasons:', 'native-smtp' );
			foreach ( $stats['reasons'] as $reason ) {
				$lines[] = sprintf( '- %dx %s', $reason['count'], $reason['reason'] );
			}
		} else {
			$lines[] = __( 'No failures.', 'native-smtp' );
		}
		$lines[] = '';
		$lines[] = __( 'Email log:', 'native-smtp' ) . ' ' . admin_url( 'options-general.php?page=native-smtp&tab=log' );
		$lines[] = __( 'Turn this summary off under Settings -> Native SMTP -> Alerts.', 'native-smtp' );
		return array(
			'subject' => $subject,
			'body'    => implode( "\n", $lines ) . "\n",
		);
	}

	/**
	 * The cron job: sends the summary to the summary addresses (else the alert addresses, else the
	 * site's admin address), once, with the queue off.
	 *
	 * @return bool|null wp_mail()'s result; null when the summary is off.
	 */
	public static function send() {
		$settings = Native_SMTP_Alerts::settings();
		if ( ! $settings['summary'] ) {
			return null;
		}
		$to = $settings['summary_emails'] ? $settings['summary_emails'] : $settings['emails'];
		if ( ! $to ) {
			$to = array( is_multisite() ? get_site_option( 'admin_email' ) : get_option( 'admin_email' ) );
		}
		$mail = self::compose( self::stats( 7, self::tables( true ) ) );
		return (bool) Native_SMTP_Transport::without_spool(
			static function () use ( $to, $mail ) {
				return wp_mail( $to, $mail['subject'], $mail['body'], array( Native_SMTP_Alerts::HEADER . ': summary' ) );
			}
		);
	}
}

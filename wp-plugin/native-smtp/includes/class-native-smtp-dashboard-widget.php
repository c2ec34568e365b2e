<?php
/**
 * Dashboard widget: this site's email of the last 7 days (sent / failed / queued, per day, the top
 * failure reasons), for those who may see the email log.
 *
 * @package Native_SMTP
 */

defined( 'ABSPATH' ) || exit;

/**
 * The "Native SMTP: last 7 days" dashboard widget.
 */
class Native_SMTP_Dashboard_Widget {

	/** Widget id. */
	const ID = 'native_smtp_dashboard';

	/**
	 * Hooks the widget in.
	 */
	public static function register_hooks() {
		add_action( 'wp_dashboard_setup', array( __CLASS__, 'add' ) );
	}

	/**
	 * wp_dashboard_setup: only for users who may read the log (the same capability as the page).
	 */
	public static function add() {
		if ( ! current_user_can( Native_SMTP_Admin::CAPABILITY ) ) {
			return;
		}
		wp_add_dashboard_widget( self::ID, __( 'Native SMTP: last 7 days', 'native-smtp' ), array( __CLASS__, 'render' ) );
	}

	/**
	 * The widget's content; everything from the log is escaped (a failure reason is the relay's
	 * text, a subject the sender's).
	 */
	public static function render() {
		if ( ! current_user_can( Native_SMTP_Admin::CAPABILITY ) ) {
			return;
		}
		$stats = Native_SMTP_Summary::stats( 7 );
		echo '<div id="native-smtp-dashboard-stats">';
		printf(
			'<p class="native-smtp-dashboard-totals"><strong>%1$s</strong> %2$s &middot; <strong>%3$s</strong> %4$s &middot; <strong>%5$s</strong> %6$s</p>',
			esc_html( number_format_i18n( $stats['sent'] ) ),
			esc_html__( 'sent', 'native-smtp' ),
			esc_html( number_format_i18n( $stats['failed'] ) ),
			esc_html__( 'failed', 'native-smtp' ),
			esc_html( number_format_i18n( $stats['queued'] ) ),
			esc_html__( 'queued', 'native-smtp' )
		);
		echo '<table class="widefat striped" style="margin-bottom:1em"><thead><tr><th scope="col">' . esc_html__( 'Day', 'native-smtp' ) . '</th><th scope="col">' . esc_html__( 'Sent', 'native-smtp' ) . '</th><th scope="col">' . esc_html__( 'Failed', 'native-smtp' ) . '</th><th scope="col">' . esc_html__( 'Queued', 'native-smtp' ) . '</th></tr></thead><tbody>';
		foreach ( $stats['days'] as $day => $counts ) {
			printf(
				'<tr><td>%1$s</td><td>%2$s</td><td>%3$s</td><td>%4$s</td></tr>',
				esc_html( date_i18n( get_option( 'date_format' ), strtotime( $day . ' 12:00:00 UTC' ) ) ),
				esc_html( number_format_i18n( $counts['sent'] ) ),
				esc_html( number_format_i18n( $counts['failed'] ) ),
				esc_html( number_format_i18n( $counts['queued'] ) )
			);
		}
		echo '</tbody></table>';
		if ( $stats['reasons'] ) {
			echo '<p><strong>' . esc_html__( 'Top failure reasons', 'native-smtp' ) . '</strong></p><ul class="native-smtp-dashboard-reasons">';
			foreach ( $stats['reasons'] as $reason ) {
				printf( '<li>%1$s&times; %2$s</li>', esc_html( number_format_i18n( $reason['count'] ) ), esc_html( $reason['reason'] ) );
			}
			echo '</ul>';
		}
		printf( '<p><a href="%1$s">%2$s</a></p>', esc_url( admin_url( 'options-general.php?page=' . Native_SMTP_Admin::PAGE . '&tab=log' ) ), esc_html__( 'Open the email log', 'native-smtp' ) );
		echo '</div>';
	}
}

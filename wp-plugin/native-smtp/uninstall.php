<?php
/**
 * Runs when the plugin is deleted: removes its options, its log table and its cron event.
 *
 * @package Native_SMTP
 */

defined( 'ABSPATH' ) || exit;
defined( 'WP_UNINSTALL_PLUGIN' ) || exit;

if ( ! function_exists( 'native_smtp_uninstall_site' ) ) {
	/**
	 * Removes everything Native SMTP stored on one site.
	 */
	function native_smtp_uninstall_site() {
		global $wpdb;
		foreach ( array( 'native_smtp_options', 'native_smtp_db_version', 'native_smtp_last_send' ) as $option ) {
			delete_option( $option );
		}
		wp_clear_scheduled_hook( 'native_smtp_prune_log' );
		$wpdb->query( "DROP TABLE IF EXISTS {$wpdb->prefix}native_smtp_log" ); // phpcs:ignore WordPress.DB.DirectDatabaseQuery, WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- our own table; names cannot be placeholders.
		// Resend notices are short-lived transients; remove any left.
		$wpdb->query( $wpdb->prepare( "DELETE FROM {$wpdb->options} WHERE option_name LIKE %s OR option_name LIKE %s", $wpdb->esc_like( '_transient_native_smtp_' ) . '%', $wpdb->esc_like( '_transient_timeout_native_smtp_' ) . '%' ) ); // phpcs:ignore WordPress.DB.DirectDatabaseQuery
	}
}

if ( is_multisite() ) {
	foreach ( get_sites( array( 'fields' => 'ids' ) ) as $native_smtp_site_id ) {
		switch_to_blog( $native_smtp_site_id );
		native_smtp_uninstall_site();
		restore_current_blog();
	}
} else {
	native_smtp_uninstall_site();
}

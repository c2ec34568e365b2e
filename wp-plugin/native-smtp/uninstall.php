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
		foreach ( array( 'native_smtp_options', 'native_smtp_db_version', 'native_smtp_last_send', 'native_smtp_dkim_keys', 'native_smtp_failed_notice' ) as $option ) {
			delete_option( $option );
		}
		wp_clear_scheduled_hook( 'native_smtp_prune_log' );
		wp_clear_scheduled_hook( 'native_smtp_flush_spool' );
		// The queue folder goes only when nothing is left in it: queued or given-up emails are
		// someone's mail, and deleting the plugin should not silently destroy them.
		$spool = defined( 'NATIVE_SMTP_SPOOL_DIR' ) && '' !== (string) NATIVE_SMTP_SPOOL_DIR ? untrailingslashit( (string) NATIVE_SMTP_SPOOL_DIR ) : untrailingslashit( wp_upload_dir( null, false )['basedir'] ) . '/native-smtp-spool';
		if ( is_dir( $spool ) ) {
			foreach ( array( 'tmp', 'queue', 'failed' ) as $area ) {
				@rmdir( $spool . '/' . $area ); // phpcs:ignore WordPress.PHP.NoSilencedErrors.Discouraged, WordPress.WP.AlternativeFunctions.file_system_operations_rmdir -- fails, as meant, when not empty.
			}
			if ( ! is_dir( $spool . '/queue' ) && ! is_dir( $spool . '/failed' ) ) {
				foreach ( array( 'index.php', '.htaccess' ) as $guard ) {
					@unlink( $spool . '/' . $guard ); // phpcs:ignore WordPress.PHP.NoSilencedErrors.Discouraged, WordPress.WP.AlternativeFunctions.unlink_unlink
				}
				@rmdir( $spool ); // phpcs:ignore WordPress.PHP.NoSilencedErrors.Discouraged, WordPress.WP.AlternativeFunctions.file_system_operations_rmdir
			}
		}
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

<?php
/**
 * Runs when the plugin is deleted: removes, on every site of a network, its options, its log table
 * and its cron events; the network's settings; and the queue folder with everything in it (queued
 * and given-up emails hold password-reset links and attachments: they must not outlive the plugin).
 *
 * @package Native_SMTP
 */

defined( 'ABSPATH' ) || exit;
defined( 'WP_UNINSTALL_PLUGIN' ) || exit;

if ( ! function_exists( 'native_smtp_uninstall_site' ) ) {
	/**
	 * Removes everything Native SMTP stored on the current site.
	 */
	function native_smtp_uninstall_site() {
		global $wpdb;
		foreach ( array( 'native_smtp_options', 'native_smtp_db_version', 'native_smtp_last_send', 'native_smtp_dkim_keys', 'native_smtp_failed_notice', 'native_smtp_spool_base' ) as $option ) {
			delete_option( $option );
		}
		wp_clear_scheduled_hook( 'native_smtp_prune_log' );
		wp_clear_scheduled_hook( 'native_smtp_flush_spool' );
		$wpdb->query( "DROP TABLE IF EXISTS {$wpdb->prefix}native_smtp_log" ); // phpcs:ignore WordPress.DB.DirectDatabaseQuery, WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- our own table; names cannot be placeholders.
		// Notices and Send Test results are short-lived transients; remove any left.
		$wpdb->query( $wpdb->prepare( "DELETE FROM {$wpdb->options} WHERE option_name LIKE %s OR option_name LIKE %s", $wpdb->esc_like( '_transient_native_smtp_' ) . '%', $wpdb->esc_like( '_transient_timeout_native_smtp_' ) . '%' ) ); // phpcs:ignore WordPress.DB.DirectDatabaseQuery
	}
}

if ( ! function_exists( 'native_smtp_uninstall_remove_dir' ) ) {
	/**
	 * Deletes a folder and everything in it.
	 *
	 * @param string $dir Folder.
	 */
	function native_smtp_uninstall_remove_dir( $dir ) {
		if ( '' === $dir || ! is_dir( $dir ) || is_link( $dir ) ) {
			return;
		}
		$items = new RecursiveIteratorIterator( new RecursiveDirectoryIterator( $dir, FilesystemIterator::SKIP_DOTS ), RecursiveIteratorIterator::CHILD_FIRST );
		foreach ( $items as $item ) {
			if ( $item->isDir() && ! $item->isLink() ) {
				@rmdir( $item->getPathname() ); // phpcs:ignore WordPress.PHP.NoSilencedErrors.Discouraged, WordPress.WP.AlternativeFunctions.file_system_operations_rmdir
			} else {
				@unlink( $item->getPathname() ); // phpcs:ignore WordPress.PHP.NoSilencedErrors.Discouraged, WordPress.WP.AlternativeFunctions.unlink_unlink
			}
		}
		@rmdir( $dir ); // phpcs:ignore WordPress.PHP.NoSilencedErrors.Discouraged, WordPress.WP.AlternativeFunctions.file_system_operations_rmdir
	}
}

// The queue folders: the one in use (network-wide on multisite) and, for a folder set by
// NATIVE_SMTP_SPOOL_DIR, only what the plugin made in it (the folder itself is the admin's).
$native_smtp_spools = array();
$native_smtp_base   = is_multisite() ? get_site_option( 'native_smtp_spool_base', '' ) : get_option( 'native_smtp_spool_base', '' );
if ( is_string( $native_smtp_base ) && '' !== $native_smtp_base ) {
	$native_smtp_spools[] = $native_smtp_base;
}
// The folder of versions before 0.2, under uploads/.
$native_smtp_spools[] = untrailingslashit( wp_upload_dir( null, false )['basedir'] ) . '/native-smtp-spool';

if ( is_multisite() ) {
	// Every site, in batches (get_sites() returns 100 unless told otherwise).
	$native_smtp_offset = 0;
	do {
		$native_smtp_ids = get_sites(
			array(
				'fields'                 => 'ids',
				'number'                 => 100,
				'offset'                 => $native_smtp_offset,
				'orderby'                => 'id',
				'update_site_meta_cache' => false,
			)
		);
		foreach ( $native_smtp_ids as $native_smtp_site_id ) {
			switch_to_blog( $native_smtp_site_id );
			native_smtp_uninstall_site();
			restore_current_blog();
		}
		$native_smtp_offset += 100;
	} while ( count( $native_smtp_ids ) === 100 );
	foreach ( array( 'native_smtp_network_options', 'native_smtp_dkim_keys', 'native_smtp_spool_base' ) as $native_smtp_option ) {
		delete_site_option( $native_smtp_option );
	}
} else {
	native_smtp_uninstall_site();
}
delete_metadata( 'user', 0, 'native_smtp_dismissed_no_extension', '', true );

if ( defined( 'NATIVE_SMTP_SPOOL_DIR' ) && '' !== (string) NATIVE_SMTP_SPOOL_DIR ) {
	$native_smtp_own = untrailingslashit( (string) NATIVE_SMTP_SPOOL_DIR );
	foreach ( array_merge( array( 'tmp', 'queue', 'failed' ), glob( $native_smtp_own . '/site-*', GLOB_ONLYDIR ) ? array_map( 'basename', glob( $native_smtp_own . '/site-*', GLOB_ONLYDIR ) ) : array() ) as $native_smtp_area ) {
		native_smtp_uninstall_remove_dir( $native_smtp_own . '/' . $native_smtp_area );
	}
}
foreach ( $native_smtp_spools as $native_smtp_spool ) {
	native_smtp_uninstall_remove_dir( $native_smtp_spool );
}

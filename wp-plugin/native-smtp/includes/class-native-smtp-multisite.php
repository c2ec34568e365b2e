<?php
/**
 * Multisite: a deleted site takes its log table and its queued mail with it.
 *
 * @package Native_SMTP
 */

defined( 'ABSPATH' ) || exit;

/**
 * Site deletion hooks.
 */
class Native_SMTP_Multisite {

	/**
	 * Hooks in (they only ever fire on multisite).
	 */
	public static function register_hooks() {
		add_filter( 'wpmu_drop_tables', array( __CLASS__, 'drop_tables' ), 10, 2 );
		add_action( 'wp_uninitialize_site', array( __CLASS__, 'remove_site_spool' ), 10, 1 );
	}

	/**
	 * wpmu_drop_tables: our log table is dropped with the site's own tables.
	 *
	 * @param string[] $tables  Tables WordPress drops.
	 * @param int      $site_id The site being deleted.
	 * @return string[]
	 */
	public static function drop_tables( $tables, $site_id = 0 ) {
		global $wpdb;
		$tables   = is_array( $tables ) ? $tables : array();
		$tables[] = $wpdb->get_blog_prefix( (int) $site_id ) . 'native_smtp_log';
		return array_values( array_unique( $tables ) );
	}

	/**
	 * wp_uninitialize_site: the site's queued and given-up mail is deleted (nobody could send it
	 * any more: its site, its log and its From settings are gone).
	 *
	 * @param WP_Site $site The site being deleted.
	 */
	public static function remove_site_spool( $site ) {
		if ( ! ( $site instanceof WP_Site ) ) {
			return;
		}
		if ( defined( 'NATIVE_SMTP_SPOOL_DIR' ) && '' !== (string) NATIVE_SMTP_SPOOL_DIR ) {
			$base = untrailingslashit( (string) NATIVE_SMTP_SPOOL_DIR );
		} else {
			$base = get_site_option( Native_SMTP_Queue::DIR_OPTION, '' );
		}
		if ( is_string( $base ) && '' !== $base ) {
			Native_SMTP_Queue::remove_dir( $base . '/site-' . (int) $site->blog_id );
		}
	}
}

<?php
/**
 * PHPUnit bootstrap: loads the rig's real WordPress (scripts/wp-up.sh must have run; wp-test.sh
 * sources its env.sh). No WordPress test library, no mocks: the tests use the live site, its
 * database and the capture SMTP server, and put back every option they change.
 */

$native_smtp_wp_root = getenv( 'WP_ROOT' );
if ( ! $native_smtp_wp_root || ! is_file( $native_smtp_wp_root . '/wp-load.php' ) ) {
	fwrite( STDERR, "WP_ROOT is not set: run scripts/wp-up.sh and source \$WP_STATE/env.sh first\n" );
	exit( 2 );
}
require $native_smtp_wp_root . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/plugin.php';
require_once __DIR__ . '/NativeSmtpTestCase.php';

<?php
/**
 * Installs WordPress in the rig (Debian has no wp-cli), (re)sets the admin password and
 * activates Native SMTP. Idempotent. Run by scripts/wp-up.sh:
 *   php install.php WP_ROOT ADMIN_PASSWORD
 */

if ( PHP_SAPI !== 'cli' ) {
	exit( 1 );
}
list( , $wp_root, $admin_password ) = $argv;

define( 'WP_INSTALLING', true );

/**
 * No "your new site" email during the install: no transport exists yet.
 */
function wp_new_blog_notification() {
}

require $wp_root . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
require_once ABSPATH . 'wp-admin/includes/plugin.php';

if ( ! is_blog_installed() ) {
	$result = wp_install( 'Native SMTP e2e', 'admin', 'admin@wpe2e.test', false, '', wp_slash( $admin_password ) );
	echo "installed WordPress, admin user id {$result['user_id']}\n";
}
$admin = get_user_by( 'login', 'admin' );
wp_set_password( $admin_password, $admin->ID );

$plugin = 'native-smtp/native-smtp.php';
if ( ! is_plugin_active( $plugin ) ) {
	$error = activate_plugin( $plugin );
	if ( is_wp_error( $error ) ) {
		fwrite( STDERR, 'activating Native SMTP failed: ' . $error->get_error_message() . "\n" );
		exit( 1 );
	}
	echo "activated Native SMTP\n";
}
echo 'WordPress ' . get_bloginfo( 'version' ) . ", permalinks: '" . get_option( 'permalink_structure' ) . "'\n";

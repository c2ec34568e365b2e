<?php
/**
 * Installs the rig's multisite network (subdirectory) with WordPress's own functions (Debian has
 * no wp-cli). Run by scripts/wp-up.sh in two steps, each a PHP process of its own because
 * wp-config.php turns MULTISITE on only after the first:
 *   NATIVE_SMTP_RIG_MULTISITE=1 NATIVE_SMTP_RIG_MS_INSTALLING=1 php install-multisite.php network WP_ROOT ADMIN_PASSWORD
 *     wp_install() of the main site, then install_network() + populate_network();
 *   NATIVE_SMTP_RIG_MULTISITE=1 php install-multisite.php sites WP_ROOT ADMIN_PASSWORD SITE_ADMIN_PASSWORD
 *     (idempotent) the subsite /site2/ with its own administrator "siteadmin" (not a super admin),
 *     and Native SMTP activated for the whole network.
 */

if ( PHP_SAPI !== 'cli' ) {
	exit( 1 );
}
$step           = $argv[1];
$wp_root        = $argv[2];
$admin_password = $argv[3];

define( 'WP_INSTALLING', 'network' === $step );

/**
 * No "your new site" email during the install: no transport exists yet.
 */
function wp_new_blog_notification() {
}

require $wp_root . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
require_once ABSPATH . 'wp-admin/includes/plugin.php';

if ( 'network' === $step ) {
	require_once ABSPATH . 'wp-admin/includes/network.php';
	if ( ! is_blog_installed() ) {
		$result = wp_install( 'Native SMTP network', 'admin', 'admin@wpe2e.test', false, '', wp_slash( $admin_password ) );
		echo "installed the main site, admin user id {$result['user_id']}\n";
	}
	$host = parse_url( WP_HOME, PHP_URL_HOST ) . ':' . parse_url( WP_HOME, PHP_URL_PORT );
	// As wp-admin/network.php does: the network tables' names are not set on a single site yet.
	global $wpdb;
	foreach ( $wpdb->tables( 'ms_global' ) as $table => $prefixed ) {
		$wpdb->$table = $prefixed;
	}
	install_network();
	$result = populate_network( 1, $host, 'admin@wpe2e.test', 'Native SMTP network', '/', false );
	if ( is_wp_error( $result ) && 'siteid_exists' !== $result->get_error_code() ) {
		fwrite( STDERR, 'populate_network: ' . $result->get_error_message() . "\n" );
		exit( 1 );
	}
	echo "network made on {$host}\n";
	exit( 0 );
}

// step "sites"
$site_admin_password = $argv[4];
$admin               = get_user_by( 'login', 'admin' );
wp_set_password( $admin_password, $admin->ID );
grant_super_admin( $admin->ID );

$site_admin = get_user_by( 'login', 'siteadmin' );
if ( ! $site_admin ) {
	$id         = wpmu_create_user( 'siteadmin', $site_admin_password, 'siteadmin@wpe2e.test' );
	$site_admin = get_user_by( 'id', $id );
}
wp_set_password( $site_admin_password, $site_admin->ID );

$network = get_network();
$site    = get_sites( array( 'path' => '/site2/', 'number' => 1 ) );
$site    = $site ? $site[0] : null;
if ( ! $site ) {
	$blog_id = wpmu_create_blog( $network->domain, '/site2/', 'Site Two', $admin->ID, array( 'public' => 1 ), $network->id );
	if ( is_wp_error( $blog_id ) ) {
		fwrite( STDERR, 'wpmu_create_blog: ' . $blog_id->get_error_message() . "\n" );
		exit( 1 );
	}
	echo "made site2, id {$blog_id}\n";
} else {
	$blog_id = (int) $site->blog_id;
}
// wpmu_create_blog() runs the domain through sanitize_user(), which drops the port's colon.
global $wpdb;
$wpdb->update( $wpdb->blogs, array( 'domain' => $network->domain ), array( 'blog_id' => $blog_id ) );
clean_blog_cache( $blog_id );
// Straight to the table: update_blog_option() right after the site was made compares with a cached
// copy that already holds the new value and writes nothing.
foreach ( array( 'siteurl', 'home' ) as $name ) {
	$wpdb->update( $wpdb->get_blog_prefix( $blog_id ) . 'options', array( 'option_value' => 'http://' . $network->domain . '/site2' ), array( 'option_name' => $name ) );
}
wp_cache_flush();
add_user_to_blog( $blog_id, $site_admin->ID, 'administrator' );

$plugin = 'native-smtp/native-smtp.php';
if ( ! is_plugin_active_for_network( $plugin ) ) {
	$error = activate_plugin( $plugin, '', true );
	if ( is_wp_error( $error ) ) {
		fwrite( STDERR, 'network-activating Native SMTP failed: ' . $error->get_error_message() . "\n" );
		exit( 1 );
	}
	echo "network-activated Native SMTP\n";
}
// Each site makes its log table on its first load; make site2's now so tests can count on it.
switch_to_blog( $blog_id );
Native_SMTP_Log::maybe_upgrade();
restore_current_blog();
echo 'WordPress ' . get_bloginfo( 'version' ) . ' network on ' . $network->domain . ", site2 id {$blog_id}\n";

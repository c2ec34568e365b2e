<?php
/**
 * Plugin Name:       Native SMTP
 * Description:       Sends every wp_mail() through the php-smtp extension (libcurl SMTP): settings, Send Test, email log and Site Health.
 * Version:           0.2.0
 * Requires at least: 6.1
 * Requires PHP:      8.1
 * Author:            php-smtp
 * License:           MIT
 * Text Domain:       native-smtp
 * Domain Path:       /languages
 *
 * @package Native_SMTP
 */

defined( 'ABSPATH' ) || exit;

define( 'NATIVE_SMTP_VERSION', '0.2.0' );
define( 'NATIVE_SMTP_PLUGIN_FILE', __FILE__ );
define( 'NATIVE_SMTP_PLUGIN_DIR', plugin_dir_path( __FILE__ ) );

require_once NATIVE_SMTP_PLUGIN_DIR . 'includes/class-native-smtp-crypto.php';
require_once NATIVE_SMTP_PLUGIN_DIR . 'includes/class-native-smtp-connections.php';
require_once NATIVE_SMTP_PLUGIN_DIR . 'includes/class-native-smtp-options.php';
require_once NATIVE_SMTP_PLUGIN_DIR . 'includes/class-native-smtp-transport.php';
require_once NATIVE_SMTP_PLUGIN_DIR . 'includes/class-native-smtp-dkim.php';
require_once NATIVE_SMTP_PLUGIN_DIR . 'includes/class-native-smtp-queue.php';
require_once NATIVE_SMTP_PLUGIN_DIR . 'includes/class-native-smtp-log.php';
require_once NATIVE_SMTP_PLUGIN_DIR . 'includes/class-native-smtp-site-health.php';
require_once NATIVE_SMTP_PLUGIN_DIR . 'includes/class-native-smtp-privacy.php';
require_once NATIVE_SMTP_PLUGIN_DIR . 'includes/class-native-smtp-multisite.php';
require_once NATIVE_SMTP_PLUGIN_DIR . 'includes/class-native-smtp-domain-check.php';
require_once NATIVE_SMTP_PLUGIN_DIR . 'includes/class-native-smtp-admin.php';
require_once NATIVE_SMTP_PLUGIN_DIR . 'includes/class-native-smtp-network-admin.php';

register_activation_hook( __FILE__, 'native_smtp_activate' );
register_deactivation_hook( __FILE__, 'native_smtp_deactivate' );

/**
 * Creates the log table and schedules the daily pruning and the every-minute queue flush. On a
 * network activation this runs for the main site only; every other site makes its table on its
 * first load (Native_SMTP_Log::maybe_upgrade()), so thousands of sites are not looped over here.
 */
function native_smtp_activate() {
	Native_SMTP_Log::install();
	Native_SMTP_Log::schedule_pruning();
	Native_SMTP_Queue::schedule();
}


/**
 * Stops the cron jobs; settings, log and queued emails stay until the plugin is deleted (uninstall.php).
 */
function native_smtp_deactivate() {
	Native_SMTP_Log::unschedule_pruning();
	Native_SMTP_Queue::unschedule();
}

/**
 * Loads the translations shipped in languages/.
 */
function native_smtp_load_textdomain() {
	load_plugin_textdomain( 'native-smtp', false, dirname( plugin_basename( __FILE__ ) ) . '/languages' );
}
add_action( 'init', 'native_smtp_load_textdomain' );

Native_SMTP_Transport::register_hooks();
Native_SMTP_Log::register_hooks();
Native_SMTP_Queue::register_hooks();
Native_SMTP_Dkim::register_hooks();
Native_SMTP_Site_Health::register_hooks();
Native_SMTP_Privacy::register_hooks();
Native_SMTP_Multisite::register_hooks();
Native_SMTP_Domain_Check::register_hooks();
if ( is_admin() ) {
	Native_SMTP_Admin::register_hooks();
	Native_SMTP_Network_Admin::register_hooks();
}

<?php
/**
 * Runs the domain check in a fresh PHP process, the way the plugin runs it in WordPress: loads the
 * rig's WordPress (MariaDB over its unix socket), ignores the cache, and prints the findings, the
 * Site Health result, the results' HTML and the Send Test tab's section as JSON. DomainCheckTest starts it inside a network
 * namespace whose /etc/resolv.conf (bind-mounted by `ip netns exec`) names the test DNS server,
 * so dns_get_record() finds that server through the system resolver, like on any host.
 */

$wp_root = getenv( 'WP_ROOT' );
if ( ! $wp_root || ! is_file( $wp_root . '/wp-load.php' ) ) {
	fwrite( STDERR, "WP_ROOT is not set\n" );
	exit( 2 );
}
require $wp_root . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/template.php'; // submit_button(), as on the admin page.

$started = microtime( true );
$run     = Native_SMTP_Domain_Check::run( true );
$elapsed = microtime( true ) - $started;
$health = Native_SMTP_Domain_Check::site_health_result(); // From the cache run() just filled.

// The Send Test tab's section right after a test was sent, as an administrator sees it.
$admins = get_users( array( 'role' => 'administrator', 'number' => 1, 'fields' => 'ID' ) );
wp_set_current_user( (int) $admins[0] );
$_POST['native_smtp_send_test'] = '1';
ob_start();
do_action( 'native_smtp_after_test_tab' );
$section = (string) ob_get_clean();
echo wp_json_encode(
	array(
		'resolv_conf' => (string) file_get_contents( '/etc/resolv.conf' ),
		'run'         => $run,
		'elapsed'     => $elapsed,
		'health'      => $health,
		'html'        => Native_SMTP_Domain_Check::render( $run ),
		'section'     => $section,
	)
);

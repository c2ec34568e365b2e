<?php
/**
 * Multisite (run by scripts/wp-test.sh against the rig's network: NATIVE_SMTP_RIG_MULTISITE=1).
 * Where mail and credentials go is the network admin's; a subsite admin sets only what the network
 * allows; each site queues and flushes its own mail; site deletion and uninstall leave nothing.
 *
 * @group multisite
 */

defined( 'ABSPATH' ) || exit;

require_once ABSPATH . 'wp-admin/includes/template.php';
require_once ABSPATH . 'wp-admin/includes/ms.php';

final class MultisiteTest extends NativeSmtpTestCase {

	/** @var mixed */
	private $saved_network;

	/** @var array<int, array{0: string, 1: callable}> */
	private $filters = array();

	/** @var int */
	private $site2 = 0;

	protected function setUp(): void {
		parent::setUp();
		$this->assertTrue( is_multisite(), 'run with NATIVE_SMTP_RIG_MULTISITE=1 against the rig\'s network' );
		if ( 'test_uninstall_removes_every_sites_tables_and_options_past_the_first_hundred' !== $this->getName() ) {
			$this->requireExtension(); // That one runs in a child PHP without the extension.
		}
		$this->saved_network = get_site_option( Native_SMTP_Options::NETWORK_OPTION, null );
		$sites               = get_sites( array( 'path' => '/site2/', 'fields' => 'ids' ) );
		$this->assertCount( 1, $sites, 'the rig made /site2/' );
		$this->site2 = (int) $sites[0];
		$this->configureNetwork();
	}

	protected function tearDown(): void {
		while ( ms_is_switched() ) {
			restore_current_blog();
		}
		foreach ( $this->filters as list( $name, $callback ) ) {
			remove_filter( $name, $callback );
		}
		if ( null === $this->saved_network ) {
			delete_site_option( Native_SMTP_Options::NETWORK_OPTION );
		} else {
			update_site_option( Native_SMTP_Options::NETWORK_OPTION, $this->saved_network );
		}
		switch_to_blog( $this->site2 );
		delete_option( Native_SMTP_Options::OPTION );
		restore_current_blog();
		$_POST = array();
		unset( $_REQUEST['_wpnonce'] );
		wp_set_current_user( 0 );
		parent::tearDown();
	}

	private function addFilter( string $name, callable $callback ): void {
		add_filter( $name, $callback );
		$this->filters[] = array( $name, $callback );
	}

	/** The network's settings: the capture server, STARTTLS + AUTH. */
	private function configureNetwork( array $overrides = array() ): void {
		update_site_option(
			Native_SMTP_Options::NETWORK_OPTION,
			array_merge(
				Native_SMTP_Options::defaults(),
				array(
					'host'       => '127.0.0.1',
					'port'       => (int) getenv( 'SMTP_CAPTURE_PORT' ),
					'encryption' => 'tls',
					'auth'       => true,
					'username'   => getenv( 'SMTP_CAPTURE_USER' ),
					'password'   => Native_SMTP_Options::encrypt( getenv( 'SMTP_CAPTURE_PASSWORD' ) ),
					'from_email' => 'network@wpe2e.test',
					'from_name'  => 'The Network',
				),
				$overrides
			)
		);
		Native_SMTP_Transport::reset_mailer();
	}

	private function catchExits(): void {
		$this->addFilter(
			'wp_redirect',
			static function ( $location ) {
				throw new RuntimeException( 'redirect: ' . $location );
			}
		);
		$this->addFilter(
			'wp_die_handler',
			static function () {
				return static function ( $message ) {
					throw new RuntimeException( 'wp_die: ' . ( is_string( $message ) ? $message : wp_json_encode( $message ) ) );
				};
			}
		);
	}

	private function siteAdmin(): int {
		return (int) get_user_by( 'login', 'siteadmin' )->ID;
	}

	public function test_a_subsite_admin_cannot_point_mail_at_their_own_server(): void {
		switch_to_blog( $this->site2 );
		wp_set_current_user( $this->siteAdmin() );
		$this->assertTrue( current_user_can( 'manage_options' ), wp_json_encode( array( get_current_blog_id(), wp_get_current_user()->ID, wp_get_current_user()->roles, wp_get_current_user()->get_site_id() ) ) );
		$this->assertFalse( current_user_can( 'manage_network_options' ) );

		// What the subsite's form could post, fields forged back to life included.
		$clean = Native_SMTP_Options::sanitize(
			array(
				'__checkboxes' => '1',
				'host'         => 'evil.example',
				'port'         => '2525',
				'encryption'   => 'none',
				'auth'         => '',
				'username'     => 'evil',
				'password'     => 'evil',
				'from_email'   => 'shop@site2.test',
				'from_name'    => 'Site Two Shop',
				'dkim_enabled' => '1',
				'queue'        => '',
			)
		);
		$this->assertSame( array( 'from_email', 'force_from_email', 'from_name', 'force_from_name' ), array_keys( $clean ), 'only what the network allows is stored for the site' );
		update_option( Native_SMTP_Options::OPTION, $clean );
		// Even an option written around the form (an old single-site copy) counts only for allowed keys.
		update_option( Native_SMTP_Options::OPTION, array_merge( $clean, array( 'host' => 'evil.example', 'username' => 'evil' ) ) );

		$this->assertSame( '127.0.0.1', Native_SMTP_Options::get( 'host' ) );
		$this->assertSame( getenv( 'SMTP_CAPTURE_USER' ), Native_SMTP_Options::get( 'username' ) );
		$this->assertSame( getenv( 'SMTP_CAPTURE_PASSWORD' ), Native_SMTP_Options::get( 'password' ) );
		$this->assertTrue( Native_SMTP_Options::get( 'queue' ) );
		$this->assertSame( 'shop@site2.test', Native_SMTP_Options::get( 'from_email' ) );
		$this->assertSame( '127.0.0.1', Native_SMTP_Transport::config()['host'] );

		// The mail goes through the network's relay, From the site's own address.
		$subject = $this->uniqueSubject( 'site2 mail' );
		$this->assertTrue( wp_mail( 'ann@example.test', $subject, 'from site two' ) );
		$got = $this->captured( $subject );
		$this->assertNotNull( $got );
		$this->assertSame( 'shop@site2.test', $got['meta']['mail_from'] );
		$this->assertSame( getenv( 'SMTP_CAPTURE_USER' ), $got['meta']['auth_user'] ?? getenv( 'SMTP_CAPTURE_USER' ) );
	}

	public function test_the_subsite_page_shows_the_network_fields_read_only(): void {
		switch_to_blog( $this->site2 );
		wp_set_current_user( $this->siteAdmin() );
		Native_SMTP_Admin::register_settings();
		ob_start();
		Native_SMTP_Admin::render_page();
		$html = (string) ob_get_clean();
		foreach ( array( 'host', 'port', 'username', 'password', 'auth' ) as $key ) {
			$this->assertMatchesRegularExpression( '/id="native-smtp-' . $key . '"[^>]*disabled="disabled"/', $html, $key . ' is read-only' );
		}
		$this->assertMatchesRegularExpression( '/id="native-smtp-encryption-tls"[^>]*disabled="disabled"/', $html );
		$this->assertDoesNotMatchRegularExpression( '/id="native-smtp-from-email"[^>]*disabled/', $html, 'From Email is the site\'s' );
		$this->assertDoesNotMatchRegularExpression( '/id="native-smtp-from-name"[^>]*disabled/', $html );
		$this->assertStringContainsString( 'Set by the network administrator.', $html );
		$this->assertStringContainsString( 'value="127.0.0.1"', $html, 'the network\'s host is shown' );
		$this->assertStringNotContainsString( 'native-smtp-clear-password', $html, 'no "remove the password" for the subsite' );
		$this->assertStringNotContainsString( getenv( 'SMTP_CAPTURE_PASSWORD' ), $html );

		// The DKIM tab: read-only, no Generate key.
		$_GET['tab'] = 'dkim';
		ob_start();
		Native_SMTP_Admin::render_page();
		$html = (string) ob_get_clean();
		unset( $_GET['tab'] );
		$this->assertStringNotContainsString( 'native-smtp-dkim-generate-button', $html );
		$this->assertMatchesRegularExpression( '/id="native-smtp-dkim-enabled"[^>]*disabled="disabled"/', $html );
	}

	public function test_the_network_page_saves_only_with_the_capability_and_the_nonce(): void {
		$this->catchExits();
		wp_set_current_user( $this->siteAdmin() );
		$_POST[ Native_SMTP_Options::OPTION ] = array( '__checkboxes' => '1', 'host' => 'evil.example' );
		$_REQUEST['_wpnonce']                 = wp_create_nonce( Native_SMTP_Network_Admin::ACTION );
		try {
			Native_SMTP_Network_Admin::handle_save();
			$this->fail( 'a subsite admin must not save the network settings' );
		} catch ( RuntimeException $e ) {
			$this->assertStringContainsString( 'wp_die', $e->getMessage() );
		}
		$this->assertSame( '127.0.0.1', Native_SMTP_Options::network_stored()['host'] );

		$super = (int) get_user_by( 'login', 'admin' )->ID;
		wp_set_current_user( $super );
		$this->assertTrue( current_user_can( 'manage_network_options' ) );
		$_REQUEST['_wpnonce'] = 'forged';
		try {
			Native_SMTP_Network_Admin::handle_save();
			$this->fail( 'a bad nonce is refused' );
		} catch ( RuntimeException $e ) {
			$this->assertStringContainsString( 'wp_die', $e->getMessage() );
		}

		$_REQUEST['_wpnonce']                 = wp_create_nonce( Native_SMTP_Network_Admin::ACTION );
		$_POST[ Native_SMTP_Options::OPTION ] = wp_slash(
			array(
				'__checkboxes'        => '1',
				'__site_allowed_form' => '1',
				'host'                => 'relay.example.test',
				'port'                => '465',
				'encryption'          => 'ssl',
				'auth'                => '1',
				'username'            => 'network-user',
				'password'            => 'net"work\\pass',
				'from_email'          => 'network@example.test',
				'queue'               => '1',
				'site_allowed'        => array( 'from_email', 'from_name', 'return_path', 'host' ),
			)
		);
		try {
			Native_SMTP_Network_Admin::handle_save();
			$this->fail( 'redirects' );
		} catch ( RuntimeException $e ) {
			$this->assertStringContainsString( 'network/settings.php?page=native-smtp', $e->getMessage() );
		}
		$network = get_site_option( Native_SMTP_Options::NETWORK_OPTION );
		$this->assertSame( 'relay.example.test', $network['host'] );
		$this->assertSame( 'net"work\\pass', Native_SMTP_Options::decrypt( $network['password'] ), 'unslashed once, encrypted' );
		$this->assertSame( array( 'from_email', 'from_name', 'return_path' ), $network['site_allowed'], '"host" can never be given to subsites' );

		switch_to_blog( $this->site2 );
		$this->assertTrue( Native_SMTP_Options::site_may_set( 'return_path' ) );
		$this->assertFalse( Native_SMTP_Options::site_may_set( 'force_from_email' ) );
		$this->assertFalse( Native_SMTP_Options::site_may_set( 'host' ) );
	}

	public function test_each_site_queues_and_flushes_only_its_own_mail(): void {
		// A relay nobody listens on: mail is queued.
		$probe = stream_socket_server( 'tcp://127.0.0.1:0' );
		$port  = (int) substr( strrchr( stream_socket_get_name( $probe, false ), ':' ), 1 );
		fclose( $probe );
		$this->configureNetwork( array( 'port' => $port, 'encryption' => 'none', 'auth' => false ) );

		$main_dir = Native_SMTP_Queue::dir();
		switch_to_blog( $this->site2 );
		$site_dir = Native_SMTP_Queue::dir();
		$this->assertNotSame( $main_dir, $site_dir );
		$this->assertStringEndsWith( '/site-' . $this->site2, $site_dir );

		$subject = $this->uniqueSubject( 'site2 queued' );
		$this->assertTrue( wp_mail( 'ann@example.test', $subject, 'queued on site two' ) );
		$rows = $this->logRows( $subject );
		$this->assertCount( 1, $rows, wp_json_encode( array( Native_SMTP_Log::table(), get_option( 'native_smtp_db_version' ), Native_SMTP_Transport::last_queued(), Native_SMTP_Transport::is_active() ) ) );
		$row = $rows[0];
		$this->assertSame( 'queued', $row['status'] );
		$this->assertSame( (string) $this->site2, (string) $row['blog_id'] );
		$this->assertSame( 1, Native_SMTP_Queue::spool()->count() );
		restore_current_blog();

		// The relay is back. The main site's cron runs: site two's mail is not its to send.
		$this->configureNetwork();
		$this->addFilter( 'native_smtp_flush_force', '__return_true' );
		do_action( Native_SMTP_Queue::CRON_HOOK );
		$this->assertNull( $this->captured( $subject, 0.5 ) );

		switch_to_blog( $this->site2 );
		$this->configureNetwork( array( 'encryption' => 'tls' ) );
		$this->assertSame( 1, Native_SMTP_Queue::spool()->count() );
		// Queued with the down relay's settings; sent with the network's settings in force now.
		do_action( Native_SMTP_Queue::CRON_HOOK );
		$this->assertSame( 0, Native_SMTP_Queue::spool()->count() );
		$this->assertNotNull( $this->captured( $subject ) );
		$this->assertSame( 'sent', $this->logRows( $subject )[0]['status'] );
	}

	public function test_a_deleted_site_takes_its_log_table_and_queue_with_it(): void {
		global $wpdb;
		$_SERVER['REMOTE_ADDR'] = '127.0.0.1'; // wpmu_create_blog() logs it.
		$network = get_network();
		$blog_id = wpmu_create_blog( $network->domain, '/doomed-' . wp_generate_password( 6, false, false ) . '/', 'Doomed', (int) get_user_by( 'login', 'admin' )->ID, array(), $network->id );
		$this->assertIsInt( $blog_id );
		switch_to_blog( $blog_id );
		Native_SMTP_Log::maybe_upgrade();
		$table = Native_SMTP_Log::table();
		$dir   = Native_SMTP_Queue::prepare_dir();
		restore_current_blog();
		$this->assertSame( $table, $wpdb->get_var( $wpdb->prepare( 'SHOW TABLES LIKE %s', $table ) ) );
		$this->assertDirectoryExists( $dir );

		wpmu_delete_blog( $blog_id, true );
		$this->assertNull( $wpdb->get_var( $wpdb->prepare( 'SHOW TABLES LIKE %s', $table ) ), 'wpmu_drop_tables dropped the log' );
		$this->assertDirectoryDoesNotExist( $dir );
	}

	/**
	 * @runInSeparateProcess
	 * @preserveGlobalState disabled
	 */
	public function test_uninstall_removes_every_sites_tables_and_options_past_the_first_hundred(): void {
		global $wpdb;
		// 101 more sites, cheaply: rows in wp_blogs and a log table each (uninstall must not stop at
		// get_sites()'s default of 100).
		$network = get_network();
		$ids     = array();
		for ( $i = 0; $i < 101; $i++ ) {
			$wpdb->insert( $wpdb->blogs, array( 'site_id' => $network->id, 'domain' => $network->domain, 'path' => '/bulk-' . $i . '-' . wp_generate_password( 4, false, false ) . '/', 'registered' => current_time( 'mysql' ), 'last_updated' => current_time( 'mysql' ) ) ); // phpcs:ignore
			$ids[] = (int) $wpdb->insert_id;
			$wpdb->query( 'CREATE TABLE ' . $wpdb->get_blog_prefix( $wpdb->insert_id ) . 'native_smtp_log LIKE ' . $wpdb->base_prefix . 'native_smtp_log' ); // phpcs:ignore
		}
		clean_blog_cache( end( $ids ) );
		wp_cache_flush();
		$last_table = $wpdb->get_blog_prefix( end( $ids ) ) . 'native_smtp_log';
		$this->assertSame( $last_table, $wpdb->get_var( $wpdb->prepare( 'SHOW TABLES LIKE %s', $last_table ) ) );
		$saved = array(
			'network' => get_site_option( Native_SMTP_Options::NETWORK_OPTION ),
			'base'    => get_site_option( Native_SMTP_Queue::DIR_OPTION ),
		);
		$base = Native_SMTP_Queue::base_dir();
		Native_SMTP_Queue::prepare_dir();
		$this->assertDirectoryExists( $base );

		define( 'WP_UNINSTALL_PLUGIN', 'native-smtp/native-smtp.php' );
		// The cheap sites have no options tables: their option deletes fail, quietly.
		$wpdb->suppress_errors( true );
		include WP_PLUGIN_DIR . '/native-smtp/uninstall.php';
		$wpdb->suppress_errors( false );

		$left = $wpdb->get_col( $wpdb->prepare( 'SHOW TABLES LIKE %s', '%native_smtp_log' ) );
		$this->assertSame( array(), $left, 'no site keeps a log table' );
		$this->assertFalse( get_site_option( Native_SMTP_Options::NETWORK_OPTION ) );
		switch_to_blog( $this->site2 );
		$this->assertFalse( get_option( 'native_smtp_db_version' ) );
		restore_current_blog();
		$this->assertDirectoryDoesNotExist( $base, 'queued mail does not outlive the plugin' );

		// Put the network back as it was.
		foreach ( $ids as $id ) {
			$wpdb->delete( $wpdb->blogs, array( 'blog_id' => $id ) ); // phpcs:ignore
		}
		update_site_option( Native_SMTP_Options::NETWORK_OPTION, $saved['network'] );
		update_site_option( Native_SMTP_Queue::DIR_OPTION, $saved['base'] );
		foreach ( array( get_main_site_id(), $this->site2 ) as $site ) {
			switch_to_blog( $site );
			Native_SMTP_Log::maybe_upgrade();
			restore_current_blog();
		}
	}
}

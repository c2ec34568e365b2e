<?php
/**
 * Issue 17 on multisite (issue 14's rules): where alerts go is the network admin's. A subsite
 * admin cannot save them and sees them read-only; the network admin saves them as a network
 * option; a failure on a subsite alerts through them, naming the subsite; one window for the network.
 *
 * @group multisite
 */

defined( 'ABSPATH' ) || exit;

require_once __DIR__ . '/AlertsRig.php';
require_once ABSPATH . 'wp-admin/includes/template.php';

final class AlertsMultisiteTest extends NativeSmtpTestCase {

	use AlertsRig;

	/** @var int */
	private $site2 = 0;

	/** @var mixed */
	private $saved_network;

	protected function setUp(): void {
		parent::setUp();
		$this->assertTrue( is_multisite(), 'run with NATIVE_SMTP_RIG_MULTISITE=1 against the rig\'s network' );
		$this->requireExtension();
		$this->site2         = (int) get_sites( array( 'path' => '/site2/', 'fields' => 'ids' ) )[0];
		$this->saved_network = get_site_option( Native_SMTP_Options::NETWORK_OPTION, null );
		$this->setUpRig();
	}

	protected function tearDown(): void {
		while ( ms_is_switched() ) {
			restore_current_blog();
		}
		$this->tearDownRig();
		if ( null === $this->saved_network ) {
			delete_site_option( Native_SMTP_Options::NETWORK_OPTION );
		} else {
			update_site_option( Native_SMTP_Options::NETWORK_OPTION, $this->saved_network );
		}
		wp_set_current_user( 0 );
		parent::tearDown();
	}

	/** Where mail goes on multisite is the network's option. */
	private function networkRelay( array $overrides = array() ): void {
		update_site_option(
			Native_SMTP_Options::NETWORK_OPTION,
			array_merge(
				Native_SMTP_Options::defaults(),
				array(
					'host'       => '127.0.0.1',
					'port'       => $this->relay_port,
					'encryption' => 'none',
					'auth'       => false,
					'queue'      => false,
					'from_email' => 'network@wpe2e.test',
				),
				$overrides
			)
		);
		Native_SMTP_Transport::reset_mailer();
	}

	public function test_only_the_network_admin_sets_alerts_and_a_subsite_failure_uses_them(): void {
		$this->catchExits();
		$fields = array(
			'native_smtp_alerts' => array(
				'kinds'    => array( 'failed' ),
				'webhooks' => 'json http://127.0.0.1:9/subsite-admin-choice',
			),
		);
		switch_to_blog( $this->site2 );
		wp_set_current_user( (int) get_user_by( 'login', 'siteadmin' )->ID );
		$this->assertTrue( current_user_can( 'manage_options' ), 'a site admin of site2' );
		$this->assertStringStartsWith( 'wp_die', $this->post( array( 'Native_SMTP_Alerts_Admin', 'handle_save' ), 'native_smtp_alerts_save', $fields ) );
		$this->assertStringStartsWith( 'wp_die', $this->post( array( 'Native_SMTP_Alerts_Admin', 'handle_test' ), 'native_smtp_alerts_test' ) );
		$this->assertFalse( get_option( Native_SMTP_Alerts::OPTION ), 'nothing stored on the site' );
		ob_start();
		Native_SMTP_Alerts_Admin::render_tab();
		$html = (string) ob_get_clean();
		$this->assertStringContainsString( 'set by the network administrator', $html );
		$this->assertStringNotContainsString( 'native_smtp_alerts[webhooks]', $html );
		restore_current_blog();

		$url = $this->startReceiver();
		wp_set_current_user( (int) get_user_by( 'login', 'admin' )->ID );
		$fields['native_smtp_alerts']['webhooks'] = 'json ' . $url . '/network';
		$this->assertStringContainsString( 'network/settings.php?page=native-smtp&tab=alerts', $this->post( array( 'Native_SMTP_Alerts_Admin', 'handle_save' ), 'native_smtp_alerts_save', $fields ) );
		$this->assertSame( $url . '/network', get_site_option( Native_SMTP_Alerts::OPTION )['webhooks'][0]['url'] );

		// A failure on site2 alerts through the network's settings and names site2.
		$this->startRelay( array( '--reject-rcpt', 'doomed@example.test=550 5.1.1 no such user' ) );
		$this->networkRelay();
		switch_to_blog( $this->site2 );
		$this->assertFalse( wp_mail( 'doomed@example.test', 'site2 failure', 'x' ) );
		restore_current_blog();
		$posts = $this->received();
		$this->assertCount( 1, $posts );
		$this->assertSame( get_home_url( $this->site2, '/' ), $posts[0]['json']['site_url'] );

		// One window for the network: a failure on the main site inside it adds nothing.
		$this->assertFalse( wp_mail( 'doomed@example.test', 'main failure', 'x' ) );
		$this->assertCount( 1, $this->received() );
	}

	public function test_the_network_summary_counts_every_sites_log(): void {
		$marker = 'site2 only reason ' . bin2hex( random_bytes( 4 ) );
		switch_to_blog( $this->site2 );
		Native_SMTP_Log::maybe_upgrade();
		$ids = array();
		for ( $i = 0; $i < 20; $i++ ) { // Often enough to be among the top five reasons whatever the main site's log holds.
			$ids[] = Native_SMTP_Log::record( array( 'to' => 'ann@example.test', 'subject' => 's' ), 'failed', 550, $marker );
		}
		restore_current_blog();
		try {
			$this->assertNotContains( 0, $ids );
			$tables = Native_SMTP_Summary::tables( true );
			$this->assertArrayHasKey( $this->site2, $tables );
			$this->assertContains( $marker, array_column( Native_SMTP_Summary::stats( 7, $tables )['reasons'], 'reason' ) );
			$this->assertNotContains( $marker, array_column( Native_SMTP_Summary::stats( 7 )['reasons'], 'reason' ), 'the main site\'s widget counts only its own log' );
		} finally {
			switch_to_blog( $this->site2 );
			Native_SMTP_Log::delete( $ids );
			restore_current_blog();
		}
	}

	public function test_the_network_page_has_the_alerts_tab(): void {
		wp_set_current_user( (int) get_user_by( 'login', 'admin' )->ID );
		$_GET['tab'] = 'alerts';
		ob_start();
		Native_SMTP_Network_Admin::render_page();
		$html = (string) ob_get_clean();
		unset( $_GET['tab'] );
		$this->assertStringContainsString( 'id="native-smtp-tab-alerts"', $html );
		$this->assertStringContainsString( 'id="native-smtp-alerts"', $html );
	}
}

<?php
/**
 * Multisite: the Mailer choice and the backup connection decide where mail and credentials go, so
 * they are the network admin's. A subsite admin cannot change them, even with a forged form, and
 * sees them read-only; the network form applies presets like a single site's.
 *
 * @group multisite
 */

defined( 'ABSPATH' ) || exit;

require_once ABSPATH . 'wp-admin/includes/template.php';

final class MultisitePresetsTest extends NativeSmtpTestCase {

	/** @var mixed */
	private $saved_network;

	/** @var int */
	private $site2 = 0;

	protected function setUp(): void {
		parent::setUp();
		$this->assertTrue( is_multisite(), 'run with NATIVE_SMTP_RIG_MULTISITE=1 against the rig\'s network' );
		$this->saved_network = get_site_option( Native_SMTP_Options::NETWORK_OPTION, null );
		$sites               = get_sites( array( 'path' => '/site2/', 'fields' => 'ids' ) );
		$this->assertCount( 1, $sites );
		$this->site2                   = (int) $sites[0];
		$GLOBALS['wp_settings_errors'] = array();
		// The network admin picks Gmail and a SendGrid backup on the network form.
		$clean = Native_SMTP_Options::sanitize_network(
			array(
				'__checkboxes'    => '1',
				'preset'          => 'gmail',
				'username'        => 'network@example.test',
				'password'        => 'network-app-password',
				'backup_enabled'  => '1',
				'backup_preset'   => 'sendgrid',
				'backup_password' => 'SG.network',
			)
		);
		update_site_option( Native_SMTP_Options::NETWORK_OPTION, $clean );
	}

	protected function tearDown(): void {
		while ( ms_is_switched() ) {
			restore_current_blog();
		}
		if ( null === $this->saved_network ) {
			delete_site_option( Native_SMTP_Options::NETWORK_OPTION );
		} else {
			update_site_option( Native_SMTP_Options::NETWORK_OPTION, $this->saved_network );
		}
		switch_to_blog( $this->site2 );
		delete_option( Native_SMTP_Options::OPTION );
		restore_current_blog();
		$GLOBALS['wp_settings_errors'] = array();
		wp_set_current_user( 0 );
		// register_settings() hooked the sanitising into every later update_option() of this process.
		if ( isset( get_registered_settings()[ Native_SMTP_Options::OPTION ] ) ) {
			unregister_setting( 'native_smtp', Native_SMTP_Options::OPTION );
		}
		parent::tearDown();
	}

	public function test_the_network_form_applies_presets(): void {
		$network = get_site_option( Native_SMTP_Options::NETWORK_OPTION );
		$this->assertSame( array( 'gmail', 'smtp.gmail.com', 587, 'tls' ), array( $network['preset'], $network['host'], $network['port'], $network['encryption'] ) );
		$this->assertSame( array( 'sendgrid', 'smtp.sendgrid.net', 'apikey' ), array( $network['backup_preset'], $network['backup_host'], $network['backup_username'] ) );
		$this->assertStringStartsWith( Native_SMTP_Options::CIPHER_PREFIX, $network['backup_password'] );
	}

	public function test_a_subsite_admin_cannot_change_the_mailer_or_the_backup(): void {
		switch_to_blog( $this->site2 );
		wp_set_current_user( (int) get_user_by( 'login', 'siteadmin' )->ID );
		$this->assertFalse( current_user_can( 'manage_network_options' ) );
		$clean = Native_SMTP_Options::sanitize(
			array(
				'__checkboxes'      => '1',
				'preset'            => 'other',
				'host'              => 'evil.example',
				'backup_enabled'    => '1',
				'backup_preset'     => 'other',
				'backup_host'       => 'evil.example',
				'backup_port'       => '25',
				'backup_username'   => 'evil',
				'backup_password'   => 'evil',
				'preset_regions'    => array( 'ses' => 'eu-west-1' ),
				'from_email'        => 'shop@site2.test',
			)
		);
		$this->assertSame( array( 'from_email', 'force_from_email', 'from_name', 'force_from_name' ), array_keys( $clean ), 'only what the network allows is stored for the site' );
		update_option( Native_SMTP_Options::OPTION, array_merge( $clean, array( 'preset' => 'other', 'backup_host' => 'evil.example' ) ) );
		$this->assertSame( 'gmail', Native_SMTP_Options::get( 'preset' ) );
		$this->assertSame( 'smtp.gmail.com', Native_SMTP_Options::get( 'host' ) );
		$config = Native_SMTP_Transport::config();
		$this->assertSame( 'smtp.sendgrid.net', $config['fallback']['host'], 'the backup is the network\'s' );
		$this->assertSame( 'SG.network', $config['fallback']['password'] );

		// The subsite's page shows both read-only, and no password.
		Native_SMTP_Admin::register_settings();
		ob_start();
		Native_SMTP_Admin::render_page();
		$html = (string) ob_get_clean();
		foreach ( array( 'preset', 'backup-enabled', 'backup-preset', 'backup-host', 'backup-port', 'backup-username', 'backup-password' ) as $id ) {
			$this->assertMatchesRegularExpression( '/id="native-smtp-' . $id . '"[^>]*disabled="disabled"/', $html, $id . ' is read-only' );
		}
		$this->assertStringNotContainsString( 'native-smtp-clear-backup-password', $html );
		$this->assertStringNotContainsString( 'SG.network', $html );
		$this->assertStringNotContainsString( 'network-app-password', $html );
	}
}

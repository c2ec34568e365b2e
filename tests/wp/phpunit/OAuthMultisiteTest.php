<?php
/**
 * Issue 15 on a network (NATIVE_SMTP_RIG_MULTISITE=1): the OAuth connection is the network's. Only
 * a super admin (manage_network_options) may connect; the redirect URI is the main site's; the
 * tokens are a network option; every site then sends through the connected mailbox.
 *
 * @group multisite
 */

defined( 'ABSPATH' ) || exit;

final class OAuthMultisiteTest extends NativeSmtpTestCase {

	/** @var mixed */
	private $saved_network;

	/** @var mixed */
	private $saved_oauth;

	protected function setUp(): void {
		parent::setUp();
		$this->assertTrue( is_multisite(), 'run with NATIVE_SMTP_RIG_MULTISITE=1 against the rig\'s network' );
		$this->requireExtension();
		$this->saved_network = get_site_option( Native_SMTP_Options::NETWORK_OPTION, null );
		$this->saved_oauth   = get_site_option( Native_SMTP_OAuth::OPTION, null );
		delete_site_option( Native_SMTP_OAuth::OPTION );
	}

	protected function tearDown(): void {
		while ( ms_is_switched() ) {
			restore_current_blog();
		}
		foreach ( array( Native_SMTP_Options::NETWORK_OPTION => $this->saved_network, Native_SMTP_OAuth::OPTION => $this->saved_oauth ) as $name => $value ) {
			if ( null === $value ) {
				delete_site_option( $name );
			} else {
				update_site_option( $name, $value );
			}
		}
		wp_set_current_user( 0 );
		parent::tearDown();
	}

	public function test_only_the_network_admin_connects_and_every_site_sends_through_the_mailbox(): void {
		$sites = get_sites( array( 'path' => '/site2/', 'fields' => 'ids' ) );
		$this->assertCount( 1, $sites );
		$site2 = (int) $sites[0];
		$creds                  = Native_SMTP_OAuth::creds( 'google' );
		$creds['client_id']     = getenv( 'OAUTH_CLIENT_ID' );
		$creds['client_secret'] = Native_SMTP_Crypto::encrypt( getenv( 'OAUTH_CLIENT_SECRET' ) );
		Native_SMTP_OAuth::save_creds( 'google', $creds );

		// A subsite's administrator (manage_options there) may not.
		switch_to_blog( $site2 );
		wp_set_current_user( (int) get_user_by( 'login', 'siteadmin' )->ID );
		$this->assertTrue( current_user_can( 'manage_options' ) );
		$refused = Native_SMTP_OAuth::begin( 'google' );
		$this->assertInstanceOf( WP_Error::class, $refused );
		$this->assertSame( 'native_smtp_oauth_forbidden', $refused->get_error_code() );
		restore_current_blog();

		wp_set_current_user( (int) get_user_by( 'login', 'admin' )->ID );
		$url = Native_SMTP_OAuth::begin( 'google' );
		$this->assertIsString( $url );
		parse_str( (string) wp_parse_url( $url, PHP_URL_QUERY ), $params );
		$this->assertSame( get_admin_url( get_main_site_id(), 'admin-post.php' ), $params['redirect_uri'], 'the main site\'s redirect URI' );
		exec( 'node ' . escapeshellarg( dirname( __DIR__, 2 ) . '/oauth-server/authorize.mjs' ) . ' --follow ' . escapeshellarg( $url ) . ' wpuser@wpe2e.test 2>&1', $out, $status );
		$this->assertSame( 0, $status, implode( "\n", $out ) );
		parse_str( (string) wp_parse_url( implode( '', $out ), PHP_URL_QUERY ), $query );
		$this->assertSame( 'google', Native_SMTP_OAuth::complete( $query ) );

		$network = get_site_option( Native_SMTP_OAuth::OPTION );
		$this->assertSame( 'wpuser@wpe2e.test', $network['google']['mailbox'], 'a network option' );
		$this->assertFalse( get_option( Native_SMTP_OAuth::OPTION ), 'not the main site\'s own option' );
		$this->assertSame( 'google', Native_SMTP_Options::network_stored()['connection'] );

		switch_to_blog( $site2 );
		$this->assertSame( 'google', Native_SMTP_Options::get( 'connection' ) );
		$this->assertTrue( Native_SMTP_Transport::is_active() );
		$subject = $this->uniqueSubject( 'site2 over oauth' );
		$this->assertTrue( Native_SMTP_Transport::without_spool( fn() => wp_mail( 'ann@example.test', $subject, 'x' ) ) );
		$captured = $this->captured( $subject );
		$this->assertNotNull( $captured );
		$this->assertSame( 'wpuser@wpe2e.test', $captured['meta']['auth_user'] );
		restore_current_blog();
	}
}

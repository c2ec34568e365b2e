<?php
/**
 * DKIM tab: Generate key (capability + nonce) stores the key encrypted and shows the DNS record;
 * with signing on, wp_mail() arrives signed and dkimpy (tests/dkim/verify.py) verifies it with
 * exactly the record the tab shows.
 */

defined( 'ABSPATH' ) || exit;

require_once ABSPATH . 'wp-admin/includes/template.php';

final class DkimTest extends NativeSmtpTestCase {

	/** @var mixed the keys option before the test */
	private $saved_keys;

	/** @var callable|null */
	private $die_filter = null;

	protected function setUp(): void {
		parent::setUp();
		$this->requireExtension();
		$this->saved_keys = get_option( Native_SMTP_Dkim::KEYS_OPTION, null );
		delete_option( Native_SMTP_Dkim::KEYS_OPTION );
	}

	protected function tearDown(): void {
		if ( null === $this->saved_keys ) {
			delete_option( Native_SMTP_Dkim::KEYS_OPTION );
		} else {
			update_option( Native_SMTP_Dkim::KEYS_OPTION, $this->saved_keys, false );
		}
		if ( null !== $this->die_filter ) {
			remove_filter( 'wp_die_handler', $this->die_filter );
		}
		unset( $_REQUEST['_wpnonce'], $_POST['_wpnonce'] );
		wp_set_current_user( 0 );
		parent::tearDown();
	}

	/** wp_die() becomes an exception, so the handler's refusals can be asserted. */
	private function catchWpDie(): void {
		$this->die_filter = static function () {
			return static function ( $message ) {
				throw new RuntimeException( 'wp_die: ' . ( is_string( $message ) ? $message : wp_json_encode( $message ) ) );
			};
		};
		add_filter( 'wp_die_handler', $this->die_filter );
	}

	private function admin(): int {
		$admins = get_users( array( 'role' => 'administrator', 'number' => 1, 'fields' => 'ID' ) );
		return (int) $admins[0];
	}

	private function renderTab(): string {
		ob_start();
		Native_SMTP_Admin::render_dkim_tab();
		return (string) ob_get_clean();
	}

	public function test_generate_key_needs_the_capability_and_the_nonce(): void {
		$this->configureCapture( array( 'dkim_algorithm' => 'rsa-sha256' ) );
		$this->catchWpDie();

		$subscriber = wp_insert_user( array( 'user_login' => 'dkim-sub-' . wp_generate_password( 6, false ), 'user_pass' => wp_generate_password(), 'role' => 'subscriber' ) );
		$this->assertIsInt( $subscriber );
		try {
			wp_set_current_user( $subscriber );
			$_REQUEST['_wpnonce'] = wp_create_nonce( 'native_smtp_dkim_generate' );
			try {
				Native_SMTP_Dkim::handle_generate();
				$this->fail( 'a subscriber must not generate keys' );
			} catch ( RuntimeException $e ) {
				$this->assertStringContainsString( 'not allowed', $e->getMessage() );
			}

			wp_set_current_user( $this->admin() );
			$_REQUEST['_wpnonce'] = 'not-a-nonce';
			try {
				Native_SMTP_Dkim::handle_generate();
				$this->fail( 'a bad nonce must be refused' );
			} catch ( RuntimeException $e ) {
				$this->assertStringContainsString( 'wp_die', $e->getMessage() );
			}
			$this->assertFalse( get_option( Native_SMTP_Dkim::KEYS_OPTION ), 'no key was made' );
		} finally {
			require_once ABSPATH . 'wp-admin/includes/user.php';
			wp_delete_user( $subscriber );
		}
	}

	public function test_generated_key_is_stored_encrypted_and_the_tab_shows_the_record_only(): void {
		$this->configureCapture( array( 'dkim_algorithm' => 'rsa-sha256', 'dkim_domain' => '', 'dkim_selector' => '' ) );
		wp_set_current_user( $this->admin() );
		$this->assertStringContainsString( 'Generate key', $this->renderTab() );

		$this->assertTrue( Native_SMTP_Dkim::generate( 'rsa-sha256' ) );

		global $wpdb;
		$raw = (string) $wpdb->get_var( $wpdb->prepare( "SELECT option_value FROM {$wpdb->options} WHERE option_name = %s", Native_SMTP_Dkim::KEYS_OPTION ) ); // phpcs:ignore
		$this->assertStringNotContainsString( 'PRIVATE KEY', $raw, 'the database must not hold the key in clear' );
		$stored = get_option( Native_SMTP_Dkim::KEYS_OPTION );
		$this->assertStringStartsWith( Native_SMTP_Options::CIPHER_PREFIX, $stored['rsa-sha256']['key'] );
		$pem = Native_SMTP_Options::decrypt( $stored['rsa-sha256']['key'] );
		$this->assertStringContainsString( '-----BEGIN PRIVATE KEY-----', $pem );
		$record = Native_SMTP_Dkim::dns_record( 'rsa-sha256' );
		$this->assertStringStartsWith( 'v=DKIM1; k=rsa; p=', $record );
		$this->assertSame( \Smtp\Dkim::dnsRecord( $pem ), $record, 'the shown record belongs to the stored key' );

		// Defaults: the From Email's domain and "wp" + the year.
		$name = 'wp' . gmdate( 'Y' ) . '._domainkey.wpe2e.test';
		$this->assertSame( $name, Native_SMTP_Dkim::dns_name( 'rsa-sha256' ) );
		$this->assertSame( \Smtp\Dkim::dnsName( 'wp' . gmdate( 'Y' ), 'wpe2e.test' ), $name );

		$html = $this->renderTab();
		$this->assertStringContainsString( 'value="' . esc_attr( $name ) . '"', $html );
		$this->assertStringContainsString( esc_textarea( $record ), $html );
		$this->assertStringContainsString( 'Generate new key', $html );
		$this->assertStringNotContainsString( 'PRIVATE KEY', $html );
		$body = trim( str_replace( array( '-----BEGIN PRIVATE KEY-----', '-----END PRIVATE KEY-----', "\n" ), '', $pem ) );
		$this->assertStringNotContainsString( substr( $body, 40, 60 ), $html, 'no part of the private key in the page' );

		// The selector a key was made with stays the default after it (next year's would break the record).
		$this->assertSame( 'wp' . gmdate( 'Y' ), $stored['rsa-sha256']['base_selector'] );
	}

	public function test_wp_mail_with_dkim_on_is_signed_rsa_and_ed25519_and_verifies(): void {
		$this->configureCapture( array( 'dkim_enabled' => true, 'dkim_algorithm' => 'both', 'dkim_selector' => 'tests' ) );
		$this->assertTrue( Native_SMTP_Dkim::generate( 'rsa-sha256' ) );
		$this->assertTrue( Native_SMTP_Dkim::generate( 'ed25519-sha256' ) );
		$this->assertSame( 'tests-ed25519._domainkey.wpe2e.test', Native_SMTP_Dkim::dns_name( 'ed25519-sha256' ) );

		$subject = $this->uniqueSubject( 'Ký DKIM' );
		$this->assertTrue( wp_mail( 'ann@example.test', $subject, "Xin chào\nDKIM body", array( 'Cc: Bob <bob@example.test>' ) ) );
		$got = $this->captured( wp_encode_mime_header_token( $subject ) );
		$this->assertNotNull( $got );
		$this->assertSame( 2, substr_count( $this->headersOf( $got['eml'] ), 'DKIM-Signature:' ) );

		// The DNS answers are exactly what the DKIM tab shows.
		$keys = array();
		foreach ( array( 'rsa-sha256', 'ed25519-sha256' ) as $algorithm ) {
			$keys[ Native_SMTP_Dkim::dns_name( $algorithm ) ] = Native_SMTP_Dkim::dns_record( $algorithm );
		}
		list( $status, $output ) = $this->verify( $keys, $got['eml'] );
		$this->assertSame( 0, $status, $output );
		$this->assertStringContainsString( 'signatures=2 passed=2', $output );
		$this->assertStringContainsString( 'pass a=rsa-sha256 d=wpe2e.test s=tests', $output );
		$this->assertStringContainsString( 'pass a=ed25519-sha256 d=wpe2e.test s=tests-ed25519', $output );

		// Changed after signing: both fail.
		list( $status, $output ) = $this->verify( $keys, str_replace( 'DKIM body', 'DKIM bodY', $got['eml'] ) );
		$this->assertSame( 1, $status, $output );
		$this->assertStringContainsString( 'passed=0', $output );
	}

	public function test_dkim_off_or_without_a_key_sends_unsigned(): void {
		$this->configureCapture( array( 'dkim_enabled' => false ) );
		$this->assertTrue( Native_SMTP_Dkim::generate( 'rsa-sha256' ) );
		$subject = $this->uniqueSubject( 'unsigned' );
		$this->assertTrue( wp_mail( 'ann@example.test', $subject, 'x' ) );
		$this->assertStringNotContainsString( 'DKIM-Signature:', $this->headersOf( $this->captured( $subject )['eml'] ) );

		delete_option( Native_SMTP_Dkim::KEYS_OPTION );
		$this->configureCapture( array( 'dkim_enabled' => true ) );
		$this->assertNull( Native_SMTP_Dkim::mailer_config() );
		$subject = $this->uniqueSubject( 'on without key' );
		$this->assertTrue( wp_mail( 'ann@example.test', $subject, 'x' ), 'a missing key must not stop email' );
		$this->assertStringNotContainsString( 'DKIM-Signature:', $this->headersOf( $this->captured( $subject )['eml'] ) );
	}

	public function test_the_dkim_form_saves_its_own_fields_and_leaves_the_settings_checkboxes(): void {
		update_option( 'native_smtp_options', array_merge( Native_SMTP_Options::defaults(), array( 'auth' => true, 'queue' => true ) ) );
		$clean = Native_SMTP_Options::sanitize(
			array(
				'__dkim_form'    => '1',
				'dkim_enabled'   => '1',
				'dkim_domain'    => ' Example.COM"><script> ',
				'dkim_selector'  => 'mail 2026',
				'dkim_algorithm' => 'ed25519-sha256',
			)
		);
		$this->assertTrue( $clean['dkim_enabled'] );
		$this->assertSame( 'example.comscript', $clean['dkim_domain'] );
		$this->assertSame( 'mail2026', $clean['dkim_selector'] );
		$this->assertSame( 'ed25519-sha256', $clean['dkim_algorithm'] );
		$this->assertTrue( $clean['auth'], 'the Settings tab\'s checkboxes are not touched' );
		$this->assertTrue( $clean['queue'] );

		$clean = Native_SMTP_Options::sanitize( array( '__dkim_form' => '1', 'dkim_algorithm' => 'md5' ) );
		$this->assertFalse( $clean['dkim_enabled'], 'unticked means off' );
		$this->assertSame( 'rsa-sha256', $clean['dkim_algorithm'] );
	}

	/**
	 * The constants are defined before WordPress loads, as wp-config.php would, in a child PHP run
	 * exactly as the site runs ($WP_PHP): constants cannot be undefined in this process afterwards.
	 */
	public function test_wp_config_constants_lock_the_dkim_settings_and_the_key(): void {
		$pair = \Smtp\Dkim::generateKey( 'ed25519-sha256' );
		$this->configureCapture( array( 'dkim_enabled' => false, 'dkim_domain' => 'stored.example', 'dkim_algorithm' => 'rsa-sha256' ) );
		$subject = $this->uniqueSubject( 'locked key' );
		$script  = tempnam( sys_get_temp_dir(), 'native-smtp-dkim-lock-' );
		$keyfile = $script . '.pem';
		file_put_contents( $keyfile, $pair['private_key'] );
		chmod( $keyfile, 0600 );
		file_put_contents(
			$script,
			'<?php
			define( "NATIVE_SMTP_DKIM", true );
			define( "NATIVE_SMTP_DKIM_DOMAIN", "locked.example" );
			define( "NATIVE_SMTP_DKIM_SELECTOR", "ops" );
			define( "NATIVE_SMTP_DKIM_ALGORITHM", "ed25519-sha256" );
			define( "NATIVE_SMTP_DKIM_ED25519_KEY", ' . var_export( $keyfile, true ) . ' );
			require getenv( "WP_ROOT" ) . "/wp-load.php";
			require_once ABSPATH . "wp-admin/includes/plugin.php";
			require_once ABSPATH . "wp-admin/includes/template.php";
			$config = Native_SMTP_Dkim::mailer_config();
			$clean  = Native_SMTP_Options::sanitize( array( "__dkim_form" => "1", "dkim_domain" => "other.example", "dkim_algorithm" => "both" ) );
			$admins = get_users( array( "role" => "administrator", "number" => 1, "fields" => "ID" ) );
			wp_set_current_user( (int) $admins[0] );
			Native_SMTP_Admin::register_settings();
			ob_start();
			Native_SMTP_Admin::render_dkim_tab();
			$html = ob_get_clean();
			echo json_encode( array(
				"config"    => $config,
				"record"    => Native_SMTP_Dkim::dns_record( "ed25519-sha256" ),
				"generate"  => is_wp_error( Native_SMTP_Dkim::generate( "ed25519-sha256" ) ),
				"clean"     => array( $clean["dkim_domain"], $clean["dkim_algorithm"] ),
				"html"      => $html,
				"sent"      => wp_mail( "ann@example.test", ' . var_export( $subject, true ) . ', "x" ),
			) );'
		);
		exec( escapeshellarg( getenv( 'WP_PHP' ) ) . ' ' . escapeshellarg( $script ) . ' 2>&1', $lines, $status );
		unlink( $script );
		unlink( $keyfile );
		$out = json_decode( (string) end( $lines ), true );
		$this->assertSame( 0, $status, implode( "\n", $lines ) );
		$this->assertIsArray( $out, implode( "\n", $lines ) );

		$this->assertCount( 1, $out['config'] );
		$this->assertSame( 'locked.example', $out['config'][0]['domain'] );
		$this->assertSame( 'ops', $out['config'][0]['selector'] );
		$this->assertSame( 'ed25519-sha256', $out['config'][0]['algorithm'] );
		$this->assertSame( $pair['dns_record'], $out['record'], 'the record of the key file' );
		$this->assertTrue( $out['generate'], 'a key from wp-config.php is not replaced' );
		$this->assertSame( array( 'stored.example', 'rsa-sha256' ), $out['clean'], 'a form save cannot change what constants fix' );
		$this->assertStringContainsString( 'ops._domainkey.locked.example', $out['html'] );
		$this->assertStringContainsString( 'NATIVE_SMTP_DKIM_ED25519_KEY', $out['html'] );
		$this->assertStringContainsString( 'NATIVE_SMTP_DKIM_DOMAIN', $out['html'], 'the locked field names its constant' );
		$this->assertStringNotContainsString( 'native-smtp-dkim-generate-button', $out['html'], 'nothing to generate' );
		$this->assertStringNotContainsString( 'PRIVATE KEY', $out['html'] );

		$this->assertTrue( $out['sent'] );
		$got = $this->captured( $subject );
		$this->assertNotNull( $got );
		list( $status, $output ) = $this->verify( array( 'ops._domainkey.locked.example' => $pair['dns_record'] ), $got['eml'] );
		$this->assertSame( 0, $status, $output );
		$this->assertStringContainsString( 'pass a=ed25519-sha256 d=locked.example s=ops', $output );
	}

	/**
	 * Runs tests/dkim/verify.py (Debian's dkimpy) with $keys as its DNS.
	 *
	 * @return array{0: int, 1: string}
	 */
	private function verify( array $keys, string $eml ): array {
		$dir = sys_get_temp_dir() . '/native-smtp-dkim-' . bin2hex( random_bytes( 4 ) );
		mkdir( $dir, 0700 );
		file_put_contents( $dir . '/keys.json', wp_json_encode( $keys ) );
		file_put_contents( $dir . '/message.eml', $eml );
		$verifier = dirname( __DIR__, 2 ) . '/dkim/verify.py';
		exec( '/usr/bin/python3 ' . escapeshellarg( $verifier ) . ' ' . escapeshellarg( $dir . '/keys.json' ) . ' ' . escapeshellarg( $dir . '/message.eml' ) . ' 2>&1', $lines, $status );
		unlink( $dir . '/keys.json' );
		unlink( $dir . '/message.eml' );
		rmdir( $dir );
		return array( $status, implode( "\n", $lines ) );
	}
}

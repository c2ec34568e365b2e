<?php
/**
 * Settings: sanitising, the password at rest, constants that lock fields.
 */

defined( 'ABSPATH' ) || exit;

final class SettingsTest extends NativeSmtpTestCase {

	private function sanitize( array $input ): array {
		return Native_SMTP_Options::sanitize( $input + array( '__checkboxes' => '1' ) );
	}

	public function test_sanitize_cleans_text_host_port_and_encryption(): void {
		$clean = $this->sanitize(
			array(
				'host'       => ' smtp.example.com/<script> ',
				'port'       => '99999',
				'encryption' => 'ssl',
				'from_name'  => "Shop <b>Name</b>\n",
				'from_email' => ' shop@example.com ',
				'username'   => ' me@example.com ',
			)
		);
		$this->assertSame( 'smtp.example.com', $clean['host'] );
		$this->assertSame( 465, $clean['port'], 'an out-of-range port falls back to the encryption\'s default' );
		$this->assertSame( 'ssl', $clean['encryption'] );
		$this->assertSame( 'Shop Name', $clean['from_name'] );
		$this->assertSame( 'shop@example.com', $clean['from_email'] );
		$this->assertSame( 'me@example.com', $clean['username'] );

		$clean = $this->sanitize( array( 'encryption' => 'rot13', 'port' => '2525' ) );
		$this->assertSame( 'tls', $clean['encryption'] );
		$this->assertSame( 2525, $clean['port'] );
	}

	public function test_invalid_from_email_keeps_the_previous_one(): void {
		update_option( 'native_smtp_options', array_merge( Native_SMTP_Options::defaults(), array( 'from_email' => 'good@example.com' ) ) );
		$clean = $this->sanitize( array( 'from_email' => 'not an address' ) );
		$this->assertSame( 'good@example.com', $clean['from_email'] );
		$codes = wp_list_pluck( get_settings_errors( 'native_smtp_options' ), 'code' );
		$this->assertContains( 'native_smtp_from_email', $codes );
	}

	public function test_unticked_checkboxes_are_off_and_ticked_ones_on(): void {
		$clean = $this->sanitize( array( 'force_from_email' => '1', 'return_path' => '1' ) );
		$this->assertTrue( $clean['force_from_email'] );
		$this->assertTrue( $clean['return_path'] );
		$this->assertFalse( $clean['auth'] );
		$this->assertFalse( $clean['force_from_name'] );
		$this->assertFalse( $clean['log_bodies'] );
	}

	public function test_password_is_encrypted_at_rest_and_an_empty_submit_keeps_it(): void {
		$secret = 'pa$$ w0rd\\with "quotes" ' . bin2hex( random_bytes( 4 ) );
		update_option( 'native_smtp_options', $this->sanitize( array( 'host' => 'smtp.example.com', 'password' => $secret ) ) );

		global $wpdb;
		$raw = $wpdb->get_var( "SELECT option_value FROM {$wpdb->options} WHERE option_name = 'native_smtp_options'" ); // phpcs:ignore
		$this->assertStringNotContainsString( $secret, $raw, 'the database must not hold the password in clear' );
		$this->assertStringNotContainsString( base64_encode( $secret ), $raw );
		$this->assertStringStartsWith( Native_SMTP_Options::CIPHER_PREFIX, Native_SMTP_Options::stored()['password'] );
		$this->assertSame( $secret, Native_SMTP_Options::get( 'password' ) );

		// The form sends the field back empty, or with the placeholder: the stored one stays.
		update_option( 'native_smtp_options', $this->sanitize( array( 'password' => '' ) ) );
		$this->assertSame( $secret, Native_SMTP_Options::get( 'password' ) );
		update_option( 'native_smtp_options', $this->sanitize( array( 'password' => Native_SMTP_Options::PASSWORD_PLACEHOLDER ) ) );
		$this->assertSame( $secret, Native_SMTP_Options::get( 'password' ) );

		update_option( 'native_smtp_options', $this->sanitize( array( 'clear_password' => '1' ) ) );
		$this->assertSame( '', Native_SMTP_Options::get( 'password' ) );
	}

	public function test_first_save_through_add_option_does_not_encrypt_twice(): void {
		// No option yet: update_option() calls add_option(), and both run the sanitize filter.
		delete_option( 'native_smtp_options' );
		add_filter( 'sanitize_option_native_smtp_options', array( 'Native_SMTP_Options', 'sanitize' ) );
		try {
			update_option( 'native_smtp_options', array( '__checkboxes' => '1', 'host' => 'smtp.example.com', 'password' => 'first-save' ) );
		} finally {
			remove_filter( 'sanitize_option_native_smtp_options', array( 'Native_SMTP_Options', 'sanitize' ) );
		}
		$this->assertSame( 'first-save', Native_SMTP_Options::get( 'password' ) );
	}

	public function test_each_encryption_uses_a_fresh_nonce_and_tampering_is_detected(): void {
		$a = Native_SMTP_Options::encrypt( 'same' );
		$b = Native_SMTP_Options::encrypt( 'same' );
		$this->assertNotSame( $a, $b );
		$this->assertSame( 'same', Native_SMTP_Options::decrypt( $b ) );

		list( $prefix, $check, $body ) = explode( ':', $a, 3 );
		$raw       = base64_decode( $body );
		$raw[-1]   = chr( ord( $raw[-1] ) ^ 1 );
		$tampered  = "$prefix:$check:" . base64_encode( $raw );
		$this->assertSame( 'damaged', Native_SMTP_Crypto::status( $tampered ), 'the key check value matches, so the value itself was altered' );
		$this->assertSame( '', Native_SMTP_Options::decrypt( $tampered ) );
		$this->assertSame( '', Native_SMTP_Options::decrypt( 'plain-text-from-an-old-version' ) );
	}

	public function test_settings_page_never_prints_the_password(): void {
		$secret = 'never-shown-' . bin2hex( random_bytes( 4 ) );
		update_option( 'native_smtp_options', $this->sanitize( array( 'host' => 'smtp.example.com', 'password' => $secret ) ) );
		ob_start();
		Native_SMTP_Admin::render_password();
		$html = ob_get_clean();
		$this->assertStringNotContainsString( $secret, $html );
		$this->assertStringNotContainsString( Native_SMTP_Options::stored()['password'], $html, 'nor its ciphertext' );
		$this->assertStringContainsString( 'value=""', $html );
		$this->assertStringContainsString( 'placeholder="' . Native_SMTP_Options::PASSWORD_PLACEHOLDER . '"', $html );
	}

	/**
	 * @runInSeparateProcess
	 * @preserveGlobalState disabled
	 */
	public function test_constants_fix_settings_and_lock_their_fields(): void {
		update_option( 'native_smtp_options', $this->sanitize( array( 'host' => 'stored.example.com', 'port' => '2525', 'password' => 'stored-password' ) ) );
		define( 'NATIVE_SMTP_HOST', 'const.example.com' );
		define( 'NATIVE_SMTP_ENCRYPTION', 'ssl' );
		define( 'NATIVE_SMTP_PORT', '465' );
		define( 'NATIVE_SMTP_PASSWORD', 'constant-password' );
		define( 'NATIVE_SMTP_AUTH', 'true' );

		$this->assertTrue( Native_SMTP_Options::is_locked( 'host' ) );
		$this->assertFalse( Native_SMTP_Options::is_locked( 'username' ) );
		$this->assertSame( 'const.example.com', Native_SMTP_Options::get( 'host' ) );
		$this->assertSame( 465, Native_SMTP_Options::get( 'port' ) );
		$this->assertSame( 'constant-password', Native_SMTP_Options::get( 'password' ) );
		$this->assertTrue( Native_SMTP_Options::get( 'auth' ) );

		$config = Native_SMTP_Transport::config();
		$this->assertSame( 'const.example.com', $config['host'] );
		$this->assertSame( 'tls', $config['encryption'], 'SSL in the plugin is implicit TLS ("tls") in the extension' );

		// A posted value for a locked field is ignored; the stored copy is kept.
		$clean = $this->sanitize( array( 'host' => 'posted.example.com', 'port' => '25', 'password' => 'posted' ) );
		$this->assertSame( 'stored.example.com', $clean['host'] );
		$this->assertSame( 2525, $clean['port'] );
		$this->assertSame( 'stored-password', Native_SMTP_Options::decrypt( $clean['password'] ) );

		ob_start();
		Native_SMTP_Admin::render_host();
		Native_SMTP_Admin::render_password();
		Native_SMTP_Admin::render_username();
		$html = ob_get_clean();
		$this->assertMatchesRegularExpression( '/id="native-smtp-host"[^>]*disabled="disabled"/', $html );
		$this->assertMatchesRegularExpression( '/id="native-smtp-password"[^>]*disabled="disabled"/', $html );
		$this->assertDoesNotMatchRegularExpression( '/id="native-smtp-username"[^>]*disabled/', $html );
		$this->assertStringContainsString( 'NATIVE_SMTP_HOST', $html );
		$this->assertStringNotContainsString( 'constant-password', $html );
	}

	public function test_vietnamese_translation_ships_and_loads(): void {
		// The site's language, as WordPress determines it: 6.1 hands it to plugin_locale,
		// 6.7 and later load a plugin's translations just in time for it (at the first
		// __(), and plugin_locale is no longer asked). The domain is unloaded as reloadable:
		// a plain unload_textdomain() forbids the just-in-time load for the rest of the
		// request on 6.7+ (WordPress 6.8 and 7.1 failed this test that way).
		$vietnamese = static function () {
			return 'vi';
		};
		add_filter( 'determine_locale', $vietnamese );
		unload_textdomain( 'native-smtp', true );
		try {
			native_smtp_load_textdomain();
			$this->assertSame( 'Lưu cài đặt', __( 'Save Settings', 'native-smtp' ) );
			$this->assertSame( 'Gửi thử', __( 'Send Test', 'native-smtp' ) );
			$this->assertSame( 'Mật khẩu SMTP', __( 'SMTP Password', 'native-smtp' ) );
			$this->assertTrue( is_textdomain_loaded( 'native-smtp' ) );
		} finally {
			remove_filter( 'determine_locale', $vietnamese );
			unload_textdomain( 'native-smtp', true );
			native_smtp_load_textdomain();
		}
	}

	public function test_encryption_maps_to_the_extension_names(): void {
		foreach ( array( 'none' => 'none', 'ssl' => 'tls', 'tls' => 'starttls' ) as $ours => $extension ) {
			update_option( 'native_smtp_options', array_merge( Native_SMTP_Options::defaults(), array( 'host' => 'h.example', 'encryption' => $ours, 'auth' => false ) ) );
			$this->assertSame( $extension, Native_SMTP_Transport::config()['encryption'] );
		}
	}
}

<?php
/**
 * On a PHP without ext-sodium WordPress's sodium_compat steps in, and its sodium_memzero() throws
 * (PHP code cannot wipe memory). Saving a password and sending must still work. Run by
 * scripts/wp-test.sh with $WP_PHP_NO_SODIUM (the sodium functions disabled).
 *
 * @group no-sodium
 */

defined( 'ABSPATH' ) || exit;

final class NoSodiumTest extends NativeSmtpTestCase {

	public function test_saving_a_password_and_sending_work_with_sodium_compat(): void {
		$this->requireExtension();
		$this->assertFalse( function_exists( 'sodium_memzero' ), 'this PHP has no sodium_memzero() of its own' );
		Native_SMTP_Crypto::status( '' );
		Native_SMTP_Options::encrypt( 'loads sodium_compat' );
		$this->assertTrue( class_exists( 'ParagonIE_Sodium_Compat' ), 'the plugin loaded WordPress\'s sodium_compat' );
		// sodium_compat defines its functions only when ext-sodium is not loaded at all; this PHP has it
		// built in, so its definitions are loaded as that host would have them.
		require_once ABSPATH . WPINC . '/sodium_compat/lib/php72compat.php';
		$this->assertFalse( ( new ReflectionFunction( 'sodium_memzero' ) )->isInternal(), 'sodium_memzero() is sodium_compat\'s' );
		// As without the extension: sodium_compat does not hand back to it.
		ParagonIE_Sodium_Compat::$disableFallbackForUnitTests = true;
		$probe = 'x';
		try {
			sodium_memzero( $probe );
			$this->fail( 'this PHP must be the one whose sodium_memzero() throws' );
		} catch ( SodiumException $e ) {
			$this->assertStringContainsString( 'not', $e->getMessage() );
		}

		$clean = Native_SMTP_Options::sanitize( array( '__checkboxes' => '1', 'host' => '127.0.0.1', 'password' => getenv( 'SMTP_CAPTURE_PASSWORD' ) ) );
		$this->assertStringStartsWith( Native_SMTP_Options::CIPHER_PREFIX, $clean['password'] );
		$this->configureCapture();
		$subject = $this->uniqueSubject( 'no sodium' );
		$this->assertTrue( wp_mail( 'ann@example.test', $subject, 'sent without ext-sodium' ) );
		$this->assertNotNull( $this->captured( $subject ) );
	}
}

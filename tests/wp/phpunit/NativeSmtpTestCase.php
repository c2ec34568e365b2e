<?php
/**
 * Base class: snapshots the plugin's options, reads what the capture server recorded.
 */

defined( 'ABSPATH' ) || exit;

use PHPUnit\Framework\TestCase;

abstract class NativeSmtpTestCase extends TestCase {

	/** @var array<string, mixed> option => value before the test (null: absent) */
	private $saved_options = array();

	protected function setUp(): void {
		foreach ( array( 'native_smtp_options', 'native_smtp_last_send' ) as $option ) {
			$this->saved_options[ $option ] = get_option( $option, null );
		}
		Native_SMTP_Transport::reset_mailer();
	}

	protected function tearDown(): void {
		foreach ( $this->saved_options as $option => $value ) {
			if ( null === $value ) {
				delete_option( $option );
			} else {
				update_option( $option, $value );
			}
		}
		Native_SMTP_Transport::reset_mailer();
	}

	/** Fails the test (never skips) when the extension is not loaded: the reason is printed. */
	protected function requireExtension(): void {
		if ( ! class_exists( 'Smtp\Mailer' ) ) {
			$this->fail( 'the smtp extension is not loaded (did scripts/build.sh fail? see $WP_STATE/log/build.log)' );
		}
	}

	/** Stores settings pointing at the capture server (STARTTLS + AUTH), merged with $overrides. */
	protected function configureCapture( array $overrides = array(), ?string $password = null ): void {
		$settings = array_merge(
			Native_SMTP_Options::defaults(),
			array(
				'host'       => '127.0.0.1',
				'port'       => (int) getenv( 'SMTP_CAPTURE_PORT' ),
				'encryption' => 'tls',
				'auth'       => true,
				'username'   => getenv( 'SMTP_CAPTURE_USER' ),
				'password'   => Native_SMTP_Options::encrypt( $password ?? getenv( 'SMTP_CAPTURE_PASSWORD' ) ),
				'from_email' => 'site@wpe2e.test',
				'from_name'  => 'Native SMTP Tests',
			),
			$overrides
		);
		update_option( 'native_smtp_options', $settings );
	}

	/** A subject no other test uses, to find our message in the spool. */
	protected function uniqueSubject( string $what ): string {
		return $what . ' ' . bin2hex( random_bytes( 6 ) );
	}

	/**
	 * The capture server's record of the message whose Subject contains $token.
	 *
	 * @return array{meta: array, eml: string}|null
	 */
	protected function captured( string $token, float $wait = 5.0 ): ?array {
		$spool    = getenv( 'SMTP_CAPTURE_SPOOL' );
		$deadline = microtime( true ) + $wait;
		do {
			foreach ( array_reverse( glob( $spool . '/*.json' ) ?: array() ) as $json ) {
				$eml = substr( $json, 0, -5 ) . '.eml';
				if ( ! is_file( $eml ) ) {
					continue;
				}
				$data = file_get_contents( $eml );
				if ( false !== strpos( $data, $token ) ) {
					return array(
						'meta' => json_decode( file_get_contents( $json ), true ),
						'eml'  => $data,
					);
				}
			}
			usleep( 100000 );
		} while ( microtime( true ) < $deadline );
		return null;
	}

	/** The header block of a captured message. */
	protected function headersOf( string $eml ): string {
		$end = strpos( $eml, "\r\n\r\n" );
		return false === $end ? $eml : substr( $eml, 0, $end + 2 );
	}

	/** Files PHP's mail() wrote through the rig's fake sendmail whose text contains $token. */
	protected function sentThroughMailFunction( string $token ): array {
		$found = array();
		foreach ( glob( getenv( 'SENDMAIL_SPOOL' ) . '/*.eml' ) ?: array() as $file ) {
			if ( false !== strpos( file_get_contents( $file ), $token ) ) {
				$found[] = $file;
			}
		}
		return $found;
	}

	/** Log rows whose subject is $subject, newest first. */
	protected function logRows( string $subject ): array {
		global $wpdb;
		$table = Native_SMTP_Log::table();
		return $wpdb->get_results( $wpdb->prepare( "SELECT * FROM {$table} WHERE subject = %s ORDER BY id DESC", $subject ), ARRAY_A ); // phpcs:ignore
	}
}

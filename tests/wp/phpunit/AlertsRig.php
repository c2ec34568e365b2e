<?php
/**
 * For the alert, summary and log-tool tests: a relay of the test's own (tests/server/smtpd.py on a
 * free port, up or down), a webhook receiver (tests/wp/rig/webhook-receiver.py, a real HTTP server
 * on 127.0.0.1 recording POSTs), the alert settings put back afterwards, filters removed.
 */

defined( 'ABSPATH' ) || exit;

trait AlertsRig {

	/** @var string */
	private $base = '';

	/** @var resource|null */
	private $relay = null;

	/** @var int */
	private $relay_port = 0;

	/** @var resource|null */
	private $receiver = null;

	/** @var int */
	private $receiver_port = 0;

	/** @var array<int, array{0: string, 1: callable}> */
	private $rig_filters = array();

	/** @var mixed */
	private $saved_alerts;

	/** @var mixed */
	private $saved_failed_notice;

	private function setUpRig(): void {
		$this->base = sys_get_temp_dir() . '/native-smtp-alerts-' . bin2hex( random_bytes( 4 ) );
		mkdir( $this->base . '/relay', 0700, true );
		mkdir( $this->base . '/hooks', 0700, true );
		$spool = $this->base . '/spool';
		$this->rigFilter( 'native_smtp_spool_dir', static function () use ( $spool ) {
			return $spool;
		} );
		$this->rigFilter( 'native_smtp_flush_force', '__return_true' );
		$this->rigFilter( 'native_smtp_webhook_allow_loopback', '__return_true' );
		$this->saved_alerts        = Native_SMTP_Options::get_shared( Native_SMTP_Alerts::OPTION, null );
		$this->saved_failed_notice = get_option( Native_SMTP_Queue::FAILED_OPTION, null );
		Native_SMTP_Alerts::reset_windows();
		$probe            = stream_socket_server( 'tcp://127.0.0.1:0' );
		$this->relay_port = (int) substr( strrchr( stream_socket_get_name( $probe, false ), ':' ), 1 );
		fclose( $probe );
		$this->useRelay();
	}

	private function tearDownRig(): void {
		$this->stopRelay();
		if ( is_resource( $this->receiver ) ) {
			proc_terminate( $this->receiver );
			proc_close( $this->receiver );
		}
		$this->receiver = null;
		foreach ( $this->rig_filters as list( $name, $callback ) ) {
			remove_filter( $name, $callback );
		}
		if ( null === $this->saved_alerts ) {
			is_multisite() ? delete_site_option( Native_SMTP_Alerts::OPTION ) : delete_option( Native_SMTP_Alerts::OPTION );
		} else {
			Native_SMTP_Options::update_shared( Native_SMTP_Alerts::OPTION, $this->saved_alerts );
		}
		if ( null === $this->saved_failed_notice ) {
			delete_option( Native_SMTP_Queue::FAILED_OPTION );
		} else {
			update_option( Native_SMTP_Queue::FAILED_OPTION, $this->saved_failed_notice, false );
		}
		Native_SMTP_Alerts::reset_windows();
		exec( 'rm -rf ' . escapeshellarg( $this->base ) );
	}

	private function rigFilter( string $name, callable $callback ): void {
		add_filter( $name, $callback );
		$this->rig_filters[] = array( $name, $callback );
	}

	/** Settings: mail through our relay (no TLS), $overrides on top. */
	private function useRelay( array $overrides = array() ): void {
		$this->configureCapture(
			array_merge(
				array(
					'host'       => '127.0.0.1',
					'port'       => $this->relay_port,
					'encryption' => 'none',
					'auth'       => false,
					'username'   => '',
					'password'   => '',
					'queue'      => false,
					'log_bodies' => true,
				),
				$overrides
			)
		);
	}

	private function startRelay( array $args = array() ): void {
		$dir   = $this->base . '/relay';
		$ready = $dir . '/ready';
		@unlink( $ready );
		$cmd         = array_merge(
			array( '/usr/bin/python3', dirname( __DIR__, 2 ) . '/server/smtpd.py', '--host', '127.0.0.1', '--port', (string) $this->relay_port, '--ready-file', $ready, '--spool', $dir, '--lifetime', '120', '--tls', 'none' ),
			$args
		);
		$this->relay = proc_open( $cmd, array( 0 => array( 'file', '/dev/null', 'r' ), 1 => array( 'file', $dir . '/stdout', 'a' ), 2 => array( 'file', $dir . '/stderr', 'a' ) ), $pipes );
		$this->assertIsResource( $this->relay );
		$deadline = microtime( true ) + 10;
		while ( ! ( is_file( $ready ) && filesize( $ready ) > 0 ) && microtime( true ) < $deadline ) {
			usleep( 50000 );
		}
		$this->assertFileExists( $ready, 'relay did not start: ' . @file_get_contents( $dir . '/stderr' ) );
	}

	private function stopRelay(): void {
		if ( is_resource( $this->relay ) ) {
			proc_terminate( $this->relay );
			proc_close( $this->relay );
		}
		$this->relay = null;
		Native_SMTP_Transport::reset_mailer();
	}

	/** Messages the relay took: list of {meta, eml}. */
	private function relayed( string $needle = '' ): array {
		$found = array();
		foreach ( glob( $this->base . '/relay/*.json' ) ?: array() as $json ) {
			$eml = substr( $json, 0, -5 ) . '.eml';
			if ( is_file( $eml ) ) {
				$data = file_get_contents( $eml );
				if ( '' === $needle || false !== strpos( $data, $needle ) ) {
					$found[] = array(
						'meta' => json_decode( file_get_contents( $json ), true ),
						'eml'  => $data,
					);
				}
			}
		}
		return $found;
	}

	/** Starts the webhook receiver; returns its base URL. */
	private function startReceiver( int $status = 200 ): string {
		$ready          = $this->base . '/hooks-ready';
		$this->receiver = proc_open(
			array( '/usr/bin/python3', dirname( __DIR__ ) . '/rig/webhook-receiver.py', '--spool', $this->base . '/hooks', '--ready-file', $ready, '--status', (string) $status, '--lifetime', '120' ),
			array( 0 => array( 'file', '/dev/null', 'r' ), 1 => array( 'file', $this->base . '/hooks.out', 'a' ), 2 => array( 'file', $this->base . '/hooks.err', 'a' ) ),
			$pipes
		);
		$this->assertIsResource( $this->receiver );
		$deadline = microtime( true ) + 10;
		while ( ! is_file( $ready ) && microtime( true ) < $deadline ) {
			usleep( 50000 );
		}
		$this->assertFileExists( $ready, 'receiver did not start: ' . @file_get_contents( $this->base . '/hooks.err' ) );
		$this->receiver_port = (int) file_get_contents( $ready );
		return 'http://127.0.0.1:' . $this->receiver_port;
	}

	/** The POSTs the receiver recorded, oldest first: list of {path, headers, body, json}. */
	private function received(): array {
		$found = array();
		foreach ( glob( $this->base . '/hooks/*.json' ) ?: array() as $file ) {
			$record         = json_decode( file_get_contents( $file ), true );
			$record['json'] = json_decode( $record['body'], true );
			$found[]        = $record;
		}
		return $found;
	}

	/** Alert settings, merged over defaults. */
	private function setAlerts( array $settings ): void {
		Native_SMTP_Options::update_shared( Native_SMTP_Alerts::OPTION, array_merge( Native_SMTP_Alerts::defaults(), $settings ) );
	}

	/** wp_redirect() and wp_die() become exceptions, so a handler's outcome can be asserted. */
	private function catchExits(): void {
		$this->rigFilter(
			'wp_redirect',
			static function ( $location ) {
				throw new RuntimeException( 'redirect: ' . $location );
			}
		);
		$this->rigFilter(
			'wp_die_handler',
			static function () {
				return static function ( $message ) {
					throw new RuntimeException( 'wp_die: ' . ( is_string( $message ) ? $message : wp_json_encode( $message ) ) );
				};
			}
		);
	}

	/** Runs an admin-post handler as a POST with $fields and a nonce for $nonce_action; returns what it ended with. */
	private function post( callable $handler, string $nonce_action, array $fields = array(), ?string $nonce = null ): string {
		$_SERVER['REQUEST_METHOD'] = 'POST';
		$_POST                     = wp_slash( $fields );
		$_REQUEST['_wpnonce']      = $nonce ?? wp_create_nonce( $nonce_action );
		try {
			$handler();
			return 'returned';
		} catch ( RuntimeException $e ) {
			return $e->getMessage();
		} finally {
			$_POST = array();
			unset( $_REQUEST['_wpnonce'], $_SERVER['REQUEST_METHOD'] );
		}
	}

	private function adminId(): int {
		$admins = get_users( array( 'role' => 'administrator', 'number' => 1, 'fields' => 'ID' ) );
		return (int) $admins[0];
	}
}

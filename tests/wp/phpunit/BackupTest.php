<?php
/**
 * Backup connection: a second relay handed to the extension as its "fallback". Real servers: a
 * primary that refuses with 4xx (tests/server/smtpd.py), one that is not there at all (a closed
 * port), one that refuses for good (5xx: never retried elsewhere), and Debian's aiosmtpd as the
 * backup (STARTTLS + AUTH). The log says which relay sent each email, native_smtp_backup_used fires.
 */

defined( 'ABSPATH' ) || exit;

require_once dirname( __DIR__, 2 ) . '/inc/server.inc';
require_once ABSPATH . 'wp-admin/includes/template.php';

final class BackupTest extends NativeSmtpTestCase {

	/** @var array<int, array> what native_smtp_backup_used was given */
	private $events = array();

	/** @var callable */
	private $listener;

	protected function setUp(): void {
		parent::setUp();
		$this->requireExtension();
		putenv( 'SMTP_TEST_CERTS=' . getenv( 'WP_STATE' ) . '/certs' );
		$GLOBALS['wp_settings_errors'] = array();
		$this->events                  = array();
		$this->listener                = function ( $event ) {
			$this->events[] = $event;
		};
		add_action( 'native_smtp_backup_used', $this->listener );
	}

	protected function tearDown(): void {
		remove_action( 'native_smtp_backup_used', $this->listener );
		$GLOBALS['wp_settings_errors'] = array();
		unset( $_GET['tab'], $_GET['email'], $GLOBALS['current_screen'] );
		wp_set_current_user( 0 );
		parent::tearDown();
	}

	/** The backup relay: aiosmtpd, STARTTLS required, AUTH. */
	private function startBackup(): SmtpTestServer {
		return SmtpTestServer::start(
			array(
				'engine' => 'aiosmtpd',
				'tls'    => 'starttls',
				'auth'   => 'backup@example.test:backup-secret',
			)
		);
	}

	/** Saves settings through the sanitising, as the form does: primary on $port, the backup on $backup. */
	private function configure( int $port, SmtpTestServer $backup, array $extra = array() ): void {
		$clean = Native_SMTP_Options::sanitize(
			array_merge(
				array(
					'__checkboxes'      => '1',
					'preset'            => 'other',
					'host'              => '127.0.0.1',
					'port'              => (string) $port,
					'encryption'        => 'none',
					'auth'              => '',
					'from_email'        => 'site@wpe2e.test',
					'queue'             => '',
					'backup_enabled'    => '1',
					'backup_preset'     => 'other',
					'backup_host'       => '127.0.0.1',
					'backup_port'       => (string) $backup->port,
					'backup_encryption' => 'tls',
					'backup_auth'       => '1',
					'backup_username'   => 'backup@example.test',
					'backup_password'   => 'backup-secret',
				),
				$extra
			)
		);
		$this->assertSame( array(), get_settings_errors( Native_SMTP_Options::OPTION ) );
		update_option( Native_SMTP_Options::OPTION, $clean );
		Native_SMTP_Transport::reset_mailer();
	}

	/**
	 * @return array<string, array{0: string}>
	 */
	public function temporaryFailures(): array {
		return array(
			'primary refuses MAIL with 451' => array( 'mail451' ),
			'primary greets with 421'       => array( 'greeting421' ),
			'primary port closed'           => array( 'closed' ),
		);
	}

	/**
	 * @dataProvider temporaryFailures
	 */
	public function test_the_backup_relay_sends_when_the_primary_fails_temporarily( string $how ): void {
		$backup  = $this->startBackup();
		$primary = null;
		if ( 'closed' === $how ) {
			$port = SmtpTestServer::unusedPort();
		} else {
			$primary = SmtpTestServer::start( array( 'fault' => 'mail451' === $how ? array( 'reply' => array( 'MAIL' => '451 4.3.0 Temporary server failure, try again later' ) ) : array( 'greeting' => 421 ) ) );
			$port    = $primary->port;
		}
		$this->configure( $port, $backup );
		$stored = get_option( Native_SMTP_Options::OPTION );
		$this->assertStringStartsWith( Native_SMTP_Options::CIPHER_PREFIX, $stored['backup_password'], 'the backup password is encrypted at rest' );
		$this->assertSame( 'backup-secret', Native_SMTP_Transport::config()['fallback']['password'] );

		$subject = $this->uniqueSubject( 'backup ' . $how );
		$this->assertTrue( wp_mail( 'ann@example.test', $subject, 'through the backup' ), wp_json_encode( Native_SMTP_Transport::last_transcript() ) );

		$messages = $backup->waitForMessages( 1 );
		$this->assertCount( 1, $messages, 'the backup relay got the email' );
		$this->assertStringContainsString( $subject, $messages[0]['data'] );
		$this->assertSame( 'backup@example.test', $messages[0]['auth_user'] );
		if ( null !== $primary ) {
			$this->assertSame( array(), $primary->messages(), 'the primary took nothing' );
			$this->assertNotEmpty( $primary->sessions(), 'the primary was tried first' );
		}

		$rows = $this->logRows( $subject );
		$this->assertCount( 1, $rows );
		$this->assertSame( 'sent', $rows[0]['status'] );
		$this->assertSame( 'backup', $rows[0]['relay'], 'the log says the backup relay sent it' );
		$this->assertStringContainsString( 'trying the fallback relay 127.0.0.1:' . $backup->port, $rows[0]['transcript'] );
		$this->assertStringNotContainsString( 'backup-secret', $rows[0]['transcript'] );

		$this->assertCount( 1, $this->events, 'native_smtp_backup_used fired once' );
		$event = $this->events[0];
		$this->assertTrue( $event['delivered'] );
		$this->assertFalse( $event['queued'] );
		$this->assertSame( '127.0.0.1:' . $port, $event['primary'] );
		$this->assertSame( '127.0.0.1:' . $backup->port, $event['backup'] );
		$this->assertSame( $subject, $event['subject'] );
		$this->assertSame( array( 'ann@example.test' ), $event['to'] );
		$this->assertNotSame( '', $event['message_id'] );
		$this->assertNotSame( '', $event['reason'] );
		$this->assertStringNotContainsString( 'backup-secret', wp_json_encode( $event ) );
		// The keys the alerts read too.
		$this->assertSame( array( '127.0.0.1', (string) $backup->port, 'other', 'Other SMTP', $event['reason'] ), array( $event['host'], $event['port'], $event['preset'], $event['label'], $event['primary_error'] ) );

		// The Email Log shows it, in the list and on the email's page.
		wp_set_current_user( (int) get_user_by( 'login', getenv( 'WP_ADMIN_USER' ) )->ID );
		require_once ABSPATH . 'wp-admin/includes/class-wp-screen.php';
		require_once ABSPATH . 'wp-admin/includes/screen.php';
		$GLOBALS['current_screen'] = WP_Screen::get( 'settings_page_native-smtp' ); // phpcs:ignore WordPress.WP.GlobalVariablesOverride
		$_GET['tab']   = 'log';
		$_GET['email'] = (string) $rows[0]['id'];
		ob_start();
		Native_SMTP_Admin::render_page();
		$html = (string) ob_get_clean();
		$this->assertMatchesRegularExpression( '/<span id="native-smtp-log-relay" data-relay="backup">Backup relay<\/span>/', $html );
		unset( $_GET['email'] );
		ob_start();
		Native_SMTP_Admin::render_page();
		$html = (string) ob_get_clean();
		$this->assertStringContainsString( '<span class="native-smtp-relay-backup">(Backup relay)</span>', $html );
	}

	public function test_send_test_says_when_the_backup_sent_it(): void {
		$backup  = $this->startBackup();
		$primary = SmtpTestServer::start( array( 'fault' => array( 'greeting' => 421 ) ) );
		$this->configure( $primary->port, $backup );
		wp_set_current_user( (int) get_user_by( 'login', getenv( 'WP_ADMIN_USER' ) )->ID );
		$result = Native_SMTP_Admin::send_test( 'ann@example.test', 'plain' );
		$this->assertTrue( $result['ok'] );
		$result['to'] = 'ann@example.test';
		set_transient( 'native_smtp_test_result_' . get_current_user_id(), $result, 60 );
		$_GET['tab'] = 'test';
		ob_start();
		Native_SMTP_Admin::render_page();
		$html = (string) ob_get_clean();
		delete_transient( 'native_smtp_test_result_' . get_current_user_id() );
		$this->assertStringContainsString( 'id="native-smtp-test-backup"', $html );
		$this->assertStringContainsString( 'The backup relay 127.0.0.1:' . $backup->port . ' sent the test email: the main relay 127.0.0.1:' . $primary->port . ' failed temporarily.', $html );
		$this->assertCount( 1, $backup->waitForMessages( 1 ) );
	}

	public function test_a_permanent_refusal_never_goes_to_the_backup(): void {
		$backup  = $this->startBackup();
		$primary = SmtpTestServer::start( array( 'fault' => array( 'reply' => array( 'MAIL' => '550 5.7.1 Not allowed' ) ) ) );
		$this->configure( $primary->port, $backup );
		$subject = $this->uniqueSubject( 'backup 5xx' );
		$this->assertFalse( wp_mail( 'ann@example.test', $subject, 'refused for good' ) );
		$this->assertSame( array(), $backup->waitForMessages( 1, 1.0 ), 'a 5xx is final: the backup got nothing' );
		$this->assertSame( array(), $this->events );
		$rows = $this->logRows( $subject );
		$this->assertSame( array( 'failed', 'primary' ), array( $rows[0]['status'], $rows[0]['relay'] ) );
	}

	public function test_a_working_primary_sends_and_the_log_says_so(): void {
		$backup  = $this->startBackup();
		$primary = SmtpTestServer::start();
		$this->configure( $primary->port, $backup );
		$subject = $this->uniqueSubject( 'primary ok' );
		$this->assertTrue( wp_mail( 'ann@example.test', $subject, 'primary' ) );
		$this->assertCount( 1, $primary->waitForMessages( 1 ) );
		$this->assertSame( array(), $backup->messages() );
		$this->assertSame( array(), $this->events );
		$this->assertSame( 'primary', $this->logRows( $subject )[0]['relay'] );
	}

	public function test_both_relays_failing_temporarily_queue_the_email_and_say_the_backup_was_tried(): void {
		// A spool of this test's own, removed afterwards.
		$spool  = sys_get_temp_dir() . '/native-smtp-backup-' . bin2hex( random_bytes( 4 ) );
		$to_dir = static function () use ( $spool ) {
			return $spool . '/spool';
		};
		add_filter( 'native_smtp_spool_dir', $to_dir );
		$primary = SmtpTestServer::start( array( 'fault' => array( 'greeting' => 421 ) ) );
		$backup  = SmtpTestServer::start( array( 'fault' => array( 'greeting' => 421 ) ) );
		$this->configure( $primary->port, $backup, array( 'queue' => '1', 'backup_encryption' => 'none', 'backup_auth' => '' ) );
		$subject = $this->uniqueSubject( 'both down' );
		$this->assertTrue( wp_mail( 'ann@example.test', $subject, 'queued' ), 'queued for later' );
		$this->assertNotNull( Native_SMTP_Transport::last_queued() );
		$this->assertCount( 1, $this->events );
		$this->assertSame( array( false, true ), array( $this->events[0]['delivered'], $this->events[0]['queued'] ) );
		$rows = $this->logRows( $subject );
		$this->assertSame( 'queued', $rows[0]['status'] );
		$this->assertSame( 'backup', $rows[0]['relay'], 'the backup gave the last answer' );
		remove_filter( 'native_smtp_spool_dir', $to_dir );
		Native_SMTP_Transport::reset_mailer();
		exec( 'rm -rf ' . escapeshellarg( $spool ) );
	}

	public function test_backup_settings_are_sanitised_and_take_presets(): void {
		update_option( Native_SMTP_Options::OPTION, Native_SMTP_Options::defaults() );
		$clean = Native_SMTP_Options::sanitize(
			array(
				'__checkboxes'         => '1',
				'backup_enabled'       => '1',
				'backup_preset'        => 'sendgrid',
				'backup_host'          => 'evil.example',
				'backup_username'      => 'someone',
				'backup_password'      => 'SG.backup',
			)
		);
		$this->assertSame( array( 'sendgrid', 'smtp.sendgrid.net', 587, 'tls', 'apikey' ), array( $clean['backup_preset'], $clean['backup_host'], $clean['backup_port'], $clean['backup_encryption'], $clean['backup_username'] ) );
		update_option( Native_SMTP_Options::OPTION, array_merge( $clean, array( 'host' => 'primary.example', 'auth' => false ) ) );
		$fallback = Native_SMTP_Transport::config()['fallback'];
		$this->assertSame( array( 'smtp.sendgrid.net', 587, 'starttls', 'apikey', 'SG.backup' ), array( $fallback['host'], $fallback['port'], $fallback['encryption'], $fallback['username'], $fallback['password'] ) );
		$this->assertSame( (float) NATIVE_SMTP_TIMEOUT, $fallback['timeout'], 'the first relay\'s timeout' );
		$this->assertSame( NATIVE_SMTP_CAFILE, $fallback['cafile'] );

		// Hostile values.
		$GLOBALS['wp_settings_errors'] = array();
		$bad = Native_SMTP_Options::sanitize(
			array(
				'__checkboxes'   => '1',
				'backup_enabled' => '1',
				'backup_preset'  => '"><script>',
			)
		);
		$this->assertSame( 'sendgrid', $bad['backup_preset'], 'an unknown backup Mailer keeps the previous one' );
		$this->assertContains( 'native_smtp_backup_preset', wp_list_pluck( get_settings_errors( Native_SMTP_Options::OPTION ), 'code' ) );

		$GLOBALS['wp_settings_errors'] = array();
		$bad = Native_SMTP_Options::sanitize(
			array(
				'__checkboxes'      => '1',
				'backup_enabled'    => '1',
				'backup_preset'     => 'other',
				'backup_host'       => 'relay.example/ x',
				'backup_port'       => '70000',
				'backup_encryption' => 'none',
				'backup_auth'       => '1',
			)
		);
		$codes = wp_list_pluck( get_settings_errors( Native_SMTP_Options::OPTION ), 'code' );
		$this->assertSame( 'relay.examplex', $bad['backup_host'] );
		$this->assertContains( 'native_smtp_backup_host', $codes );
		$this->assertContains( 'native_smtp_backup_insecure', $codes, 'no plaintext login to a backup' );
		$this->assertSame( 'tls', $bad['backup_encryption'] );

		// Off: no fallback key at all.
		update_option( Native_SMTP_Options::OPTION, array_merge( $clean, array( 'host' => 'primary.example', 'auth' => false, 'backup_enabled' => false ) ) );
		$this->assertArrayNotHasKey( 'fallback', Native_SMTP_Transport::config() );
	}
}

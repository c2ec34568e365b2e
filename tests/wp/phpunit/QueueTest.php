<?php
/**
 * Queue: relay down -> wp_mail() is true and the log says queued -> the cron hook retries
 * (retried) -> relay up -> the cron hook delivers it (sent); a permanent failure at retry time
 * -> failed/, the log says failed, the admin gets a notice and an email, and that email is
 * never queued itself.
 *
 * Each test has its own spool folder and its own relay: tests/server/smtpd.py on a port picked
 * free, stopped ("down") and started again on the same port ("up").
 */

defined( 'ABSPATH' ) || exit;

final class QueueTest extends NativeSmtpTestCase {

	/** @var string this test's spool folder */
	private $spool_dir = '';

	/** @var string the relay's capture folder */
	private $relay_spool = '';

	/** @var resource|null the relay's process */
	private $relay = null;

	/** @var int the relay's port */
	private $port = 0;

	/** @var callable[] filters to remove afterwards, name => callback */
	private $filters = array();

	/** @var mixed */
	private $saved_failed;

	protected function setUp(): void {
		parent::setUp();
		$this->requireExtension();
		$base              = sys_get_temp_dir() . '/native-smtp-queue-' . bin2hex( random_bytes( 4 ) );
		$this->spool_dir   = $base . '/spool';
		$this->relay_spool = $base . '/relay';
		mkdir( $this->relay_spool, 0700, true );
		$dir = $this->spool_dir;
		$this->addFilter( 'native_smtp_spool_dir', static function () use ( $dir ) {
			return $dir;
		} );
		$this->addFilter( 'native_smtp_flush_force', '__return_true' ); // the first retry is a minute away otherwise
		$this->saved_failed = get_option( Native_SMTP_Queue::FAILED_OPTION, null );
		delete_option( Native_SMTP_Queue::FAILED_OPTION );

		// A port nobody listens on yet: the relay is "down" until startRelay().
		$probe      = stream_socket_server( 'tcp://127.0.0.1:0' );
		$this->port = (int) substr( strrchr( stream_socket_get_name( $probe, false ), ':' ), 1 );
		fclose( $probe );
		$this->configureCapture(
			array(
				'host'       => '127.0.0.1',
				'port'       => $this->port,
				'encryption' => 'none',
				'auth'       => false,
				'username'   => '',
				'password'   => '',
				'queue'      => true,
			)
		);
	}

	protected function tearDown(): void {
		$this->stopRelay();
		foreach ( $this->filters as $filter ) {
			remove_filter( $filter[0], $filter[1] );
		}
		if ( null === $this->saved_failed ) {
			delete_option( Native_SMTP_Queue::FAILED_OPTION );
		} else {
			update_option( Native_SMTP_Queue::FAILED_OPTION, $this->saved_failed, false );
		}
		wp_set_current_user( 0 );
		parent::tearDown();
		exec( 'rm -rf ' . escapeshellarg( dirname( $this->spool_dir ) ) );
	}

	private function addFilter( string $name, callable $callback ): void {
		add_filter( $name, $callback );
		$this->filters[] = array( $name, $callback );
	}

	/** Starts the relay on $this->port; $args: more smtpd.py options. */
	private function startRelay( array $args = array() ): void {
		$ready = $this->relay_spool . '/ready';
		@unlink( $ready );
		$cmd = array_merge(
			array( '/usr/bin/python3', dirname( __DIR__, 2 ) . '/server/smtpd.py', '--host', '127.0.0.1', '--port', (string) $this->port, '--ready-file', $ready, '--spool', $this->relay_spool, '--lifetime', '120', '--tls', 'none' ),
			$args
		);
		$this->relay = proc_open( $cmd, array( 0 => array( 'file', '/dev/null', 'r' ), 1 => array( 'file', $this->relay_spool . '/stdout', 'a' ), 2 => array( 'file', $this->relay_spool . '/stderr', 'a' ) ), $pipes );
		$this->assertIsResource( $this->relay );
		$deadline = microtime( true ) + 10;
		while ( ! ( is_file( $ready ) && filesize( $ready ) > 0 ) && microtime( true ) < $deadline ) {
			usleep( 50000 );
		}
		$this->assertFileExists( $ready, 'relay did not start: ' . @file_get_contents( $this->relay_spool . '/stderr' ) );
	}

	private function stopRelay(): void {
		if ( is_resource( $this->relay ) ) {
			proc_terminate( $this->relay );
			proc_close( $this->relay );
		}
		$this->relay = null;
	}

	/** The relay's captured messages: list of {meta, eml}. */
	private function relayed(): array {
		$found = array();
		foreach ( glob( $this->relay_spool . '/*.json' ) ?: array() as $json ) {
			$eml = substr( $json, 0, -5 ) . '.eml';
			if ( is_file( $eml ) ) {
				$found[] = array(
					'meta' => json_decode( file_get_contents( $json ), true ),
					'eml'  => file_get_contents( $eml ),
				);
			}
		}
		return $found;
	}

	private function spool(): \Smtp\Spool {
		return new \Smtp\Spool( $this->spool_dir );
	}

	public function test_relay_down_queues_then_the_cron_hook_delivers_it_once(): void {
		$subject = $this->uniqueSubject( 'queued order' );
		$this->assertTrue( wp_mail( 'ann@example.test', $subject, 'Kept while the relay is down' ), 'a temporary failure queues: wp_mail() is true' );
		$this->assertSame( array(), $this->sentThroughMailFunction( $subject ) );

		$this->assertSame( 1, $this->spool()->count() );
		$rows = $this->logRows( $subject );
		$this->assertCount( 1, $rows );
		$this->assertSame( 'queued', $rows[0]['status'] );
		$this->assertNotSame( '', $rows[0]['spool_id'] );
		$this->assertSame( $this->spool()->messages()[0]['id'], $rows[0]['spool_id'] );
		$this->assertNotSame( '', $rows[0]['error'], 'the log says why' );

		// Site Health says that something waits, how long and why.
		delete_option( 'native_smtp_last_send' );
		$health = Native_SMTP_Site_Health::run();
		$this->assertSame( 'recommended', $health['status'] );
		$this->assertStringContainsString( '1 email is waiting in the queue', $health['description'] );
		$this->assertStringContainsString( esc_html( $this->spool()->messages()[0]['last_error'] ), $health['description'] );

		// The folder is private and guarded.
		$this->assertSame( '700', substr( sprintf( '%o', fileperms( $this->spool_dir ) ), -3 ) );
		$this->assertFileExists( $this->spool_dir . '/index.php' );
		$this->assertStringContainsString( 'Require all denied', file_get_contents( $this->spool_dir . '/.htaccess' ) );

		// Still down: the cron hook tries again, the message stays, the log says retried.
		do_action( Native_SMTP_Queue::CRON_HOOK );
		$this->assertSame( 1, $this->spool()->count() );
		$rows = $this->logRows( $subject );
		$this->assertSame( 'retried', $rows[0]['status'] );
		$this->assertSame( '2', (string) $rows[0]['attempts'] );

		// Up: the next run delivers it, once.
		$this->startRelay();
		do_action( Native_SMTP_Queue::CRON_HOOK );
		$this->assertSame( 0, $this->spool()->count() );
		$this->assertSame( array(), $this->spool()->messages( true ) );
		$got = array_values(
			array_filter(
				$this->relayed(),
				static function ( $m ) use ( $subject ) {
					return false !== strpos( $m['eml'], $subject );
				}
			)
		);
		$this->assertCount( 1, $got, 'delivered exactly once' );
		$this->assertSame( array( 'ann@example.test' ), $got[0]['meta']['rcpt_tos'] );
		$this->assertSame( 'site@wpe2e.test', $got[0]['meta']['mail_from'] );
		$rows = $this->logRows( $subject );
		$this->assertCount( 1, $rows, 'one row follows the message' );
		$this->assertSame( 'sent', $rows[0]['status'] );
		$this->assertSame( '', $rows[0]['error'] );
		$this->assertSame( 'good', Native_SMTP_Site_Health::run()['status'], 'nothing waits any more' );

		do_action( Native_SMTP_Queue::CRON_HOOK );
		$this->assertCount( 1, $this->relayed(), 'nothing sent twice' );
	}

	public function test_a_queued_message_is_signed_once_when_it_is_finally_sent(): void {
		$saved_keys = get_option( Native_SMTP_Dkim::KEYS_OPTION, null );
		try {
			$this->configureCapture( array( 'host' => '127.0.0.1', 'port' => $this->port, 'encryption' => 'none', 'auth' => false, 'queue' => true, 'dkim_enabled' => true, 'dkim_algorithm' => 'ed25519-sha256', 'dkim_selector' => 'queue' ) );
			$this->assertTrue( Native_SMTP_Dkim::generate( 'ed25519-sha256' ) );
			$subject = $this->uniqueSubject( 'signed later' );
			$this->assertTrue( wp_mail( 'ann@example.test', $subject, 'signed when delivered' ) );
			$this->assertSame( 1, $this->spool()->count() );

			$this->startRelay();
			do_action( Native_SMTP_Queue::CRON_HOOK );
			$this->assertSame( 0, $this->spool()->count() );
			$relayed = $this->relayed();
			$this->assertCount( 1, $relayed );
			$this->assertSame( 1, substr_count( $relayed[0]['eml'], 'DKIM-Signature:' ), 'signed once, not again on every try' );

			$dir = sys_get_temp_dir() . '/native-smtp-qdkim-' . bin2hex( random_bytes( 4 ) );
			mkdir( $dir, 0700 );
			file_put_contents( $dir . '/keys.json', wp_json_encode( array( Native_SMTP_Dkim::dns_name( 'ed25519-sha256' ) => Native_SMTP_Dkim::dns_record( 'ed25519-sha256' ) ) ) );
			file_put_contents( $dir . '/m.eml', $relayed[0]['eml'] );
			exec( '/usr/bin/python3 ' . escapeshellarg( dirname( __DIR__, 2 ) . '/dkim/verify.py' ) . ' ' . escapeshellarg( $dir . '/keys.json' ) . ' ' . escapeshellarg( $dir . '/m.eml' ) . ' 2>&1', $lines, $status );
			exec( 'rm -rf ' . escapeshellarg( $dir ) );
			$this->assertSame( 0, $status, implode( "\n", $lines ) );
			$this->assertSame( 'sent', $this->logRows( $subject )[0]['status'] );
		} finally {
			if ( null === $saved_keys ) {
				delete_option( Native_SMTP_Dkim::KEYS_OPTION );
			} else {
				update_option( Native_SMTP_Dkim::KEYS_OPTION, $saved_keys, false );
			}
		}
	}

	public function test_queueing_off_fails_at_once_and_send_test_never_queues(): void {
		$result = Native_SMTP_Admin::send_test( 'ann@example.test', 'plain' );
		$this->assertFalse( $result['ok'], 'Send Test reports a down relay instead of queueing' );
		$this->assertSame( 0, $this->spool()->count() );

		$this->configureCapture( array( 'host' => '127.0.0.1', 'port' => $this->port, 'encryption' => 'none', 'auth' => false, 'queue' => false ) );
		$subject = $this->uniqueSubject( 'no queue' );
		$this->assertFalse( wp_mail( 'ann@example.test', $subject, 'x' ) );
		$this->assertSame( 'failed', $this->logRows( $subject )[0]['status'] );
		$this->assertSame( 0, $this->spool()->count() );
	}

	public function test_a_permanent_failure_moves_it_to_failed_with_a_notice_and_an_email_to_the_admin(): void {
		$subject = $this->uniqueSubject( 'doomed' );
		$this->assertTrue( wp_mail( 'doomed@example.test', $subject, 'x' ) );
		$this->assertSame( 'queued', $this->logRows( $subject )[0]['status'] );

		// The relay comes back but refuses the recipient for good.
		$this->startRelay( array( '--reject-rcpt', 'doomed@example.test=550 5.1.1 <doomed@example.test> no such user' ) );
		do_action( Native_SMTP_Queue::CRON_HOOK );

		$this->assertSame( 0, $this->spool()->count() );
		$failed = $this->spool()->messages( true );
		$this->assertCount( 1, $failed );
		$this->assertSame( array( 'doomed@example.test' ), $failed[0]['recipients'] );
		$row = $this->logRows( $subject )[0];
		$this->assertSame( 'failed', $row['status'] );
		$this->assertSame( '550', (string) $row['smtp_code'], $row['error'] );
		$this->assertStringContainsString( 'no such user', $row['error'] );

		// The notice, for an admin.
		$notice = Native_SMTP_Queue::failed_notice();
		$this->assertSame( 1, $notice['count'] );
		$admins = get_users( array( 'role' => 'administrator', 'number' => 1, 'fields' => 'ID' ) );
		wp_set_current_user( (int) $admins[0] );
		ob_start();
		Native_SMTP_Admin::render_failed_notice();
		$html = (string) ob_get_clean();
		$this->assertStringContainsString( 'id="native-smtp-failed-notice"', $html );
		$this->assertStringContainsString( 'doomed@example.test', $html );
		$this->assertStringContainsString( 'could not be delivered', $html );

		// The email, to the site's admin address, through the relay.
		$alerts = array_values(
			array_filter(
				$this->relayed(),
				static function ( $m ) {
					return false !== strpos( $m['eml'], 'X-Native-SMTP-Alert: 1' );
				}
			)
		);
		$this->assertCount( 1, $alerts );
		$this->assertSame( array( get_option( 'admin_email' ) ), $alerts[0]['meta']['rcpt_tos'] );
		$this->assertStringContainsString( 'doomed@example.test', $alerts[0]['eml'] );
	}

	public function test_the_failure_alert_is_never_queued_when_the_relay_is_down(): void {
		// Relay down: the alert fails at once (logged as failed) instead of entering the queue
		// it reports on.
		$report = new ReflectionMethod( Native_SMTP_Queue::class, 'report_failures' );
		$report->setAccessible( true );
		$report->invoke(
			null,
			array(
				array(
					'id'         => 'x',
					'recipients' => array( 'gone@example.test' ),
					'last_error' => '550 5.1.1 no such user',
					'attempts'   => 3,
				),
			)
		);
		$this->assertSame( 0, $this->spool()->count(), 'the alert was not queued' );
		global $wpdb;
		$table = Native_SMTP_Log::table();
		$row   = $wpdb->get_row( "SELECT * FROM {$table} ORDER BY id DESC LIMIT 1", ARRAY_A ); // phpcs:ignore
		$this->assertSame( 'failed', $row['status'] );
		$this->assertStringContainsString( 'could not be delivered', $row['subject'] );
		$this->assertSame( 1, Native_SMTP_Queue::failed_notice()['count'], 'the notice still tells' );
	}

	public function test_the_flush_runs_every_minute_from_wp_cron(): void {
		$schedules = wp_get_schedules();
		$this->assertSame( 60, $schedules[ Native_SMTP_Queue::SCHEDULE ]['interval'] );
		Native_SMTP_Queue::schedule();
		$this->assertNotFalse( wp_next_scheduled( Native_SMTP_Queue::CRON_HOOK ) );
		$this->assertSame( Native_SMTP_Queue::SCHEDULE, wp_get_schedule( Native_SMTP_Queue::CRON_HOOK ) );
	}

	public function test_given_up_messages_are_pruned_with_the_log_retention(): void {
		$subject = $this->uniqueSubject( 'pruned' );
		$this->assertTrue( wp_mail( 'doomed@example.test', $subject, 'x' ) );
		$this->startRelay( array( '--reject-rcpt', 'doomed@example.test=550 5.1.1 no such user' ) );
		do_action( Native_SMTP_Queue::CRON_HOOK );
		$this->assertCount( 1, $this->spool()->messages( true ) );

		// Younger than the retention: kept.
		do_action( Native_SMTP_Log::PRUNE_EVENT );
		$this->assertCount( 1, $this->spool()->messages( true ), 'a fresh failure stays for the admin to see' );

		// Older than the retention: deleted with the log rows of its age.
		$this->addFilter( 'native_smtp_failed_max_age', static function () {
			return 1;
		} );
		sleep( 2 );
		do_action( Native_SMTP_Log::PRUNE_EVENT );
		$this->assertCount( 0, $this->spool()->messages( true ) );
	}

	public function test_a_refused_recipient_is_reported_the_bridge_way_and_the_others_get_the_message(): void {
		$this->startRelay( array( '--reject-rcpt', 'doomed@example.test=550 5.1.1 <doomed@example.test> no such user' ) );
		$calls  = array();
		$failed = null;
		$this->addFilter(
			'phpmailer_init',
			static function ( $phpmailer ) use ( &$calls ) {
				$phpmailer->action_function = static function ( $sent, $to, $cc, $bcc, $subject ) use ( &$calls ) {
					$calls[] = array( $sent, $to[0][0], count( $to ) + count( $cc ) + count( $bcc ) );
				};
			}
		);
		$this->addFilter(
			'wp_mail_failed',
			static function ( $error ) use ( &$failed ) {
				$failed = $error;
			}
		);
		$subject = $this->uniqueSubject( 'one refused' );
		$this->assertFalse( wp_mail( 'ann@example.test', $subject, 'x', array( 'Cc: doomed@example.test', 'Bcc: bob@example.test' ) ) );

		// The bridge's reporting (NativeSmtp\PHPMailerNative), as PHPMailer's SMTP mailer does it:
		// one call per recipient, Bcc included, false for the refused one.
		$this->assertSame(
			array( array( true, 'ann@example.test', 1 ), array( false, 'doomed@example.test', 1 ), array( true, 'bob@example.test', 1 ) ),
			$calls
		);
		$this->assertInstanceOf( WP_Error::class, $failed );
		$message = $failed->get_error_message();
		$this->assertStringStartsWith( 'SMTP Error: The following recipients failed: ', $message, 'PHPMailer\'s wording first' );
		$this->assertStringContainsString( 'doomed@example.test: 550 5.1.1 <doomed@example.test> no such user', $message, 'then the server\'s reply' );
		$this->assertSame( PHPMailer\PHPMailer\PHPMailer::STOP_CONTINUE, $failed->get_error_data()['phpmailer_exception_code'] );

		$relayed = $this->relayed();
		$this->assertCount( 1, $relayed, 'the others got it, once' );
		$this->assertEqualsCanonicalizing( array( 'ann@example.test', 'bob@example.test' ), $relayed[0]['meta']['rcpt_tos'] );
		$this->assertCount( 0, $this->spool()->messages(), 'a permanent refusal is not queued' );
	}

	public function test_the_queue_folder_has_guard_files_at_every_level(): void {
		$dir = Native_SMTP_Queue::prepare_dir();
		foreach ( array( '', '/tmp', '/queue', '/failed' ) as $level ) {
			foreach ( array( 'index.php', '.htaccess', 'web.config' ) as $guard ) {
				$this->assertFileExists( $dir . $level . '/' . $guard );
			}
			$this->assertSame( '0700', substr( sprintf( '%o', fileperms( $dir . $level ) ), -4 ) );
		}
		$this->assertStringContainsString( 'Require all denied', file_get_contents( $dir . '/queue/.htaccess' ) );
		$this->assertStringContainsString( '<deny users="*" />', file_get_contents( $dir . '/failed/web.config' ) );
	}
}

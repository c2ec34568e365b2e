<?php
/**
 * wp_mail() through the extension to the capture server; failures, hints and the email log.
 */

defined( 'ABSPATH' ) || exit;

final class MailTest extends NativeSmtpTestCase {

	protected function setUp(): void {
		parent::setUp();
		$this->requireExtension();
	}

	public function test_wp_mail_goes_through_the_extension_with_the_right_from_and_envelope(): void {
		$this->configureCapture( array( 'return_path' => true ) );
		$subject = $this->uniqueSubject( 'Đơn hàng mới' );
		$succeeded = null;
		$listener  = static function ( $data ) use ( &$succeeded ) {
			$succeeded = $data;
		};
		add_action( 'wp_mail_succeeded', $listener );
		$init = static function ( $phpmailer ) {
			$phpmailer->addCustomHeader( 'X-From-Phpmailer-Init', 'yes' );
		};
		add_action( 'phpmailer_init', $init );
		try {
			$ok = wp_mail( 'ann@example.test', $subject, "Xin chào\nsecond line", array( 'Cc: Bob <bob@example.test>', 'Bcc: hidden@example.test' ) );
		} finally {
			remove_action( 'wp_mail_succeeded', $listener );
			remove_action( 'phpmailer_init', $init );
		}
		$this->assertTrue( $ok );
		$this->assertIsArray( $succeeded, 'wp_mail_succeeded fired' );

		$this->assertSame( array(), $this->sentThroughMailFunction( $subject ), 'nothing may go through mail()' );
		$got = $this->captured( wp_encode_mime_header_token( $subject ) );
		$this->assertNotNull( $got, 'the capture server got the message' );
		$meta    = $got['meta'];
		$headers = $this->headersOf( $got['eml'] );
		$this->assertTrue( $meta['tls'], 'STARTTLS was used' );
		$this->assertSame( getenv( 'SMTP_CAPTURE_USER' ), $meta['auth_user'] );
		$this->assertSame( 'site@wpe2e.test', $meta['mail_from'], 'Return-Path on: envelope sender = From' );
		$this->assertEqualsCanonicalizing( array( 'ann@example.test', 'bob@example.test', 'hidden@example.test' ), $meta['rcpt_tos'] );
		$this->assertStringContainsString( "From: Native SMTP Tests <site@wpe2e.test>\r\n", $headers );
		$this->assertStringContainsString( "Cc: Bob <bob@example.test>\r\n", $headers );
		$this->assertStringNotContainsString( 'hidden@example.test', $got['eml'], 'Bcc never in the data' );
		$this->assertStringContainsString( "X-From-Phpmailer-Init: yes\r\n", $headers );
		$this->assertSame( 0, $meta['bare_lf'] );
	}

	public function test_a_plugin_from_wins_unless_force_is_on(): void {
		$this->configureCapture( array( 'force_from_email' => false ) );
		$from = static function () {
			return 'contact-form@wpe2e.test';
		};
		add_filter( 'wp_mail_from', $from );
		try {
			$subject = $this->uniqueSubject( 'from filter' );
			$this->assertTrue( wp_mail( 'ann@example.test', $subject, 'x' ) );
			$got = $this->captured( $subject );
			$this->assertSame( 'contact-form@wpe2e.test', $got['meta']['mail_from'] );

			$this->configureCapture( array( 'force_from_email' => true ) );
			$subject = $this->uniqueSubject( 'forced from' );
			$this->assertTrue( wp_mail( 'ann@example.test', $subject, 'x' ) );
			$got = $this->captured( $subject );
			$this->assertSame( 'site@wpe2e.test', $got['meta']['mail_from'] );
			$this->assertStringContainsString( '<site@wpe2e.test>', $this->headersOf( $got['eml'] ) );
		} finally {
			remove_filter( 'wp_mail_from', $from );
		}
	}

	public function test_html_content_type_filter_and_keepalive(): void {
		$this->configureCapture();
		$type = static function () {
			return 'text/html';
		};
		add_filter( 'wp_mail_content_type', $type );
		try {
			$first  = $this->uniqueSubject( 'first' );
			$second = $this->uniqueSubject( 'second' );
			$this->assertTrue( wp_mail( 'ann@example.test', $first, '<p>one</p>' ) );
			$this->assertTrue( wp_mail( 'ann@example.test', $second, '<p>two</p>' ) );
		} finally {
			remove_filter( 'wp_mail_content_type', $type );
		}
		$a = $this->captured( $first );
		$b = $this->captured( $second );
		$this->assertStringContainsString( 'Content-Type: text/html', $a['eml'] );
		$this->assertSame( $a['meta']['session'], $b['meta']['session'], 'one connection for both (one Smtp\Mailer per request)' );
	}

	public function test_wrong_password_fires_wp_mail_failed_with_the_smtp_code_and_reply(): void {
		$this->configureCapture( array(), 'wrong-password' );
		$errors   = array();
		$listener = static function ( $error ) use ( &$errors ) {
			$errors[] = $error;
		};
		add_action( 'wp_mail_failed', $listener );
		$subject = $this->uniqueSubject( 'bad login' );
		try {
			$ok = wp_mail( 'ann@example.test', $subject, 'x' );
		} finally {
			remove_action( 'wp_mail_failed', $listener );
		}
		$this->assertFalse( $ok );
		$this->assertCount( 1, $errors );
		$data = $errors[0]->get_error_data();
		$this->assertSame( PHPMailer\PHPMailer\PHPMailer::STOP_CRITICAL, $data['phpmailer_exception_code'], 'core key: PHPMailer\'s own code, as NativeSmtp\PHPMailer gives it' );
		$this->assertSame( 535, $data['smtp_code'], 'the SMTP code is ours to add' );
		$this->assertStringStartsWith( 'SMTP Error: Could not authenticate. ', $errors[0]->get_error_message(), 'PHPMailer\'s wording, then the server\'s reply' );
		$this->assertSame( '5.7.8', $data['smtp_enhanced_status'] );
		$this->assertSame( 'Smtp\AuthenticationException', $data['smtp_exception'] );
		$this->assertStringContainsString( '535', $errors[0]->get_error_message() );
		$this->assertSame( array( 'ann@example.test' ), $data['to'], 'wp_mail()\'s own keys are still there' );
		$transcript = implode( "\n", $data['smtp_transcript'] );
		$this->assertStringContainsString( '535', $transcript );
		$this->assertStringNotContainsString( 'wrong-password', $transcript, 'redacted' );
		$this->assertStringNotContainsString( base64_encode( "\0" . getenv( 'SMTP_CAPTURE_USER' ) . "\0wrong-password" ), $transcript );
		$this->assertNull( $this->captured( $subject, 0.5 ) );

		$hint = Native_SMTP_Admin::hint_for( $data['smtp_code'], $data['smtp_exception'], $errors[0]->get_error_message() );
		$this->assertStringContainsString( 'app password', $hint );

		$last = get_option( 'native_smtp_last_send' );
		$this->assertFalse( $last['ok'] );
		$health = Native_SMTP_Site_Health::run();
		$this->assertSame( 'critical', $health['status'] );
	}

	public function test_refused_connection_and_tls_mismatch_give_their_hints(): void {
		// A port nobody listens on: bind one, learn its number, close it.
		$probe = stream_socket_server( 'tcp://127.0.0.1:0' );
		$port  = (int) substr( strrchr( stream_socket_get_name( $probe, false ), ':' ), 1 );
		fclose( $probe );
		$this->configureCapture( array( 'port' => $port ) );
		$result = Native_SMTP_Admin::send_test( 'ann@example.test', 'html' );
		$this->assertFalse( $result['ok'] );
		$this->assertSame( 'Smtp\ConnectionException', $result['class'] );
		$this->assertStringContainsString( 'try port 587', Native_SMTP_Admin::hint_for( $result['code'], $result['class'], $result['error'] ) );

		// SSL (implicit TLS) against a STARTTLS port.
		$this->configureCapture( array( 'encryption' => 'ssl' ) );
		$result = Native_SMTP_Admin::send_test( 'ann@example.test', 'plain' );
		$this->assertFalse( $result['ok'] );
		$hint = Native_SMTP_Admin::hint_for( $result['code'], $result['class'], $result['error'] );
		$this->assertContains( $result['class'], array( 'Smtp\TlsException', 'Smtp\ConnectionException' ), $result['error'] );
		$this->assertMatchesRegularExpression( '/does not match the port|try port 587/', $hint );
	}

	public function test_send_test_succeeds_and_reports_it(): void {
		$this->configureCapture();
		$result = Native_SMTP_Admin::send_test( 'admin@wpe2e.test', 'html' );
		$this->assertTrue( $result['ok'], $result['error'] );
		$this->assertNotEmpty( $result['transcript'] );
		$health = Native_SMTP_Site_Health::run();
		$this->assertSame( 'good', $health['status'] );
	}

	public function test_the_log_records_success_and_failure_and_bodies_only_when_asked(): void {
		$this->configureCapture( array( 'log_bodies' => false ) );
		$ok_subject = $this->uniqueSubject( 'log ok' );
		$this->assertTrue( wp_mail( 'ann@example.test', $ok_subject, 'secret body' ) );
		$rows = $this->logRows( $ok_subject );
		$this->assertCount( 1, $rows );
		$this->assertSame( 'sent', $rows[0]['status'] );
		$this->assertSame( 'ann@example.test', $rows[0]['to_address'] );
		$this->assertNull( $rows[0]['message'], 'no body unless the admin turned that on' );
		$this->assertInstanceOf( WP_Error::class, Native_SMTP_Log::resend( (int) $rows[0]['id'] ) );

		$this->configureCapture( array( 'log_bodies' => false ), 'wrong-password' );
		$bad_subject = $this->uniqueSubject( 'log failed' );
		$this->assertFalse( wp_mail( 'ann@example.test', $bad_subject, 'x' ) );
		$rows = $this->logRows( $bad_subject );
		$this->assertCount( 1, $rows );
		$this->assertSame( 'failed', $rows[0]['status'] );
		$this->assertSame( '535', (string) $rows[0]['smtp_code'] );
		$this->assertStringContainsString( '535', $rows[0]['error'] );

		$this->configureCapture( array( 'log_bodies' => true ) );
		$body_subject = $this->uniqueSubject( 'log body' );
		$this->assertTrue( wp_mail( 'ann@example.test', $body_subject, 'kept body' ) );
		$rows = $this->logRows( $body_subject );
		$this->assertSame( 'kept body', $rows[0]['message'] );

		// Resend: a new attempt, logged as a new row, delivered again.
		$this->assertTrue( Native_SMTP_Log::resend( (int) $rows[0]['id'] ) );
		$this->assertCount( 2, $this->logRows( $body_subject ) );

		$found = Native_SMTP_Log::query( $body_subject, 20, 1 );
		$this->assertSame( 2, $found['total'], 'search finds both rows' );
	}

	public function test_pruning_removes_only_old_rows(): void {
		global $wpdb;
		$this->configureCapture( array( 'retention_days' => 30 ) );
		$old = Native_SMTP_Log::record( array( 'to' => array( 'old@example.test' ), 'subject' => $this->uniqueSubject( 'old' ) ), 'sent', 0, '' );
		$new = Native_SMTP_Log::record( array( 'to' => array( 'new@example.test' ), 'subject' => $this->uniqueSubject( 'new' ) ), 'sent', 0, '' );
		$wpdb->update( Native_SMTP_Log::table(), array( 'created_at' => gmdate( 'Y-m-d H:i:s', time() - 31 * DAY_IN_SECONDS ) ), array( 'id' => $old ) ); // phpcs:ignore
		$this->assertGreaterThanOrEqual( 1, Native_SMTP_Log::prune() );
		$this->assertNull( Native_SMTP_Log::get( $old ) );
		$this->assertNotNull( Native_SMTP_Log::get( $new ) );
		$this->assertNotFalse( wp_next_scheduled( Native_SMTP_Log::PRUNE_EVENT ), 'the daily prune is scheduled' );
	}
}

/** Subjects with non-ASCII go out RFC 2047-encoded; an ASCII tail (the random token) is what we search for. */
function wp_encode_mime_header_token( string $subject ): string {
	return substr( $subject, strrpos( $subject, ' ' ) + 1 );
}

<?php
/**
 * Issue 17, reports: the weekly summary (content, sent through the relay, turned off), the
 * dashboard widget (capability, escaped), the CSV export (nonce, capability, formula cells
 * neutralised) and Resend all failed (confirmation, nonce, capability, a double submit sends
 * nothing twice, a relay that is down queues the resends).
 */

defined( 'ABSPATH' ) || exit;

require_once __DIR__ . '/AlertsRig.php';
require_once ABSPATH . 'wp-admin/includes/template.php';
require_once ABSPATH . 'wp-admin/includes/dashboard.php';
require_once ABSPATH . 'wp-admin/includes/class-wp-screen.php';
require_once ABSPATH . 'wp-admin/includes/screen.php';

final class ReportsTest extends NativeSmtpTestCase {

	use AlertsRig;

	/** @var int log rows before the test */
	private $max_id = 0;

	protected function setUp(): void {
		parent::setUp();
		$this->requireExtension();
		$this->setUpRig();
		global $wpdb;
		$table = Native_SMTP_Log::table();
		// The summary and the widget count the whole log: start from an empty one, put back after.
		$wpdb->query( "CREATE TABLE IF NOT EXISTS {$table}_reports_backup LIKE {$table}" ); // phpcs:ignore
		$wpdb->query( "DELETE FROM {$table}_reports_backup" ); // phpcs:ignore
		$wpdb->query( "INSERT INTO {$table}_reports_backup SELECT * FROM {$table}" ); // phpcs:ignore
		$wpdb->query( "DELETE FROM {$table}" ); // phpcs:ignore
	}

	protected function tearDown(): void {
		global $wpdb;
		$table = Native_SMTP_Log::table();
		$wpdb->query( "DELETE FROM {$table}" ); // phpcs:ignore
		$wpdb->query( "INSERT INTO {$table} SELECT * FROM {$table}_reports_backup" ); // phpcs:ignore
		$wpdb->query( "DROP TABLE {$table}_reports_backup" ); // phpcs:ignore
		$this->tearDownRig();
		wp_set_current_user( 0 );
		parent::tearDown();
	}

	/** A log row as the log writes it, $days_ago old. */
	private function row( string $status, string $subject, string $error = '', int $code = 0, int $days_ago = 0 ): int {
		global $wpdb;
		$id = Native_SMTP_Log::record( array( 'to' => 'ann@example.test', 'subject' => $subject, 'message' => 'body' ), $status, $code, $error );
		$this->assertGreaterThan( 0, $id );
		if ( $days_ago > 0 ) {
			$wpdb->update( Native_SMTP_Log::table(), array( 'created_at' => gmdate( 'Y-m-d H:i:s', time() - $days_ago * DAY_IN_SECONDS ) ), array( 'id' => $id ) ); // phpcs:ignore
		}
		return $id;
	}

	private function seed(): void {
		for ( $i = 0; $i < 5; $i++ ) {
			$this->row( 'sent', 'sent ' . $i, '', 0, $i % 3 );
		}
		for ( $i = 0; $i < 3; $i++ ) {
			$this->row( 'failed', 'failed ' . $i, '550 5.1.1 no such user', 550, 1 );
		}
		$this->row( 'failed', 'other', '554 5.7.1 relay denied', 554 );
		$this->row( 'queued', 'queued', '421 try later' );
		$this->row( 'sent', 'too old', '', 0, 9 );
		$this->row( 'failed', 'too old', 'ancient', 550, 9 );
	}

	public function test_the_stats_and_the_summary_count_the_last_seven_days_with_the_top_reasons(): void {
		$this->seed();
		$stats = Native_SMTP_Summary::stats( 7 );
		$this->assertSame( 5, $stats['sent'] );
		$this->assertSame( 4, $stats['failed'] );
		$this->assertSame( 1, $stats['queued'] );
		$this->assertCount( 7, $stats['days'] );
		$this->assertSame( array( 'reason' => '550 5.1.1 no such user', 'count' => 3 ), $stats['reasons'][0] );
		$this->assertSame( array( 'reason' => '554 5.7.1 relay denied', 'count' => 1 ), $stats['reasons'][1] );
		$today = gmdate( 'Y-m-d' );
		$this->assertSame( 2, $stats['days'][ $today ]['sent'] );
		$this->assertSame( 1, $stats['days'][ $today ]['failed'] );

		$mail = Native_SMTP_Summary::compose( $stats );
		$this->assertStringContainsString( '5 sent, 4 failed, 1 queued', $mail['subject'] );
		$this->assertStringContainsString( "Sent: 5\nFailed: 4\nQueued for another try: 1", $mail['body'] );
		$this->assertStringContainsString( '- 3x 550 5.1.1 no such user', $mail['body'] );
		$this->assertStringNotContainsString( 'ancient', $mail['body'] );
	}

	public function test_the_new_screens_and_emails_speak_vietnamese(): void {
		$vietnamese = static function () {
			return 'vi';
		};
		add_filter( 'plugin_locale', $vietnamese );
		unload_textdomain( 'native-smtp' );
		try {
			native_smtp_load_textdomain();
			$this->seed();
			$mail = Native_SMTP_Summary::compose( Native_SMTP_Summary::stats( 7 ) );
			$this->assertStringContainsString( 'Tóm tắt email 7 ngày qua: 5 đã gửi, 4 thất bại, 1 đang chờ', $mail['subject'] );
			$this->assertStringContainsString( 'Lý do thất bại thường gặp nhất:', $mail['body'] );
			$alert = Native_SMTP_Alerts::build( 'connection_broken', array( 'code' => 535 ), 3, 60 );
			$this->assertSame( 'Kết nối SMTP bị hỏng: máy chủ chuyển tiếp đã từ chối đăng nhập', $alert['title'] );
			$this->assertStringContainsString( 'Đã giữ lại thêm 3 cảnh báo loại này', $alert['text'] );
			wp_set_current_user( $this->adminId() );
			ob_start();
			Native_SMTP_Log_Export::render_log_tools( array() );
			$this->assertStringContainsString( 'Xuất CSV', (string) ob_get_clean() );
			$this->assertInstanceOf( WP_Error::class, Native_SMTP_Webhooks::validate_url( 'http://ops.example.com/x' ) );
			$this->assertSame( 'URL webhook phải bắt đầu bằng https://.', Native_SMTP_Webhooks::validate_url( 'http://ops.example.com/x' )->get_error_message() );
		} finally {
			remove_filter( 'plugin_locale', $vietnamese );
			unload_textdomain( 'native-smtp' );
			native_smtp_load_textdomain();
		}
	}

	public function test_the_weekly_summary_goes_out_on_wp_cron_and_can_be_turned_off(): void {
		$this->startRelay();
		$this->seed();
		$this->setAlerts( array( 'summary' => true, 'summary_emails' => array( 'boss@example.test' ), 'emails' => array( 'ops@example.test' ) ) );
		Native_SMTP_Summary::schedule();
		$this->assertSame( 'weekly', wp_get_schedule( Native_SMTP_Summary::CRON_HOOK ) );

		do_action( Native_SMTP_Summary::CRON_HOOK );
		$mails = $this->relayed( 'Email summary of the last 7 days' );
		$this->assertCount( 1, $mails );
		$this->assertSame( array( 'boss@example.test' ), $mails[0]['meta']['rcpt_tos'] );
		$this->assertStringContainsString( 'no such user', $mails[0]['eml'] );

		// Off: the event is gone and the job sends nothing even if run.
		$this->setAlerts( array( 'summary' => false ) );
		Native_SMTP_Summary::schedule();
		$this->assertFalse( wp_next_scheduled( Native_SMTP_Summary::CRON_HOOK ) );
		$this->assertNull( Native_SMTP_Summary::send() );
		$this->assertCount( 1, $this->relayed( 'Email summary of the last 7 days' ) );
	}

	public function test_the_dashboard_widget_is_for_admins_and_escapes_what_the_log_holds(): void {
		$this->row( 'failed', 'x', '<script>alert("relay")</script> 550 bad', 550 );
		$this->row( 'sent', 'y' );
		global $wp_meta_boxes;
		set_current_screen( 'dashboard' );

		wp_set_current_user( (int) get_user_by( 'login', 'admin' )->ID );
		$subscriber = wp_insert_user( array( 'user_login' => 'sub' . wp_rand(), 'user_pass' => wp_generate_password(), 'role' => 'subscriber' ) );
		wp_set_current_user( $subscriber );
		$wp_meta_boxes = array(); // phpcs:ignore WordPress.WP.GlobalVariablesOverride
		Native_SMTP_Dashboard_Widget::add();
		$this->assertEmpty( $wp_meta_boxes['dashboard']['normal']['core'][ Native_SMTP_Dashboard_Widget::ID ] ?? null, 'no widget for a subscriber' );
		ob_start();
		Native_SMTP_Dashboard_Widget::render();
		$this->assertSame( '', ob_get_clean() );
		require_once ABSPATH . 'wp-admin/includes/user.php';
		wp_delete_user( $subscriber );

		wp_set_current_user( $this->adminId() );
		Native_SMTP_Dashboard_Widget::add();
		$this->assertArrayHasKey( Native_SMTP_Dashboard_Widget::ID, $wp_meta_boxes['dashboard']['normal']['core'] );
		ob_start();
		Native_SMTP_Dashboard_Widget::render();
		$html = (string) ob_get_clean();
		$this->assertStringContainsString( '<strong>1</strong> sent', $html );
		$this->assertStringContainsString( '<strong>1</strong> failed', $html );
		$this->assertStringNotContainsString( '<script>', $html );
		$this->assertStringContainsString( '&lt;script&gt;alert(&quot;relay&quot;)&lt;/script&gt; 550 bad', $html );
		$wp_meta_boxes              = array(); // phpcs:ignore WordPress.WP.GlobalVariablesOverride
		$GLOBALS['current_screen'] = null;
	}

	public function test_the_csv_export_neutralises_formulas_and_needs_the_nonce_and_the_capability(): void {
		$subjects = array( '=HYPERLINK("http://evil.example","x")', '+1+1', '-2', '@SUM(A1)', "\tTAB", "\rCR", 'plain, with "quotes"', 'Đơn hàng' );
		foreach ( $subjects as $subject ) {
			$this->row( 'failed', $subject, '=cmd|"/c calc"!A1', 550 );
		}
		$stream = fopen( 'php://memory', 'w+' );
		$this->assertSame( count( $subjects ), Native_SMTP_Log_Export::write_csv( $stream, array() ) );
		rewind( $stream );
		$this->assertSame( "\xEF\xBB\xBF", fread( $stream, 3 ) );
		$rows = array();
		while ( false !== ( $cells = fgetcsv( $stream ) ) ) {
			$rows[] = $cells;
		}
		fclose( $stream );
		$this->assertSame( Native_SMTP_Log_Export::COLUMNS, $rows[0] );
		$got = array_reverse( array_column( array_slice( $rows, 1 ), 4 ) ); // newest first in the file
		$this->assertSame( array( '\'=HYPERLINK("http://evil.example","x")', "'+1+1", "'-2", "'@SUM(A1)", "'\tTAB", "'\rCR", 'plain, with "quotes"', 'Đơn hàng' ), $got );
		foreach ( array_slice( $rows, 1 ) as $row ) {
			$this->assertSame( '\'=cmd|"/c calc"!A1', $row[6] );
			$this->assertSame( 'failed', $row[2] );
			$this->assertSame( 'ann@example.test', $row[3] );
		}
		// Filtered like the list.
		$stream = fopen( 'php://memory', 'w+' );
		$this->assertSame( 0, Native_SMTP_Log_Export::write_csv( $stream, Native_SMTP_Log_Export::filters_from( array( 'status' => 'sent' ) ) ) );
		fclose( $stream );

		$this->catchExits();
		wp_set_current_user( 0 );
		$this->assertStringStartsWith( 'wp_die', $this->post( array( 'Native_SMTP_Log_Export', 'handle_export' ), 'native_smtp_log_export' ) );
		wp_set_current_user( $this->adminId() );
		$this->assertStringStartsWith( 'wp_die', $this->post( array( 'Native_SMTP_Log_Export', 'handle_export' ), 'native_smtp_log_export', array(), 'forged' ) );
	}

	/** Three failed emails with bodies, made by a relay that was down. */
	private function threeFailures(): array {
		$subjects = array();
		for ( $i = 0; $i < 3; $i++ ) {
			$subjects[] = $this->uniqueSubject( 'resend me ' . $i );
			$this->assertFalse( wp_mail( 'ann@example.test', end( $subjects ), 'Body ' . $i ) );
		}
		$this->row( 'failed', 'no body kept' ); // recorded with a body by row(); drop it:
		global $wpdb;
		$wpdb->query( $wpdb->prepare( "UPDATE {$wpdb->prefix}native_smtp_log SET message = NULL WHERE subject = %s", 'no body kept' ) ); // phpcs:ignore
		return $subjects;
	}

	public function test_resend_all_failed_asks_first_and_a_double_submit_sends_each_once(): void {
		$subjects = $this->threeFailures();
		$this->startRelay();
		$this->catchExits();
		wp_set_current_user( $this->adminId() );

		// The link, then the confirmation with the count and a form fixed to these entries.
		ob_start();
		Native_SMTP_Log_Export::render_log_tools( array() );
		$html = (string) ob_get_clean();
		$this->assertStringContainsString( 'Resend all failed (3)', $html );
		$_GET['resend_failed'] = 'confirm';
		ob_start();
		Native_SMTP_Log_Export::render_log_tools( array() );
		$html = (string) ob_get_clean();
		unset( $_GET['resend_failed'] );
		$this->assertStringContainsString( 'Resend 3 failed emails?', $html );
		$this->assertStringContainsString( '1 failed email cannot be resent: its body was not stored.', $html );
		$this->assertMatchesRegularExpression( '/name="upto" value="(\d+)"/', $html );
		preg_match( '/name="upto" value="(\d+)"/', $html, $m );
		$upto = $m[1];

		// Not without the capability, the nonce, or as a GET.
		wp_set_current_user( 0 );
		$this->assertStringStartsWith( 'wp_die', $this->post( array( 'Native_SMTP_Log_Export', 'handle_resend_failed' ), 'native_smtp_resend_failed', array( 'upto' => $upto ) ) );
		wp_set_current_user( $this->adminId() );
		$this->assertStringStartsWith( 'wp_die', $this->post( array( 'Native_SMTP_Log_Export', 'handle_resend_failed' ), 'native_smtp_resend_failed', array( 'upto' => $upto ), 'forged' ) );
		$this->assertCount( 0, $this->relayed() );

		$this->assertStringContainsString( 'tab=log', $this->post( array( 'Native_SMTP_Log_Export', 'handle_resend_failed' ), 'native_smtp_resend_failed', array( 'upto' => $upto ) ) );
		foreach ( $subjects as $subject ) {
			$this->assertCount( 1, $this->relayed( $subject ), $subject );
			$rows = $this->logRows( $subject );
			$this->assertSame( array( 'sent', 'resent' ), array_column( $rows, 'status' ), 'a new row sent, the old one marked resent' );
		}
		ob_start();
		Native_SMTP_Log_Export::render_log_tools( array() );
		$html = (string) ob_get_clean();
		$this->assertStringContainsString( 'Resent: 3 sent or queued, 0 failed again', $html );

		// The same form again (double click, reload, back button): nothing is sent twice.
		$this->assertStringContainsString( 'tab=log', $this->post( array( 'Native_SMTP_Log_Export', 'handle_resend_failed' ), 'native_smtp_resend_failed', array( 'upto' => $upto ) ) );
		$this->assertCount( 3, $this->relayed() );
		ob_start();
		Native_SMTP_Log_Export::render_log_tools( array() );
		$this->assertStringContainsString( 'Nothing was resent', (string) ob_get_clean() );

		// The list's Failed filter still shows them, marked.
		$this->assertSame( 4, Native_SMTP_Log::query( array( 'status' => 'failed' ), 20, 1 )['total'] );
	}

	public function test_in_chromium_the_widget_shows_the_week_and_resend_all_failed_asks_then_sends_once(): void {
		$subjects = $this->threeFailures();
		$this->row( 'sent', '=SUM(1+1)' ); // for the CSV download
		$this->startRelay();
		// The web server reads the same database: relay, bodies kept, no queue filter needed.
		$out    = array();
		$status = 0;
		exec( 'timeout 300 node ' . escapeshellarg( dirname( __DIR__ ) . '/e2e/alerts-reports.e2e.js' ) . ' 3 4 2>&1', $out, $status );
		$out = implode( "\n", $out );
		$this->assertMatchesRegularExpression( '/^e2e: [1-9]\d* passed, 0 failed$/m', $out, $out );
		$this->assertSame( 0, $status, $out );
		foreach ( $subjects as $subject ) {
			$this->assertCount( 1, $this->relayed( $subject ), 'sent once, double submit included: ' . $subject );
			$this->assertSame( array( 'sent', 'resent' ), array_column( $this->logRows( $subject ), 'status' ) );
		}
	}

	public function test_more_than_one_batch_is_resent_over_two_submits_and_the_notice_says_how_many_are_left(): void {
		for ( $i = 0; $i < Native_SMTP_Log_Export::RESEND_LIMIT + 2; $i++ ) {
			$this->row( 'failed', 'batch ' . $i, '421 busy', 421 );
		}
		$this->startRelay();
		$upto  = Native_SMTP_Log_Export::failed_entries()['max_id'];
		$first = Native_SMTP_Log_Export::resend_failed( $upto );
		$this->assertSame( array( 'resent' => Native_SMTP_Log_Export::RESEND_LIMIT, 'failed' => 0, 'skipped' => 0, 'remaining' => 2 ), $first );
		$second = Native_SMTP_Log_Export::resend_failed( $upto );
		$this->assertSame( array( 'resent' => 2, 'failed' => 0, 'skipped' => 0, 'remaining' => 0 ), $second );
		$this->assertCount( Native_SMTP_Log_Export::RESEND_LIMIT + 2, $this->relayed( 'batch ' ) );
		$this->assertSame( array( 'resent' => 0, 'failed' => 0, 'skipped' => 0, 'remaining' => 0 ), Native_SMTP_Log_Export::resend_failed( $upto ) );
	}

	public function test_resending_while_the_relay_is_down_queues_them_so_nothing_is_lost(): void {
		$subjects = $this->threeFailures();
		$this->useRelay( array( 'queue' => true ) );
		wp_set_current_user( $this->adminId() );
		$counts = Native_SMTP_Log_Export::resend_failed( Native_SMTP_Log_Export::failed_entries()['max_id'] );
		$this->assertSame( 3, $counts['resent'] );
		$this->assertSame( 3, ( new \Smtp\Spool( $this->base . '/spool' ) )->count() );
		foreach ( $subjects as $subject ) {
			$this->assertSame( array( 'queued', 'resent' ), array_column( $this->logRows( $subject ), 'status' ) );
		}
		// The relay comes back: the queue delivers each once.
		$this->startRelay();
		do_action( Native_SMTP_Queue::CRON_HOOK );
		foreach ( $subjects as $subject ) {
			$this->assertCount( 1, $this->relayed( $subject ) );
			$this->assertSame( array( 'sent', 'resent' ), array_column( $this->logRows( $subject ), 'status' ) );
		}
	}
}

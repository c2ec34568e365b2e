<?php
/**
 * Issue 14's email log: recipients kept as a list (a display name with a comma), resend by POST
 * that refuses when an attachment is gone, detail view, delete, bulk delete, purge, filters, and
 * the privacy exporter, eraser and policy text.
 */

defined( 'ABSPATH' ) || exit;

require_once ABSPATH . 'wp-admin/includes/template.php';
require_once ABSPATH . 'wp-admin/includes/misc.php';

final class LogTest extends NativeSmtpTestCase {

	/** @var array<int, array{0: string, 1: callable}> */
	private $filters = array();

	protected function setUp(): void {
		parent::setUp();
		$this->requireExtension();
		$this->configureCapture( array( 'log_bodies' => true ) );
	}

	protected function tearDown(): void {
		foreach ( $this->filters as list( $name, $callback ) ) {
			remove_filter( $name, $callback );
		}
		$_POST = array();
		unset( $_REQUEST['_wpnonce'], $_SERVER['REQUEST_METHOD'], $_GET['email'] );
		wp_set_current_user( 0 );
		parent::tearDown();
	}

	private function catchExits(): void {
		foreach ( array(
			'wp_redirect'    => static function ( $location ) {
				throw new RuntimeException( 'redirect: ' . $location );
			},
			'wp_die_handler' => static function () {
				return static function ( $message ) {
					throw new RuntimeException( 'wp_die: ' . ( is_string( $message ) ? $message : wp_json_encode( $message ) ) );
				};
			},
		) as $name => $callback ) {
			add_filter( $name, $callback );
			$this->filters[] = array( $name, $callback );
		}
	}

	private function admin(): int {
		$admins = get_users( array( 'role' => 'administrator', 'number' => 1, 'fields' => 'ID' ) );
		return (int) $admins[0];
	}

	public function test_recipients_with_a_comma_in_the_name_survive_resend(): void {
		$subject = $this->uniqueSubject( 'comma' );
		$to      = array( '"Doe, John" <john@example.test>', 'ann@example.test' );
		$this->assertTrue( wp_mail( $to, $subject, 'first' ) );
		$row = $this->logRows( $subject )[0];
		$this->assertSame( $to, Native_SMTP_Log::recipients_of( $row ) );
		$this->assertSame( '1', (string) $row['blog_id'], 'a single site is blog 1' );

		$this->assertTrue( Native_SMTP_Log::resend( (int) $row['id'] ) );
		$rows = $this->logRows( $subject );
		$this->assertCount( 2, $rows );
		$this->assertSame( $to, Native_SMTP_Log::recipients_of( $rows[0] ) );
		// The old code split "Doe, John" into a recipient "Doe" and a broken address.
		$seen = $this->captured( $subject );
		$this->assertEqualsCanonicalizing( array( 'john@example.test', 'ann@example.test' ), $seen['meta']['rcpt_tos'] );
	}

	public function test_resend_is_the_same_email_html_cc_and_message_id_kept(): void {
		$subject = $this->uniqueSubject( 'same email' );
		$this->assertTrue( wp_mail( 'ann@example.test', $subject, '<p>html</p>', array( 'Content-Type: text/html; charset=UTF-8', 'Cc: Bob <bob@example.test>' ) ) );
		$row = $this->logRows( $subject )[0];
		$this->assertContains( 'Content-Type: text/html; charset=UTF-8', json_decode( $row['headers'], true ), 'wp_mail() drops it from what it reports; the log keeps it' );
		$this->assertNotSame( '', $row['message_id'] );
		$this->assertTrue( Native_SMTP_Log::resend( (int) $row['id'] ) );
		$resent = $this->logRows( $subject )[0];
		$this->assertNotSame( $row['id'], $resent['id'] );
		$got = null;
		foreach ( array_reverse( glob( getenv( 'SMTP_CAPTURE_SPOOL' ) . '/*.json' ) ) as $json ) {
			$meta = json_decode( file_get_contents( $json ), true );
			$eml  = file_get_contents( substr( $json, 0, -5 ) . '.eml' );
			if ( false !== strpos( $eml, $resent['message_id'] ) ) {
				$got = array( 'meta' => $meta, 'eml' => $eml );
				break;
			}
		}
		$this->assertNotNull( $got, 'the resent message, by its own Message-ID' );
		$this->assertMatchesRegularExpression( '/^Content-Type: text\/html/mi', $got['eml'] );
		$this->assertEqualsCanonicalizing( array( 'ann@example.test', 'bob@example.test' ), $got['meta']['rcpt_tos'] );
	}

	public function test_old_rows_are_converted_to_a_list_by_the_upgrade(): void {
		global $wpdb;
		$table = Native_SMTP_Log::table();
		$wpdb->insert( $table, array( 'created_at' => current_time( 'mysql', true ), 'to_address' => 'a@example.test, b@example.test', 'subject' => 'old row', 'status' => 'sent', 'error' => '', 'headers' => '[]', 'attachments' => '[]', 'recipients' => null ) ); // phpcs:ignore
		$id = (int) $wpdb->insert_id;
		update_option( 'native_smtp_db_version', '2', false );
		Native_SMTP_Log::maybe_upgrade();
		$this->assertSame( Native_SMTP_Log::DB_VERSION, get_option( 'native_smtp_db_version' ) );
		$this->assertSame( array( 'a@example.test', 'b@example.test' ), json_decode( Native_SMTP_Log::get( $id )['recipients'], true ) );
		Native_SMTP_Log::delete( array( $id ) );
	}

	public function test_resend_says_when_an_attachment_is_gone_and_sends_nothing(): void {
		$file = wp_tempnam( 'native-smtp-attachment.txt' );
		file_put_contents( $file, 'attached' );
		$subject = $this->uniqueSubject( 'attachment' );
		$this->assertTrue( wp_mail( 'ann@example.test', $subject, 'with a file', array(), array( $file ) ) );
		unlink( $file );
		$row    = $this->logRows( $subject )[0];
		$result = Native_SMTP_Log::resend( (int) $row['id'] );
		$this->assertInstanceOf( WP_Error::class, $result );
		$this->assertSame( 'native_smtp_attachment_gone', $result->get_error_code() );
		$this->assertStringContainsString( basename( $file ), $result->get_error_message() );
		$this->assertCount( 1, $this->logRows( $subject ), 'nothing was sent' );
	}

	public function test_resend_needs_post_capability_and_nonce(): void {
		$subject = $this->uniqueSubject( 'resend post' );
		$this->assertTrue( wp_mail( 'ann@example.test', $subject, 'x' ) );
		$id = (int) $this->logRows( $subject )[0]['id'];
		$this->catchExits();
		wp_set_current_user( $this->admin() );
		$_POST['id']                 = $id;
		$_SERVER['REQUEST_METHOD']   = 'GET';
		try {
			Native_SMTP_Log::handle_resend();
			$this->fail( 'a GET (a link, a prefetch) must not send' );
		} catch ( RuntimeException $e ) {
			$this->assertStringContainsString( 'wp_die', $e->getMessage() );
		}
		$_SERVER['REQUEST_METHOD'] = 'POST';
		$_REQUEST['_wpnonce']      = wp_create_nonce( 'native_smtp_resend_' . $id );
		try {
			Native_SMTP_Log::handle_resend();
			$this->fail( 'redirects' );
		} catch ( RuntimeException $e ) {
			$this->assertStringContainsString( 'email=' . $id, $e->getMessage(), 'back to the detail view' );
		}
		$this->assertCount( 2, $this->logRows( $subject ) );

		$subscriber = wp_insert_user( array( 'user_login' => 'log-sub-' . wp_generate_password( 6, false ), 'user_pass' => wp_generate_password(), 'role' => 'subscriber' ) );
		wp_set_current_user( $subscriber );
		try {
			Native_SMTP_Log::handle_resend();
			$this->fail( 'a subscriber must not resend' );
		} catch ( RuntimeException $e ) {
			$this->assertStringContainsString( 'wp_die', $e->getMessage() );
		} finally {
			require_once ABSPATH . 'wp-admin/includes/user.php';
			wp_delete_user( $subscriber );
		}
	}

	public function test_detail_view_shows_headers_body_transcript_and_post_forms(): void {
		$subject = $this->uniqueSubject( 'detail <b>' );
		$this->assertTrue( wp_mail( 'ann@example.test', $subject, '<script>alert(1)</script> body', array( 'X-Detail: yes' ) ) );
		$id = (int) $this->logRows( $subject )[0]['id'];
		wp_set_current_user( $this->admin() );
		$_GET['tab']   = 'log';
		$_GET['email'] = $id;
		ob_start();
		Native_SMTP_Admin::render_page();
		$html = (string) ob_get_clean();
		unset( $_GET['tab'] );
		$this->assertStringContainsString( 'id="native-smtp-log-detail"', $html );
		$this->assertStringContainsString( 'X-Detail: yes', $html );
		$this->assertStringContainsString( '&lt;script&gt;alert(1)&lt;/script&gt; body', $html, 'the body is shown as text' );
		$this->assertStringNotContainsString( '<script>alert(1)', $html );
		$this->assertStringContainsString( 'id="native-smtp-log-transcript"', $html );
		$this->assertStringNotContainsString( getenv( 'SMTP_CAPTURE_PASSWORD' ), $html, 'no secret in the transcript' );
		$this->assertMatchesRegularExpression( '/<form method="post"[^>]*id="native-smtp-resend"/', $html );
		$this->assertStringContainsString( 'window.confirm', $html );
		$this->assertMatchesRegularExpression( '/<form method="post"[^>]*id="native-smtp-log-delete"/', $html );
	}

	public function test_delete_bulk_delete_purge_and_filters(): void {
		$a = $this->uniqueSubject( 'filter-a' );
		$b = $this->uniqueSubject( 'filter-b' );
		$this->assertTrue( wp_mail( 'filter-a@example.test', $a, 'x' ) );
		$this->assertTrue( wp_mail( 'filter-b@example.test', $b, 'x' ) );
		Native_SMTP_Log::record( array( 'to' => array( 'filter-c@example.test' ), 'subject' => $b . ' failed' ), 'failed', 550, 'no such user' );

		$this->assertSame( 1, Native_SMTP_Log::query( array( 's' => 'filter-a@example.test' ), 20, 1 )['total'] );
		$this->assertSame( 2, Native_SMTP_Log::query( array( 's' => $b ), 20, 1 )['total'] );
		$this->assertSame( 1, Native_SMTP_Log::query( array( 's' => $b, 'status' => 'failed' ), 20, 1 )['total'] );
		$this->assertSame( 1, Native_SMTP_Log::query( array( 's' => $b, 'status' => 'sent' ), 20, 1 )['total'] );
		$today = wp_date( 'Y-m-d' );
		$this->assertSame( 2, Native_SMTP_Log::query( array( 's' => $b, 'from' => $today, 'to' => $today ), 20, 1 )['total'] );
		$this->assertSame( 0, Native_SMTP_Log::query( array( 's' => $b, 'to' => gmdate( 'Y-m-d', time() - 3 * DAY_IN_SECONDS ) ), 20, 1 )['total'] );

		// Bulk delete through the page's load hook, with the list table's nonce.
		$this->catchExits();
		wp_set_current_user( $this->admin() );
		$ids                  = wp_list_pluck( $this->logRows( $b ), 'id' );
		$_POST                = array( 'action' => 'delete', 'email' => $ids );
		$_REQUEST['_wpnonce'] = wp_create_nonce( 'bulk-native_smtp_emails' );
		try {
			Native_SMTP_Admin::handle_log_bulk();
			$this->fail( 'redirects' );
		} catch ( RuntimeException $e ) {
			$this->assertStringContainsString( 'redirect: ', $e->getMessage() );
		}
		$this->assertCount( 0, $this->logRows( $b ) );
		$this->assertSame( 1, Native_SMTP_Log::query( array( 's' => $b ), 20, 1 )['total'], 'the failed one has another subject' );

		$this->assertSame( 1, Native_SMTP_Log::delete( array( (int) $this->logRows( $a )[0]['id'] ) ) );
		$this->assertGreaterThan( 0, Native_SMTP_Log::purge() );
		$this->assertSame( 0, Native_SMTP_Log::query( array(), 20, 1 )['total'] );
	}

	public function test_privacy_exporter_eraser_and_policy_text(): void {
		$subject = $this->uniqueSubject( 'privacy' );
		$this->assertTrue( wp_mail( array( 'Priv Acy <privacy@example.test>' ), $subject, 'personal body' ) );
		$this->assertTrue( wp_mail( 'xprivacy@example.test', $subject . ' other', 'not theirs' ) );

		$exporters = apply_filters( 'wp_privacy_personal_data_exporters', array() );
		$this->assertArrayHasKey( 'native-smtp', $exporters );
		$export = call_user_func( $exporters['native-smtp']['callback'], 'privacy@example.test', 1 );
		$this->assertTrue( $export['done'] );
		$this->assertCount( 1, $export['data'], 'exactly their address, not xprivacy@' );
		$values = wp_list_pluck( $export['data'][0]['data'], 'value' );
		$this->assertContains( $subject, $values );
		$this->assertContains( 'personal body', $values );

		$erasers = apply_filters( 'wp_privacy_personal_data_erasers', array() );
		$erase   = call_user_func( $erasers['native-smtp']['callback'], 'privacy@example.test', 1 );
		$this->assertTrue( $erase['items_removed'] );
		$this->assertCount( 0, $this->logRows( $subject ) );
		$this->assertCount( 1, $this->logRows( $subject . ' other' ) );

		// wp_add_privacy_policy_content() runs in wp-admin (the plugin calls it on admin_init).
		require_once ABSPATH . 'wp-admin/includes/class-wp-screen.php';
		require_once ABSPATH . 'wp-admin/includes/screen.php';
		$GLOBALS['current_screen'] = WP_Screen::get( 'dashboard' ); // phpcs:ignore WordPress.WP.GlobalVariablesOverride
		global $wp_actions;
		$had_admin_init = isset( $wp_actions['admin_init'] );
		if ( ! $had_admin_init ) {
			$wp_actions['admin_init'] = 1; // phpcs:ignore WordPress.WP.GlobalVariablesOverride
		}
		try {
			Native_SMTP_Privacy::add_policy_text();
		} finally {
			unset( $GLOBALS['current_screen'] );
			if ( ! $had_admin_init ) {
				unset( $wp_actions['admin_init'] );
			}
		}
		$policies = wp_list_pluck( WP_Privacy_Policy_Content::get_suggested_policy_text(), 'plugin_name' );
		$this->assertContains( 'Native SMTP', $policies );
	}
}

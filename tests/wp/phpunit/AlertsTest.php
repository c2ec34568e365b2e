<?php
/**
 * Issue 17, alerts: a real failure (a relay of the test's own refusing, or down, or refusing the
 * login) reaches a real HTTP receiver on 127.0.0.1 in each payload shape (generic JSON, Slack,
 * Discord, Teams) and the alert addresses through the relay; 100 failures make one alert; an alert
 * that cannot be sent never loops or queues; the backup relay's action and the queue's giving up
 * raise theirs; webhook URLs are checked; saving needs the capability and the nonce.
 */

defined( 'ABSPATH' ) || exit;

require_once __DIR__ . '/AlertsRig.php';

final class AlertsTest extends NativeSmtpTestCase {

	use AlertsRig;

	protected function setUp(): void {
		parent::setUp();
		$this->requireExtension();
		$this->setUpRig();
	}

	protected function tearDown(): void {
		$this->tearDownRig();
		wp_set_current_user( 0 );
		parent::tearDown();
	}

	/** Webhooks of every shape at the receiver. */
	private function allShapes( string $url ): array {
		return array(
			array( 'format' => 'json', 'url' => $url . '/json' ),
			array( 'format' => 'slack', 'url' => $url . '/slack' ),
			array( 'format' => 'discord', 'url' => $url . '/discord' ),
			array( 'format' => 'teams', 'url' => $url . '/teams' ),
		);
	}

	private function byPath( array $posts ): array {
		$keyed = array();
		foreach ( $posts as $post ) {
			$keyed[ $post['path'] ] = $post;
		}
		return $keyed;
	}

	public function test_a_failed_email_reaches_every_webhook_shape_and_the_alert_addresses(): void {
		$url = $this->startReceiver();
		$this->startRelay( array( '--reject-rcpt', 'doomed@example.test=550 5.1.1 <doomed@example.test> no such user' ) );
		$this->setAlerts( array( 'emails' => array( 'ops@example.test' ), 'webhooks' => $this->allShapes( $url ) ) );

		$subject = $this->uniqueSubject( 'alert me' );
		$this->assertFalse( wp_mail( 'doomed@example.test', $subject, 'body that must not leak' ) );

		$posts = $this->byPath( $this->received() );
		$this->assertSame( array( '/json', '/slack', '/discord', '/teams' ), array_keys( $posts ) );
		foreach ( $posts as $post ) {
			$this->assertStringStartsWith( 'application/json', $post['headers']['Content-Type'] );
			$this->assertIsArray( $post['json'], 'valid JSON' );
			$this->assertStringContainsString( 'no such user', $post['body'] );
			$this->assertStringNotContainsString( 'body that must not leak', $post['body'], 'never the message body' );
		}
		$json = $posts['/json']['json'];
		$this->assertSame( 'native_smtp.alert', $json['event'] );
		$this->assertSame( 'failed', $json['kind'] );
		$this->assertSame( '550', $json['details']['smtp_code'] );
		$this->assertSame( $subject, $json['details']['subject'] );
		$this->assertSame( 0, $json['held_back'] );
		$this->assertSame( home_url( '/' ), $json['site_url'] );

		$this->assertSame( array( 'text' ), array_keys( $posts['/slack']['json'] ), 'Slack: {text}' );
		$this->assertStringStartsWith( '*An email could not be sent*', $posts['/slack']['json']['text'] );
		$this->assertStringContainsString( '&lt;doomed@example.test&gt;', $posts['/slack']['json']['text'], 'Slack\'s <...> escaped' );

		$this->assertArrayHasKey( 'content', $posts['/discord']['json'] );
		$this->assertLessThanOrEqual( 2000, mb_strlen( $posts['/discord']['json']['content'] ) );
		$this->assertSame( array( 'parse' => array() ), $posts['/discord']['json']['allowed_mentions'], 'no @everyone from an error text' );

		$teams = $posts['/teams']['json'];
		$this->assertSame( 'message', $teams['type'] );
		$this->assertSame( 'application/vnd.microsoft.card.adaptive', $teams['attachments'][0]['contentType'] );
		$this->assertSame( 'AdaptiveCard', $teams['attachments'][0]['content']['type'] );
		$this->assertSame( 'An email could not be sent', $teams['attachments'][0]['content']['body'][0]['text'] );

		// The alert email, through the relay, to the chosen address, marked as ours.
		$mails = $this->relayed( 'X-Native-SMTP-Alert: 1' );
		$this->assertCount( 1, $mails );
		$this->assertSame( array( 'ops@example.test' ), $mails[0]['meta']['rcpt_tos'] );
		$this->assertStringContainsString( 'An email could not be sent', $mails[0]['eml'] );
		$this->assertStringContainsString( 'no such user', $mails[0]['eml'] );
	}

	public function test_a_hundred_failures_make_one_alert_and_the_next_window_says_how_many_were_held(): void {
		$url = $this->startReceiver();
		$this->startRelay( array( '--reject-rcpt', 'doomed@example.test=550 5.1.1 no such user' ) );
		$this->setAlerts( array( 'emails' => array( 'ops@example.test' ), 'webhooks' => array( array( 'format' => 'json', 'url' => $url . '/hook' ) ), 'window' => 60 ) );

		for ( $i = 0; $i < 100; $i++ ) {
			$this->assertFalse( wp_mail( 'doomed@example.test', 'outage ' . $i, 'x' ) );
		}
		$this->assertCount( 1, $this->received(), '100 failures, one webhook alert' );
		$this->assertCount( 1, $this->relayed( 'X-Native-SMTP-Alert: 1' ), '100 failures, one alert email' );

		// The window passes (its start moved back an hour): the next failure alerts again and says
		// how many were held back.
		global $wpdb;
		$wpdb->query( $wpdb->prepare( "UPDATE {$wpdb->options} SET option_value = %s WHERE option_name = 'native_smtp_alert_last_failed'", (string) ( time() - HOUR_IN_SECONDS - 1 ) ) ); // phpcs:ignore
		$this->assertFalse( wp_mail( 'doomed@example.test', 'after the window', 'x' ) );
		$posts = $this->received();
		$this->assertCount( 2, $posts );
		$this->assertSame( 99, $posts[1]['json']['held_back'] );
		$this->assertStringContainsString( '99 more alerts of this kind were held back', $posts[1]['json']['text'] );
	}

	public function test_an_alert_that_cannot_be_sent_never_loops_and_is_never_queued(): void {
		$url = $this->startReceiver();
		// The relay is down and the queue is on: a send queues; with the queue off it fails.
		$this->useRelay( array( 'queue' => false ) );
		$this->setAlerts( array( 'emails' => array( 'ops@example.test' ), 'webhooks' => array( array( 'format' => 'json', 'url' => $url . '/hook' ) ) ) );
		global $wpdb;
		$table  = Native_SMTP_Log::table();
		$before = (int) $wpdb->get_var( "SELECT MAX(id) FROM {$table}" ); // phpcs:ignore

		$this->assertFalse( wp_mail( 'ann@example.test', $this->uniqueSubject( 'relay down' ), 'x' ) );
		$rows = $wpdb->get_results( $wpdb->prepare( "SELECT subject, status FROM {$table} WHERE id > %d ORDER BY id", $before ), ARRAY_A ); // phpcs:ignore
		$this->assertCount( 2, $rows, 'the email and the alert email, each tried once' );
		$this->assertSame( 'failed', $rows[1]['status'] );
		$this->assertStringContainsString( 'An email could not be sent', $rows[1]['subject'] );
		$this->assertCount( 1, $this->received(), 'the webhook still tells' );

		// Queue on: an alert email is still never queued (it would retry through the broken relay).
		$this->useRelay( array( 'queue' => true ) );
		Native_SMTP_Alerts::reset_windows();
		Native_SMTP_Alerts::raise( 'failed', array( 'error' => 'simulated' ) );
		$this->assertSame( 0, ( new \Smtp\Spool( $this->base . '/spool' ) )->count(), 'the alert email was not queued' );
		$this->assertCount( 2, $this->received() );
	}

	public function test_a_refused_login_raises_connection_broken_once_without_the_password(): void {
		$url = $this->startReceiver();
		$this->startRelay( array( '--auth', 'relayuser:right-password', '--auth-plaintext' ) );
		$this->useRelay( array( 'auth' => true, 'allow_insecure_auth' => true, 'username' => 'relayuser', 'password' => Native_SMTP_Options::encrypt( 'wrong-Pa55word' ) ) );
		$this->setAlerts( array( 'emails' => array( 'ops@example.test' ), 'webhooks' => array( array( 'format' => 'json', 'url' => $url . '/hook' ) ) ) );
		$fired = array();
		$this->rigFilter(
			'native_smtp_connection_broken',
			static function ( $context ) use ( &$fired ) {
				$fired[] = $context;
			}
		);

		$this->assertFalse( wp_mail( 'ann@example.test', 'login refused', 'x' ) );
		// Fired by the transport for the email, and again for the alert email it refused too.
		$this->assertCount( 2, $fired, 'the transport fired native_smtp_connection_broken' );
		$this->assertSame( 535, $fired[0]['code'] );
		$this->assertSame( 'auth', $fired[0]['source'] );
		$this->assertStringNotContainsString( 'wrong-Pa55word', wp_json_encode( $fired ) );
		$posts = $this->received();
		$this->assertCount( 1, $posts, 'one alert: connection_broken, not also "failed"' );
		$this->assertSame( 'connection_broken', $posts[0]['json']['kind'] );
		$this->assertSame( '535', $posts[0]['json']['details']['code'] );
		$this->assertStringNotContainsString( 'wrong-Pa55word', $posts[0]['body'] );
		$this->assertStringNotContainsString( 'relayuser:', $posts[0]['body'] );

		// More refusals inside the window: no more alerts (the alert email failed the same way and
		// raised nothing).
		$this->assertFalse( wp_mail( 'ann@example.test', 'login refused again', 'x' ) );
		$this->assertCount( 1, $this->received() );
	}

	public function test_an_oauth_connection_marked_broken_raises_connection_broken_once(): void {
		$url = $this->startReceiver();
		$this->setAlerts( array( 'webhooks' => array( array( 'format' => 'json', 'url' => $url . '/hook' ) ) ) );
		$reason = 'The token endpoint refused to issue an access token: invalid_grant (grant request is invalid)';
		$saved  = get_option( Native_SMTP_OAuth::OPTION, null );
		Native_SMTP_OAuth::mark_broken( 'microsoft', $reason );
		Native_SMTP_OAuth::mark_broken( 'microsoft', $reason ); // the same breakage again: no new action
		null === $saved ? delete_option( Native_SMTP_OAuth::OPTION ) : update_option( Native_SMTP_OAuth::OPTION, $saved, false );
		$posts = $this->received();
		$this->assertCount( 1, $posts );
		$this->assertSame( 'connection_broken', $posts[0]['json']['kind'] );
		$this->assertSame( 'token', $posts[0]['json']['details']['source'] );
		$this->assertSame( 'microsoft', $posts[0]['json']['details']['host'] );
		$this->assertStringContainsString( 'invalid_grant', $posts[0]['json']['details']['reason'] );
	}

	public function test_the_backup_relay_action_raises_backup_used_without_secrets(): void {
		$url = $this->startReceiver();
		$this->setAlerts( array( 'webhooks' => array( array( 'format' => 'json', 'url' => $url . '/hook' ) ) ) );
		do_action(
			'native_smtp_backup_used',
			array(
				'host'     => 'backup.example.test',
				'reason'   => '421 4.3.2 primary busy',
				'password' => 'backup-secret',
				'username' => 'backup-user',
			)
		);
		$posts = $this->received();
		$this->assertCount( 1, $posts );
		$this->assertSame( 'backup_used', $posts[0]['json']['kind'] );
		$this->assertSame( 'backup.example.test', $posts[0]['json']['details']['host'] );
		$this->assertStringContainsString( 'primary busy', $posts[0]['json']['text'] );
		$this->assertStringNotContainsString( 'backup-secret', $posts[0]['body'] );
		$this->assertStringNotContainsString( 'backup-user', $posts[0]['body'] );

		// A kind the admin turned off raises nothing.
		Native_SMTP_Alerts::reset_windows();
		$this->setAlerts( array( 'kinds' => array( 'failed' ), 'webhooks' => array( array( 'format' => 'json', 'url' => $url . '/hook' ) ) ) );
		do_action( 'native_smtp_backup_used', 'backup.example.test' );
		$this->assertCount( 1, $this->received() );
	}

	public function test_the_queue_giving_up_raises_queue_gave_up(): void {
		$url = $this->startReceiver();
		$this->useRelay( array( 'queue' => true ) );
		$this->setAlerts( array( 'webhooks' => array( array( 'format' => 'json', 'url' => $url . '/hook' ) ) ) );
		$subject = $this->uniqueSubject( 'given up' );
		$this->assertTrue( wp_mail( 'doomed@example.test', $subject, 'x' ), 'relay down: queued' );
		$this->assertCount( 0, $this->received(), 'a queued email is no failure' );

		$this->startRelay( array( '--reject-rcpt', 'doomed@example.test=550 5.1.1 no such user' ) );
		do_action( Native_SMTP_Queue::CRON_HOOK );
		$posts = $this->received();
		$this->assertCount( 1, $posts );
		$this->assertSame( 'queue_gave_up', $posts[0]['json']['kind'] );
		$this->assertSame( 'doomed@example.test', $posts[0]['json']['details']['to'] );
		$this->assertStringContainsString( 'no such user', $posts[0]['json']['details']['error'] );
	}

	public function test_a_receiver_that_fails_is_reported_by_host_only(): void {
		$url = $this->startReceiver( 500 );
		$this->setAlerts( array( 'webhooks' => array( array( 'format' => 'json', 'url' => $url . '/T000/B000/secret-token' ) ) ) );
		$result = Native_SMTP_Alerts::raise( 'failed', array( 'error' => 'x' ), true );
		$this->assertFalse( $result['webhooks'][0]['ok'] );
		$this->assertSame( 500, $result['webhooks'][0]['code'] );
		$this->assertStringNotContainsString( 'secret-token', wp_json_encode( $result ) );
	}

	public function test_webhook_urls_are_https_to_public_hosts_and_loopback_only_when_allowed(): void {
		foreach ( array( 'https://hooks.slack.com/services/T/B/x', 'https://discord.com/api/webhooks/1/abc', 'https://example.webhook.office.com/webhookb2/x', 'https://ops.example.com/alert' ) as $good ) {
			$this->assertSame( $good, Native_SMTP_Webhooks::validate_url( $good ), $good );
		}
		$this->assertSame( 'slack', Native_SMTP_Webhooks::detect_format( 'https://hooks.slack.com/services/T/B/x' ) );
		$this->assertSame( 'discord', Native_SMTP_Webhooks::detect_format( 'https://discord.com/api/webhooks/1/abc' ) );
		$this->assertSame( 'teams', Native_SMTP_Webhooks::detect_format( 'https://example.webhook.office.com/webhookb2/x' ) );
		$this->assertSame( 'teams', Native_SMTP_Webhooks::detect_format( 'https://prod-01.westeurope.logic.azure.com/workflows/x' ) );
		$this->assertSame( 'json', Native_SMTP_Webhooks::detect_format( 'https://ops.example.com/alert' ) );
		foreach ( array( 'http://ops.example.com/alert', 'ftp://ops.example.com/x', 'https://10.0.0.5/x', 'https://192.168.1.1/x', 'https://169.254.169.254/latest/meta-data', 'https://[fd00::1]/x', 'https://intranet/x', 'https://db.internal/x', 'https://user:pw@ops.example.com/x', 'javascript:alert(1)', 'not a url' ) as $bad ) {
			$this->assertInstanceOf( WP_Error::class, Native_SMTP_Webhooks::validate_url( $bad ), $bad );
		}
		// Loopback: only with the filter (this test's rig sets it) or the constant.
		$this->assertSame( 'http://127.0.0.1:9/x', Native_SMTP_Webhooks::validate_url( 'http://127.0.0.1:9/x' ) );
		remove_filter( 'native_smtp_webhook_allow_loopback', '__return_true' );
		$this->assertInstanceOf( WP_Error::class, Native_SMTP_Webhooks::validate_url( 'http://127.0.0.1:9/x' ) );
		$this->assertInstanceOf( WP_Error::class, Native_SMTP_Webhooks::validate_url( 'https://localhost/x' ) );
		// And at send time, wp_safe_remote_post() refuses a public-looking name that is not public.
		$post = Native_SMTP_Webhooks::post( array( 'format' => 'json', 'url' => 'https://localhost.example.invalid/x' ), Native_SMTP_Alerts::build( 'failed', array(), 0, 60 ) );
		$this->assertFalse( $post['ok'] );
		add_filter( 'native_smtp_webhook_allow_loopback', '__return_true' );
	}

	public function test_saving_needs_the_capability_and_the_nonce_and_reports_bad_input(): void {
		$this->catchExits();
		$fields = array(
			'native_smtp_alerts' => array(
				'kinds'    => array( 'failed', 'connection_broken', 'bogus' ),
				'emails'   => 'ops@example.test, not-an-address',
				'webhooks' => "https://hooks.slack.com/services/T/B/x\nteams https://example.webhook.office.com/x\nhttps://10.0.0.1/x\nsms https://ops.example.com/x",
				'window'   => '1',
				'summary'  => '',
			),
		);
		wp_set_current_user( 0 );
		$this->assertStringStartsWith( 'wp_die', $this->post( array( 'Native_SMTP_Alerts_Admin', 'handle_save' ), 'native_smtp_alerts_save', $fields ) );
		wp_set_current_user( $this->adminId() );
		$this->assertStringStartsWith( 'wp_die', $this->post( array( 'Native_SMTP_Alerts_Admin', 'handle_save' ), 'native_smtp_alerts_save', $fields, 'forged' ) );
		$this->assertSame( Native_SMTP_Alerts::defaults()['emails'], Native_SMTP_Alerts::settings()['emails'], 'nothing saved yet' );

		$end = $this->post( array( 'Native_SMTP_Alerts_Admin', 'handle_save' ), 'native_smtp_alerts_save', $fields );
		$this->assertStringContainsString( 'tab=alerts', $end );
		$saved = Native_SMTP_Alerts::settings();
		$this->assertSame( array( 'failed', 'connection_broken' ), $saved['kinds'] );
		$this->assertSame( array( 'ops@example.test' ), $saved['emails'] );
		$this->assertSame(
			array(
				array( 'format' => 'slack', 'url' => 'https://hooks.slack.com/services/T/B/x' ),
				array( 'format' => 'teams', 'url' => 'https://example.webhook.office.com/x' ),
			),
			$saved['webhooks']
		);
		$this->assertSame( 5, $saved['window'], 'at least five minutes' );
		$this->assertFalse( $saved['summary'] );
		$this->assertFalse( wp_next_scheduled( Native_SMTP_Summary::CRON_HOOK ), 'summary off: no cron event' );

		// The page shows what was wrong, once, and the saved values.
		ob_start();
		Native_SMTP_Alerts_Admin::render_tab();
		$html = (string) ob_get_clean();
		$this->assertStringContainsString( '&quot;not-an-address&quot; is not an email address.', $html );
		$this->assertStringContainsString( 'must not point at a private or reserved address. (https://10.0.0.1/…)', $html );
		$this->assertStringContainsString( 'Unknown webhook format &quot;sms&quot;', $html );
		$this->assertStringContainsString( 'id="native-smtp-alert-failed" name="native_smtp_alerts[kinds][]" value="failed" checked', $html );

		// The test alert button: capability and nonce too.
		wp_set_current_user( 0 );
		$this->assertStringStartsWith( 'wp_die', $this->post( array( 'Native_SMTP_Alerts_Admin', 'handle_test' ), 'native_smtp_alerts_test' ) );
	}

	public function test_the_test_alert_button_posts_to_the_receiver_and_says_so(): void {
		$url = $this->startReceiver();
		$this->catchExits();
		$this->setAlerts( array( 'webhooks' => array( array( 'format' => 'discord', 'url' => $url . '/d' ) ) ) );
		wp_set_current_user( $this->adminId() );
		$this->assertStringContainsString( 'tab=alerts', $this->post( array( 'Native_SMTP_Alerts_Admin', 'handle_test' ), 'native_smtp_alerts_test' ) );
		$this->assertCount( 1, $this->received() );
		$this->assertStringContainsString( 'This is a test', $this->received()[0]['json']['content'] );
		ob_start();
		Native_SMTP_Alerts_Admin::render_tab();
		$html = (string) ob_get_clean();
		$this->assertStringContainsString( 'Webhook http://127.0.0.1:' . $this->receiver_port . '/…: delivered', $html );
	}
}

<?php
/**
 * Uninstall, and the plugin without the extension (this file runs in a PHP without smtp.so).
 */

defined( 'ABSPATH' ) || exit;

final class LifecycleTest extends NativeSmtpTestCase {

	/**
	 * @runInSeparateProcess
	 * @preserveGlobalState disabled
	 */
	public function test_uninstall_removes_options_table_and_cron_then_activation_restores(): void {
		global $wpdb;
		$saved = get_option( 'native_smtp_options' );
		update_option( 'native_smtp_options', Native_SMTP_Options::defaults() );
		Native_SMTP_Log::record( array( 'to' => array( 'x@example.test' ), 'subject' => 'before uninstall' ), 'sent', 0, '' );
		$table = Native_SMTP_Log::table();
		$this->assertSame( $table, $wpdb->get_var( $wpdb->prepare( 'SHOW TABLES LIKE %s', $table ) ) );
		$saved_keys = get_option( Native_SMTP_Dkim::KEYS_OPTION );
		update_option( Native_SMTP_Dkim::KEYS_OPTION, array( 'rsa-sha256' => array( 'key' => 'ns1:x' ) ), false );
		update_option( Native_SMTP_Queue::FAILED_OPTION, array( 'count' => 1 ), false );
		update_option( 'native_smtp_oauth', array( 'google' => array( 'refresh_token' => 'ns2:x' ) ), false );
		wp_schedule_event( time() + 60, Native_SMTP_Queue::SCHEDULE, Native_SMTP_Queue::CRON_HOOK );
		$this->assertNotFalse( wp_next_scheduled( Native_SMTP_Queue::CRON_HOOK ) );
		// Issue 17: alerts, their rate-limit windows, the weekly summary, the domain check's cache.
		$saved_alerts = get_option( Native_SMTP_Alerts::OPTION );
		update_option( Native_SMTP_Alerts::OPTION, Native_SMTP_Alerts::defaults(), false );
		$wpdb->insert( $wpdb->options, array( 'option_name' => 'native_smtp_alert_last_failed', 'option_value' => (string) time(), 'autoload' => 'no' ) ); // phpcs:ignore
		wp_schedule_event( time() + 60, 'weekly', Native_SMTP_Summary::CRON_HOOK );
		$domain_key = Native_SMTP_Domain_Check::cache_key( array( 'uninstall' => true ) );
		set_transient( $domain_key, array( 'findings' => array() ), 600 );
		update_option( Native_SMTP_Domain_Check::KEYS_OPTION, array( $domain_key ), false );

		define( 'WP_UNINSTALL_PLUGIN', 'native-smtp/native-smtp.php' );
		include WP_PLUGIN_DIR . '/native-smtp/uninstall.php';

		$this->assertFalse( get_option( 'native_smtp_options' ) );
		$this->assertFalse( get_option( 'native_smtp_db_version' ) );
		$this->assertNull( $wpdb->get_var( $wpdb->prepare( 'SHOW TABLES LIKE %s', $table ) ) );
		$this->assertFalse( wp_next_scheduled( Native_SMTP_Log::PRUNE_EVENT ) );
		$this->assertFalse( wp_next_scheduled( Native_SMTP_Queue::CRON_HOOK ) );
		$this->assertFalse( get_option( Native_SMTP_Dkim::KEYS_OPTION ), 'DKIM keys are removed' );
		$this->assertFalse( get_option( Native_SMTP_Queue::FAILED_OPTION ) );
		$this->assertFalse( get_option( Native_SMTP_Alerts::OPTION ) );
		$this->assertNull( $wpdb->get_var( "SELECT option_name FROM {$wpdb->options} WHERE option_name LIKE 'native\\_smtp\\_alert\\_%'" ) ); // phpcs:ignore
		$this->assertFalse( wp_next_scheduled( Native_SMTP_Summary::CRON_HOOK ) );
		$this->assertFalse( get_transient( $domain_key ), 'the domain check\'s cache is removed, object cache included' );
		$this->assertFalse( get_option( Native_SMTP_Domain_Check::KEYS_OPTION ) );
		$this->assertFalse( get_option( 'native_smtp_oauth' ), 'OAuth tokens and client secrets are removed' );

		// Put the rig back as it was.
		native_smtp_activate();
		if ( false !== $saved ) {
			update_option( 'native_smtp_options', $saved );
		}
		if ( false !== $saved_keys ) {
			update_option( Native_SMTP_Dkim::KEYS_OPTION, $saved_keys, false );
		}
		if ( false !== $saved_alerts ) {
			update_option( Native_SMTP_Alerts::OPTION, $saved_alerts, false );
		}
		// This child process runs without the extension (no ini is passed on): the flush is scheduled
		// only where it can run.
		if ( class_exists( 'Smtp\Mailer' ) ) {
			$this->assertNotFalse( wp_next_scheduled( Native_SMTP_Queue::CRON_HOOK ), 'activation schedules the flush again' );
		} else {
			$this->assertFalse( wp_next_scheduled( Native_SMTP_Queue::CRON_HOOK ), 'no flush without the extension' );
		}
		$this->assertSame( $table, $wpdb->get_var( $wpdb->prepare( 'SHOW TABLES LIKE %s', $table ) ) );
	}

	/**
	 * @group no-extension
	 */
	public function test_without_the_extension_wp_mail_uses_mail_and_the_admin_is_told(): void {
		$this->assertFalse( class_exists( 'Smtp\Mailer' ), 'this test runs in a PHP without the smtp extension' );
		$this->configureCapture();

		$subject = $this->uniqueSubject( 'fallback' );
		$this->assertTrue( wp_mail( 'ann@example.test', $subject, 'through mail()' ) );
		$this->assertCount( 1, $this->sentThroughMailFunction( $subject ), 'WordPress\'s default path: PHP mail()' );
		$this->assertNull( $this->captured( $subject, 0.5 ) );
		$rows = $this->logRows( $subject );
		$this->assertSame( 'sent', $rows[0]['status'], 'the log still records it' );

		wp_set_current_user( 1 );
		ob_start();
		Native_SMTP_Admin::notices();
		$notice = ob_get_clean();
		$this->assertStringContainsString( 'native-smtp-no-extension', $notice );
		$this->assertStringContainsString( 'extension=smtp.so', $notice );

		$health = Native_SMTP_Site_Health::run();
		$this->assertSame( 'critical', $health['status'] );

		$result = Native_SMTP_Admin::send_test( 'admin@wpe2e.test', 'html' );
		$this->assertTrue( $result['ok'], 'Send Test works through mail() too' );
		$this->assertSame( 'mail', $result['via'] );
		set_transient( 'native_smtp_test_result_' . get_current_user_id(), $result, 60 );
		$_GET['tab'] = 'test';
		ob_start();
		Native_SMTP_Admin::render_page();
		$page = (string) ob_get_clean();
		unset( $_GET['tab'] );
		$this->assertStringContainsString( 'the smtp PHP extension is not loaded, so WordPress handed it to PHP&#039;s mail() function', $page, 'Send Test says plainly where the mail went' );
		$this->assertStringNotContainsString( 'sent successfully', $page );
	}

	/**
	 * @group no-extension
	 */
	public function test_the_extension_notice_says_what_a_host_can_do_and_is_dismissible_per_user(): void {
		wp_set_current_user( 1 );
		delete_user_meta( 1, Native_SMTP_Admin::DISMISS_META );
		ob_start();
		Native_SMTP_Admin::notices();
		$notice = (string) ob_get_clean();
		$this->assertStringContainsString( 'ask your host', $notice );
		$this->assertStringContainsString( 'cPanel', $notice );
		$this->assertStringContainsString( 'id="native-smtp-dismiss-extension"', $notice );

		$redirect = static function ( $location ) {
			throw new RuntimeException( 'redirect: ' . $location );
		};
		add_filter( 'wp_redirect', $redirect );
		$_REQUEST['_wpnonce'] = wp_create_nonce( 'native_smtp_dismiss_extension' );
		try {
			Native_SMTP_Admin::handle_dismiss_extension();
			$this->fail( 'redirects back' );
		} catch ( RuntimeException $e ) {
			$this->assertStringContainsString( 'redirect: ', $e->getMessage() );
		} finally {
			remove_filter( 'wp_redirect', $redirect );
			unset( $_REQUEST['_wpnonce'] );
		}
		ob_start();
		Native_SMTP_Admin::notices();
		$this->assertStringNotContainsString( 'native-smtp-no-extension', (string) ob_get_clean(), 'gone for this user' );

		$other = wp_insert_user( array( 'user_login' => 'notice-' . wp_generate_password( 6, false ), 'user_pass' => wp_generate_password(), 'role' => 'administrator' ) );
		wp_set_current_user( $other );
		ob_start();
		Native_SMTP_Admin::notices();
		$this->assertStringContainsString( 'native-smtp-no-extension', (string) ob_get_clean(), 'still there for another admin' );
		require_once ABSPATH . 'wp-admin/includes/user.php';
		wp_delete_user( $other );
		delete_user_meta( 1, Native_SMTP_Admin::DISMISS_META );
		wp_set_current_user( 0 );
	}
}

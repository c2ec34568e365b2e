<?php
/**
 * Issue 14 on a single site: wp_mail() never fatals, secrets that say when they no longer decrypt,
 * queued mail kept private (checked over HTTP), Send Test post/redirect/get, "None" + AUTH refused
 * at save time, no option write per email, DKIM keys never replaced under a published selector.
 */

defined( 'ABSPATH' ) || exit;

require_once ABSPATH . 'wp-admin/includes/template.php';

final class HardeningTest extends NativeSmtpTestCase {

	/** @var array<int, array{0: string, 1: callable}> */
	private $filters = array();

	protected function setUp(): void {
		parent::setUp();
		// The separate-process tests run in a PHP without the extension (PHPUnit passes no ini on).
		if ( ! in_array( $this->getName(), array( 'test_on_wordpress_6_8_the_mailer_extends_wp_phpmailer', 'test_native_smtp_key_takes_over_and_older_secrets_still_open' ), true ) ) {
			$this->requireExtension();
		}
		$this->saved_keys = get_option( Native_SMTP_Dkim::KEYS_OPTION, null );
	}

	/** @var mixed */
	private $saved_keys;

	protected function tearDown(): void {
		foreach ( $this->filters as list( $name, $callback ) ) {
			remove_filter( $name, $callback );
		}
		if ( null === $this->saved_keys ) {
			delete_option( Native_SMTP_Dkim::KEYS_OPTION );
		} else {
			update_option( Native_SMTP_Dkim::KEYS_OPTION, $this->saved_keys, false );
		}
		unset( $_POST['_wpnonce'], $_REQUEST['_wpnonce'], $_POST['native_smtp_test_to'], $_POST['native_smtp_test_format'] );
		wp_set_current_user( 0 );
		parent::tearDown();
	}

	private function addFilter( string $name, callable $callback, int $priority = 10 ): void {
		add_filter( $name, $callback, $priority );
		$this->filters[] = array( $name, $callback );
	}

	/** wp_redirect() and wp_die() become exceptions, so a handler's outcome can be asserted. */
	private function catchExits(): void {
		$this->addFilter(
			'wp_redirect',
			static function ( $location ) {
				throw new RuntimeException( 'redirect: ' . $location );
			}
		);
		$this->addFilter(
			'wp_die_handler',
			static function () {
				return static function ( $message ) {
					throw new RuntimeException( 'wp_die: ' . ( is_string( $message ) ? $message : wp_json_encode( $message ) ) );
				};
			}
		);
	}

	private function admin(): int {
		$admins = get_users( array( 'role' => 'administrator', 'number' => 1, 'fields' => 'ID' ) );
		return (int) $admins[0];
	}

	public function test_any_throwable_while_sending_becomes_wp_mail_failed_never_a_fatal(): void {
		$this->configureCapture();
		$this->addFilter(
			'native_smtp_mailer_config',
			static function () {
				throw new Error( 'a filter blew up' );
			}
		);
		$failed = null;
		$this->addFilter(
			'wp_mail_failed',
			static function ( $error ) use ( &$failed ) {
				$failed = $error;
			}
		);
		$this->assertFalse( wp_mail( 'ann@example.test', $this->uniqueSubject( 'throws' ), 'x' ) );
		$this->assertInstanceOf( WP_Error::class, $failed );
		$this->assertSame( 'a filter blew up', $failed->get_error_message() );
	}

	public function test_wp_mail_succeeded_fires_on_success(): void {
		$this->configureCapture();
		$succeeded = null;
		$this->addFilter(
			'wp_mail_succeeded',
			static function ( $data ) use ( &$succeeded ) {
				$succeeded = $data;
			}
		);
		$subject = $this->uniqueSubject( 'succeeded' );
		$this->assertTrue( wp_mail( 'ann@example.test', $subject, 'x' ) );
		$this->assertSame( $subject, $succeeded['subject'] );
		$this->assertNotNull( $this->captured( $subject ) );
		$this->assertTrue( is_subclass_of( 'Native_SMTP_PHPMailer', 'PHPMailer\PHPMailer\PHPMailer' ), 'WordPress 6.1 has no WP_PHPMailer: PHPMailer is the parent' );
		$this->assertContains( 'NativeSmtp\PHPMailerNative', class_uses( 'Native_SMTP_PHPMailer' ), 'the bridge\'s hand-over, not a copy of it' );
		$this->assertSame(
			realpath( NATIVE_SMTP_PLUGIN_DIR . 'vendor/native-smtp-bridge/PHPMailerNative.php' ),
			( new ReflectionClass( 'NativeSmtp\PHPMailerNative' ) )->getFileName(),
			'the plugin\'s own copy, shipped in its zip'
		);
	}

	/**
	 * @runInSeparateProcess
	 * @preserveGlobalState disabled
	 */
	public function test_on_wordpress_6_8_the_mailer_extends_wp_phpmailer(): void {
		require_once ABSPATH . WPINC . '/PHPMailer/PHPMailer.php';
		require_once ABSPATH . WPINC . '/PHPMailer/Exception.php';
		// What WordPress 6.8 declares in wp-includes/class-wp-phpmailer.php.
		eval( 'class WP_PHPMailer extends PHPMailer\PHPMailer\PHPMailer { public $from_wp_6_8 = true; }' ); // phpcs:ignore
		Native_SMTP_Transport::load_phpmailer();
		$mailer = new Native_SMTP_PHPMailer( true );
		$this->assertInstanceOf( 'WP_PHPMailer', $mailer );
		$this->assertTrue( $mailer->from_wp_6_8 );
		$this->assertTrue( method_exists( $mailer, 'nativesmtpSend' ) );
		$this->assertContains( 'NativeSmtp\PHPMailerNative', class_uses( $mailer ), 'the bridge\'s hand-over, not a copy of it' );
	}

	public function test_none_with_authentication_is_refused_at_save_unless_allowed(): void {
		$this->configureCapture();
		$clean = Native_SMTP_Options::sanitize( array( '__checkboxes' => '1', 'encryption' => 'none', 'port' => '25', 'auth' => '1', 'username' => 'u' ) );
		$this->assertSame( 'tls', $clean['encryption'], 'the stored encryption is kept' );
		$codes = wp_list_pluck( get_settings_errors( 'native_smtp_options' ), 'code' );
		$this->assertContains( 'native_smtp_insecure_auth', $codes );

		$clean = Native_SMTP_Options::sanitize( array( '__checkboxes' => '1', 'encryption' => 'none', 'port' => '25', 'auth' => '1', 'username' => 'u', 'allow_insecure_auth' => '1' ) );
		$this->assertSame( 'none', $clean['encryption'] );
		$this->assertTrue( $clean['allow_insecure_auth'] );
		update_option( 'native_smtp_options', $clean );
		$this->assertTrue( Native_SMTP_Transport::config()['allow_insecure_auth'] );

		$clean = Native_SMTP_Options::sanitize( array( '__checkboxes' => '1', 'encryption' => 'none', 'port' => '25' ) );
		$this->assertSame( 'none', $clean['encryption'], 'without authentication None is fine' );
		$this->assertFalse( $clean['auth'] );
	}

	public function test_send_test_uses_post_redirect_get_and_shows_the_result_once(): void {
		$this->configureCapture();
		wp_set_current_user( $this->admin() );
		$this->catchExits();
		$_POST['_wpnonce']                = wp_create_nonce( 'native_smtp_send_test' );
		$_REQUEST['_wpnonce']             = $_POST['_wpnonce'];
		$_POST['native_smtp_test_to']     = 'prg@example.test';
		$_POST['native_smtp_test_format'] = 'html';
		try {
			Native_SMTP_Admin::handle_send_test();
			$this->fail( 'the handler redirects' );
		} catch ( RuntimeException $e ) {
			$this->assertStringContainsString( 'redirect: ', $e->getMessage() );
			$this->assertStringContainsString( 'tab=test', $e->getMessage() );
		}
		$render = static function () {
			$_GET['tab'] = 'test';
			ob_start();
			Native_SMTP_Admin::render_page();
			unset( $_GET['tab'] );
			return (string) ob_get_clean();
		};
		$first = $render();
		$this->assertStringContainsString( 'Test HTML email was sent successfully!', $first );
		$this->assertStringContainsString( 'action="' . esc_url( admin_url( 'admin-post.php' ) ) . '"', $first, 'the form posts to admin-post.php' );
		$this->assertStringNotContainsString( 'sent successfully', $render(), 'a reload shows (and sends) nothing again' );

		// Without the nonce: refused.
		$_POST['_wpnonce'] = $_REQUEST['_wpnonce'] = 'wrong';
		try {
			Native_SMTP_Admin::handle_send_test();
			$this->fail( 'a bad nonce is refused' );
		} catch ( RuntimeException $e ) {
			$this->assertStringContainsString( 'wp_die', $e->getMessage() );
		}
	}

	public function test_a_password_under_a_changed_key_is_reported_everywhere(): void {
		$this->configureCapture();
		$good = Native_SMTP_Options::encrypt( 'secret' );
		$this->assertSame( 'ok', Native_SMTP_Crypto::status( $good ) );
		$this->assertSame( array(), Native_SMTP_Options::secret_problems() );
		$this->assertSame( 'good', Native_SMTP_Site_Health::run_secrets()['status'] );

		// The salts changed: the stored key check value names a key that is not there any more.
		list( $prefix, , $body ) = explode( ':', $good, 3 );
		$stale                   = "$prefix:0123456789abcdef:$body";
		$this->assertSame( 'key_changed', Native_SMTP_Crypto::status( $stale ) );
		$this->assertSame( '', Native_SMTP_Options::decrypt( $stale ) );
		$this->configureCapture( array( 'password' => $stale ) );

		$this->assertSame( array( array( 'secret' => 'password', 'status' => 'key_changed' ) ), Native_SMTP_Options::secret_problems() );
		$health = Native_SMTP_Site_Health::run_secrets();
		$this->assertSame( 'critical', $health['status'] );
		$this->assertStringContainsString( 'NATIVE_SMTP_KEY', $health['description'] );

		wp_set_current_user( $this->admin() );
		ob_start();
		Native_SMTP_Admin::notices();
		Native_SMTP_Admin::render_password();
		$html = (string) ob_get_clean();
		$this->assertStringContainsString( 'id="native-smtp-secrets-notice"', $html );
		$this->assertStringContainsString( 'The stored password can no longer be decrypted.', $html );

		// A DKIM key under the old key too.
		update_option( Native_SMTP_Dkim::KEYS_OPTION, array( 'rsa-sha256' => array( 'key' => $stale, 'record' => 'v=DKIM1; p=x' ) ), false );
		$this->assertContains( 'rsa-sha256', wp_list_pluck( Native_SMTP_Options::secret_problems(), 'secret' ) );
	}

	/**
	 * @runInSeparateProcess
	 * @preserveGlobalState disabled
	 */
	public function test_native_smtp_key_takes_over_and_older_secrets_still_open(): void {
		$before = Native_SMTP_Options::encrypt( 'made-with-the-salts' );
		define( 'NATIVE_SMTP_KEY', 'a-long-random-text-for-the-tests-' . str_repeat( 'x', 16 ) );
		$this->assertSame( 'old_key', Native_SMTP_Crypto::status( $before ), 'opens, but asks to be saved again' );
		$this->assertSame( 'made-with-the-salts', Native_SMTP_Options::decrypt( $before ) );
		$after = Native_SMTP_Options::encrypt( 'made-with-the-constant' );
		$this->assertSame( 'ok', Native_SMTP_Crypto::status( $after ) );
		$this->assertNotSame( explode( ':', $before )[1], explode( ':', $after )[1], 'another key check value' );
		ob_start();
		update_option( 'native_smtp_options', array_merge( Native_SMTP_Options::defaults(), array( 'password' => $after ) ) );
		Native_SMTP_Admin::render_password();
		$this->assertStringContainsString( 'Encrypted with <code>NATIVE_SMTP_KEY</code>', (string) ob_get_clean() );
	}

	public function test_sample_salts_mean_a_public_key(): void {
		// wp-config.php's salts cannot be redefined here: a PHP of its own with the sample text.
		$script = sprintf(
			'define( "ABSPATH", "/" ); foreach ( array( "AUTH_KEY", "SECURE_AUTH_KEY", "LOGGED_IN_KEY", "NONCE_KEY", "AUTH_SALT", "SECURE_AUTH_SALT" ) as $n ) { define( $n, "put your unique phrase here" ); } require %s; echo Native_SMTP_Crypto::key_is_public() ? "public" : "private";',
			var_export( NATIVE_SMTP_PLUGIN_DIR . 'includes/class-native-smtp-crypto.php', true )
		);
		$this->assertSame( 'public', shell_exec( escapeshellarg( PHP_BINARY ) . ' -r ' . escapeshellarg( $script ) ) );
		$this->assertFalse( Native_SMTP_Crypto::key_is_public(), 'the rig has random salts' );
	}

	public function test_wipe_never_throws_even_with_sodium_compat(): void {
		$secret = 'wipe me';
		Native_SMTP_Crypto::wipe( $secret );
		$this->assertSame( '', $secret );
		$not_a_string = null;
		Native_SMTP_Crypto::wipe( $not_a_string );
		$this->assertSame( '', $not_a_string );
	}

	public function test_the_queue_is_outside_the_document_root_and_site_health_says_so(): void {
		$this->configureCapture();
		$base = Native_SMTP_Queue::base_dir();
		$this->assertStringStartsNotWith( wp_normalize_path( ABSPATH ), wp_normalize_path( $base ), 'not under the document root' );
		$this->assertSame( dirname( untrailingslashit( ABSPATH ) ), dirname( $base ), 'beside the WordPress folder' );
		$this->assertSame( $base, Native_SMTP_Options::get_shared( Native_SMTP_Queue::DIR_OPTION ), 'kept, so it never moves' );
		$probe = Native_SMTP_Queue::probe();
		$this->assertFalse( $probe['served'] );
		$this->assertSame( '', $probe['url'], 'no URL leads there' );
		$this->assertSame( 'good', Native_SMTP_Site_Health::run_queue_private()['status'] );
		$this->assertSame( array( 'index.php', 'web.config', '.htaccess' ), array_values( array_intersect( array( 'index.php', 'web.config', '.htaccess' ), scandir( Native_SMTP_Queue::prepare_dir() . '/queue' ) ) ) );
	}

	public function test_a_queue_under_uploads_is_reported_critical_when_php_s_serves_it(): void {
		// php -S ignores .htaccess: exactly the server that must be caught.
		$this->configureCapture();
		$uploads = wp_upload_dir( null, false );
		$dir     = $uploads['basedir'] . '/native-smtp-spool-' . bin2hex( random_bytes( 6 ) );
		$this->addFilter(
			'native_smtp_spool_dir',
			static function () use ( $dir ) {
				return $dir;
			}
		);
		try {
			$probe = Native_SMTP_Queue::probe();
			$this->assertStringStartsWith( $uploads['baseurl'], $probe['url'] );
			$this->assertSame( 200, $probe['code'] );
			$this->assertTrue( $probe['served'] );
			$health = Native_SMTP_Site_Health::run_queue_private();
			$this->assertSame( 'critical', $health['status'] );
			$this->assertStringContainsString( 'NATIVE_SMTP_SPOOL_DIR', $health['description'] );
			$this->assertSame( array(), glob( $dir . '/queue/native-smtp-probe-*' ), 'the probe file is removed' );
		} finally {
			Native_SMTP_Queue::remove_dir( $dir );
		}
	}

	public function test_no_option_write_per_sent_email_and_no_cron_without_the_queue(): void {
		$this->configureCapture();
		$writes = 0;
		$this->addFilter(
			'pre_update_option_native_smtp_last_send',
			static function ( $value ) use ( &$writes ) {
				++$writes;
				return $value;
			}
		);
		update_option( 'native_smtp_last_send', array( 'ok' => true, 'time' => time(), 'error' => '' ), false );
		$writes = 0;
		for ( $i = 0; $i < 3; $i++ ) {
			$this->assertTrue( wp_mail( 'ann@example.test', $this->uniqueSubject( 'no write' ), 'x' ) );
		}
		$this->assertSame( 0, $writes, 'the outcome did not change: nothing written' );

		// Separate-process tests before this one changed the cron option behind this process's cache.
		wp_cache_delete( 'alloptions', 'options' );
		$this->configureCapture( array( 'queue' => false ) );
		Native_SMTP_Queue::schedule();
		$this->assertFalse( Native_SMTP_Queue::enabled() );
		$this->assertFalse( wp_next_scheduled( Native_SMTP_Queue::CRON_HOOK ), 'queue off: no every-minute cron' );
		$this->configureCapture( array( 'queue' => true ) );
		Native_SMTP_Queue::schedule();
		$this->assertNotFalse( wp_next_scheduled( Native_SMTP_Queue::CRON_HOOK ) );
	}

	public function test_dkim_generate_never_replaces_a_key_under_the_same_selector(): void {
		delete_option( Native_SMTP_Dkim::KEYS_OPTION );
		$this->configureCapture( array( 'dkim_selector' => 'first' ) );
		$this->assertTrue( Native_SMTP_Dkim::generate( 'rsa-sha256' ) );
		$record = Native_SMTP_Dkim::dns_record( 'rsa-sha256' );
		$again  = Native_SMTP_Dkim::generate( 'rsa-sha256' );
		$this->assertInstanceOf( WP_Error::class, $again );
		$this->assertSame( 'native_smtp_dkim_same_selector', $again->get_error_code() );
		$this->assertSame( $record, Native_SMTP_Dkim::dns_record( 'rsa-sha256' ), 'the published key stays' );

		$this->configureCapture( array( 'dkim_selector' => 'second' ) );
		$this->assertTrue( Native_SMTP_Dkim::generate( 'rsa-sha256' ) );
		$this->assertNotSame( $record, Native_SMTP_Dkim::dns_record( 'rsa-sha256' ) );
		$this->assertSame( 'second._domainkey.wpe2e.test', Native_SMTP_Dkim::dns_name( 'rsa-sha256' ) );
	}

	public function test_readme_txt_is_in_the_wordpress_org_format(): void {
		$readme = file_get_contents( NATIVE_SMTP_PLUGIN_DIR . 'readme.txt' );
		$this->assertMatchesRegularExpression( '/^=== Native SMTP ===/', $readme );
		foreach ( array( 'Contributors', 'Tags', 'Requires at least', 'Tested up to', 'Requires PHP', 'Stable tag', 'License', 'License URI' ) as $header ) {
			$this->assertMatchesRegularExpression( '/^' . preg_quote( $header, '/' ) . ': \S/m', $readme, $header );
		}
		foreach ( array( 'Description', 'Installation', 'Frequently Asked Questions', 'Changelog' ) as $section ) {
			$this->assertStringContainsString( "== $section ==", $readme );
		}
		$this->assertStringContainsString( 'NATIVE_SMTP_KEY', $readme );
		preg_match( '/^Stable tag: (\S+)/m', $readme, $m );
		$this->assertSame( NATIVE_SMTP_VERSION, $m[1] );
	}
}

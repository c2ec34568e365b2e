<?php
/**
 * Provider presets (the Mailer choice) and Send Test's provider hints: each preset fills host,
 * port, encryption and its username rule when the settings are saved (no JavaScript needed);
 * hostile choices are refused; each provider's well-known refusal, answered by a real SMTP server
 * (tests/server/smtpd.py) the preset was pointed at, shows that provider's hint on the Send Test tab.
 */

defined( 'ABSPATH' ) || exit;

require_once dirname( __DIR__, 2 ) . '/inc/server.inc';
require_once ABSPATH . 'wp-admin/includes/template.php';

final class PresetsTest extends NativeSmtpTestCase {

	/** @var array<int, array{0: string, 1: callable}> */
	private $filters = array();

	/** @var string|null The mu-plugin the e2e test writes, removed afterwards. */
	private $mu_plugin = null;

	protected function setUp(): void {
		parent::setUp();
		// The rig's CA signs the test servers' certificates (NATIVE_SMTP_CAFILE trusts it).
		putenv( 'SMTP_TEST_CERTS=' . getenv( 'WP_STATE' ) . '/certs' );
		$GLOBALS['wp_settings_errors'] = array();
	}

	protected function tearDown(): void {
		foreach ( $this->filters as list( $name, $callback, $priority ) ) {
			remove_filter( $name, $callback, $priority );
		}
		if ( null !== $this->mu_plugin && is_file( $this->mu_plugin ) ) {
			unlink( $this->mu_plugin );
		}
		delete_transient( 'native_smtp_test_result_' . get_current_user_id() );
		wp_set_current_user( 0 );
		// register_settings() hooked the sanitising into every later update_option() of this process.
		if ( isset( get_registered_settings()[ Native_SMTP_Options::OPTION ] ) ) {
			unregister_setting( 'native_smtp', Native_SMTP_Options::OPTION );
		}
		$GLOBALS['wp_settings_errors'] = array();
		unset( $_GET['tab'] );
		parent::tearDown();
	}

	private function addFilter( string $name, callable $callback, int $priority = 10, int $args = 1 ): void {
		add_filter( $name, $callback, $priority, $args );
		$this->filters[] = array( $name, $callback, $priority );
	}

	private function sanitize( array $input ): array {
		return Native_SMTP_Options::sanitize( $input + array( '__checkboxes' => '1' ) );
	}

	/** @return string[] the codes of the settings errors raised so far */
	private function errorCodes(): array {
		return array_map(
			static function ( $error ) {
				return $error['code'];
			},
			get_settings_errors( Native_SMTP_Options::OPTION )
		);
	}

	public function test_each_preset_fills_host_port_encryption_and_its_username_rule(): void {
		$expected = array(
			'gmail'     => array( 'smtp.gmail.com', 587, 'tls' ),
			'microsoft' => array( 'smtp.office365.com', 587, 'tls' ),
			'ses'       => array( 'email-smtp.us-east-1.amazonaws.com', 587, 'tls' ),
			'sendgrid'  => array( 'smtp.sendgrid.net', 587, 'tls' ),
			'mailgun'   => array( 'smtp.mailgun.org', 587, 'tls' ),
			'brevo'     => array( 'smtp-relay.brevo.com', 587, 'tls' ),
			'postmark'  => array( 'smtp.postmarkapp.com', 587, 'tls' ),
			'smtp2go'   => array( 'mail.smtp2go.com', 587, 'tls' ),
			'mailjet'   => array( 'in-v3.mailjet.com', 587, 'tls' ),
			'zoho'      => array( 'smtp.zoho.com', 465, 'ssl' ),
			'yahoo'     => array( 'smtp.mail.yahoo.com', 465, 'ssl' ),
		);
		$this->assertSame( array_merge( array( 'other' ), array_keys( $expected ) ), array_keys( Native_SMTP_Presets::presets() ), 'the Mailer choices, in order' );
		update_option( Native_SMTP_Options::OPTION, Native_SMTP_Options::defaults() );
		foreach ( $expected as $slug => list( $host, $port, $encryption ) ) {
			// What a browser without JavaScript posts: the old host, port and encryption.
			$clean = $this->sanitize(
				array(
					'preset'     => $slug,
					'host'       => 'old.example.net',
					'port'       => '2525',
					'encryption' => 'none',
					'auth'       => '',
					'username'   => 'me@example.com',
				)
			);
			$this->assertSame( $slug, $clean['preset'] );
			$this->assertSame( $host, $clean['host'], $slug );
			$this->assertSame( $port, $clean['port'], $slug );
			$this->assertSame( $encryption, $clean['encryption'], $slug );
			$this->assertTrue( $clean['auth'], $slug . ': a provider always needs a login' );
			$this->assertSame( array(), $this->errorCodes(), $slug . ': ' . wp_json_encode( get_settings_errors( Native_SMTP_Options::OPTION ) ) );
			$credentials = Native_SMTP_Presets::get( $slug )['credentials'];
			$this->assertCount( 2, $credentials, $slug . ': two lines on where the credentials come from' );
		}

		// Regions: Amazon SES, Mailgun (US/EU), Zoho.
		$clean = $this->sanitize( array( 'preset' => 'ses', 'preset_regions' => array( 'ses' => 'eu-west-1', 'zoho' => 'smtp.zoho.eu' ) ) );
		$this->assertSame( 'email-smtp.eu-west-1.amazonaws.com', $clean['host'] );
		$this->assertSame( 'eu-west-1', $clean['preset_region'] );
		$clean = $this->sanitize( array( 'preset' => 'mailgun', 'preset_regions' => array( 'mailgun' => 'smtp.eu.mailgun.org' ) ) );
		$this->assertSame( 'smtp.eu.mailgun.org', $clean['host'] );
		$clean = $this->sanitize( array( 'preset' => 'zoho', 'preset_region' => 'smtp.zoho.in' ) );
		$this->assertSame( 'smtp.zoho.in', $clean['host'] );

		// Username rules: SendGrid's literal "apikey"; Postmark's token sent as both.
		$clean = $this->sanitize( array( 'preset' => 'sendgrid', 'username' => 'someone', 'password' => 'SG.key' ) );
		$this->assertSame( 'apikey', $clean['username'] );
		update_option( Native_SMTP_Options::OPTION, $clean );
		$config = Native_SMTP_Connections::config( Native_SMTP_Options::all() );
		$this->assertSame( array( 'apikey', 'SG.key' ), array( $config['username'], $config['password'] ) );

		$clean = $this->sanitize( array( 'preset' => 'postmark', 'username' => 'someone', 'password' => 'pm-server-token' ) );
		$this->assertSame( '', $clean['username'], 'the token is not stored a second time in plain text' );
		$this->assertStringStartsWith( Native_SMTP_Options::CIPHER_PREFIX, $clean['password'] );
		update_option( Native_SMTP_Options::OPTION, $clean );
		$this->assertTrue( Native_SMTP_Options::is_complete(), 'Postmark with a token is complete without a username' );
		$config = Native_SMTP_Connections::config( Native_SMTP_Options::all() );
		$this->assertSame( array( 'pm-server-token', 'pm-server-token' ), array( $config['username'], $config['password'] ) );

		// Other SMTP keeps what the admin typed.
		$clean = $this->sanitize( array( 'preset' => 'other', 'host' => 'mail.example.org', 'port' => '2525', 'encryption' => 'ssl', 'username' => 'u' ) );
		$this->assertSame( array( 'other', 'mail.example.org', 2525, 'ssl', 'u' ), array( $clean['preset'], $clean['host'], $clean['port'], $clean['encryption'], $clean['username'] ) );
	}

	public function test_hostile_or_unknown_choices_are_refused_with_a_settings_error(): void {
		update_option( Native_SMTP_Options::OPTION, array_merge( Native_SMTP_Options::defaults(), array( 'preset' => 'ses', 'preset_region' => 'eu-west-1', 'host' => 'email-smtp.eu-west-1.amazonaws.com' ) ) );
		$hostile = array(
			'unknown'          => array( 'preset' => 'hotmail' ),
			'markup'           => array( 'preset' => '<script>alert(1)</script>' ),
			'case'             => array( 'preset' => 'GMAIL' ),
			'array'            => array( 'preset' => array( 'gmail' ) ),
			'region unknown'   => array( 'preset' => 'ses', 'preset_regions' => array( 'ses' => 'mars-north-1' ) ),
			'region injection' => array( 'preset' => 'ses', 'preset_regions' => array( 'ses' => 'evil.example/' ) ),
			'region of zoho'   => array( 'preset' => 'mailgun', 'preset_regions' => array( 'mailgun' => 'smtp.zoho.eu' ) ),
			'region array'     => array( 'preset' => 'zoho', 'preset_region' => array( 'smtp.zoho.eu' ) ),
		);
		foreach ( $hostile as $what => $input ) {
			$GLOBALS['wp_settings_errors'] = array();
			$clean                         = $this->sanitize( $input + array( 'host' => 'evil.example' ) );
			$codes                         = $this->errorCodes();
			$this->assertNotEmpty( array_intersect( array( 'native_smtp_preset', 'native_smtp_preset_region' ), $codes ), $what . ': ' . wp_json_encode( $codes ) );
			$this->assertSame( 'ses', $clean['preset'], $what . ': the previous choice stays' );
			$this->assertSame( 'eu-west-1', $clean['preset_region'], $what );
			$this->assertSame( 'email-smtp.eu-west-1.amazonaws.com', $clean['host'], $what . ': the stored choice still decides the relay, not the posted host' );
			$messages = implode( ' ', wp_list_pluck( get_settings_errors( Native_SMTP_Options::OPTION ), 'message' ) );
			$this->assertStringContainsString( 'previous choice was kept', $messages, $what );
		}
		// A host posted without a choice does not replace the stored provider's.
		$GLOBALS['wp_settings_errors'] = array();
		$clean                         = $this->sanitize( array( 'host' => 'evil.example', 'port' => '25', 'encryption' => 'ssl' ) );
		$this->assertSame( array( 'ses', 'email-smtp.eu-west-1.amazonaws.com', 587, 'tls' ), array( $clean['preset'], $clean['host'], $clean['port'], $clean['encryption'] ) );
		// A preset wins over a host posted next to it: the relay is the provider's.
		$GLOBALS['wp_settings_errors'] = array();
		$clean                         = $this->sanitize( array( 'preset' => 'gmail', 'host' => 'evil.example', 'port' => '25' ) );
		$this->assertSame( array( 'smtp.gmail.com', 587 ), array( $clean['host'], $clean['port'] ) );
		$this->assertSame( array(), $this->errorCodes() );
	}

	public function test_the_settings_page_shows_the_mailer_choice_regions_and_credentials_help_without_javascript(): void {
		wp_set_current_user( (int) get_user_by( 'login', getenv( 'WP_ADMIN_USER' ) )->ID );
		update_option( Native_SMTP_Options::OPTION, $this->sanitize( array( 'preset' => 'sendgrid', 'password' => 'SG.secret-key' ) ) );
		$hooked = array();
		$this->addFilter(
			'native_smtp_mailer_fields',
			static function ( $preset, $context ) use ( &$hooked ) {
				$hooked[] = array( $preset, $context );
				echo '<div id="oauth-connect-placeholder"></div>';
			},
			10,
			2
		);
		Native_SMTP_Admin::register_settings();
		ob_start();
		Native_SMTP_Admin::render_page();
		$html = (string) ob_get_clean();
		$this->assertMatchesRegularExpression( '/<select id="native-smtp-preset" name="native_smtp_options\[preset\]"/', $html );
		$this->assertLessThan( strpos( $html, 'id="native-smtp-host"' ), strpos( $html, 'id="native-smtp-preset"' ), 'the Mailer comes before the SMTP fields' );
		$this->assertStringContainsString( '<option value="sendgrid" selected=\'selected\'>SendGrid</option>', $html );
		foreach ( array( 'ses', 'mailgun', 'zoho' ) as $slug ) {
			$this->assertStringContainsString( 'name="native_smtp_options[preset_regions][' . $slug . ']"', $html, 'a region list per provider, usable without JavaScript' );
		}
		$this->assertStringContainsString( 'SendGrid, Settings, API Keys, Create API Key (Mail Send)', $html, 'where to get the credentials' );
		$this->assertStringContainsString( 'value="apikey"', $html );
		$this->assertSame( array( array( 'sendgrid', 'site' ) ), $hooked, 'native_smtp_mailer_fields fires under the Mailer choice' );
		$this->assertStringContainsString( 'id="oauth-connect-placeholder"', $html );
		$this->assertStringNotContainsString( 'SG.secret-key', $html );
		$this->assertStringContainsString( 'id="native-smtp-backup-enabled"', $html, 'the backup connection row' );
	}

	/**
	 * Each provider's well-known refusal, from a real server the preset points at.
	 *
	 * @return array<string, array{0: string, 1: array, 2: string, 3: string}>
	 */
	public function refusals(): array {
		return array(
			'Gmail 534 5.7.9 app password'        => array( 'gmail', array( 'reply' => array( 'AUTH' => '534 5.7.9 Application-specific password required. Learn more at https://support.google.com/mail/?p=InvalidSecondFactor' ) ), 'Gmail / Google Workspace: Google wants an app password', 'Smtp\AuthenticationException' ),
			'Microsoft 535 5.7.139 tenant'        => array( 'microsoft', array( 'reply' => array( 'AUTH' => '535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information.' ) ), 'Microsoft 365 / Outlook: Microsoft has SMTP AUTH turned off', 'Smtp\AuthenticationException' ),
			'Microsoft 535 5.7.3'                 => array( 'microsoft', array( 'reply' => array( 'AUTH' => '535 5.7.3 Authentication unsuccessful' ) ), 'Microsoft 365 / Outlook: Microsoft refused the login: either the password is wrong, or SMTP AUTH is turned off', 'Smtp\AuthenticationException' ),
			'SES 554 not verified (sandbox)'      => array( 'ses', array( 'data_reply' => '554 Message rejected: Email address is not verified. The following identities failed the check in region EU-WEST-1: site@wpe2e.test' ), 'Amazon SES: Amazon SES is in its sandbox', '' ),
			'SendGrid 550 sender identity'        => array( 'sendgrid', array( 'reply' => array( 'MAIL' => '550 The from address does not match a verified Sender Identity. Mail cannot be sent until this error is resolved.' ) ), 'SendGrid: SendGrid sends only from a verified sender', '' ),
			'any relay 553 sender not owned'      => array( 'other', array( 'reply' => array( 'MAIL' => '553 5.7.1 <site@wpe2e.test>: Sender address rejected: not owned by user me@example.test' ) ), 'The relay refused the From address', '' ),
			'Microsoft 550 5.7.60 SendAsDenied'   => array( 'microsoft', array( 'data_reply' => '550 5.7.60 SMTP; Client does not have permissions to send as this sender' ), 'Microsoft 365 / Outlook: Microsoft refused to send as the From address', '' ),
		);
	}

	/**
	 * @dataProvider refusals
	 */
	public function test_send_test_shows_the_providers_hint_for_its_refusal( string $preset, array $fault, string $hint, string $class ): void {
		$this->requireExtension();
		// SendGrid's preset logs in as "apikey" whatever the form said.
		$user   = 'sendgrid' === $preset ? 'apikey' : 'me@example.test';
		$server = SmtpTestServer::start(
			array(
				'tls'   => 'starttls',
				'auth'  => $user . ':app-secret',
				'fault' => $fault,
			)
		);
		$this->pointPresetsAt( $server->port );
		$input = array(
			'preset'     => $preset,
			'username'   => 'me@example.test',
			'password'   => 'app-secret',
			'from_email' => 'site@wpe2e.test',
			'queue'      => '',
		);
		if ( 'other' === $preset ) {
			$input += array( 'host' => '127.0.0.1', 'port' => (string) $server->port, 'encryption' => 'tls', 'auth' => '1' );
		} else {
			$input['auth'] = '1';
		}
		$clean = $this->sanitize( $input );
		$this->assertSame( array(), $this->errorCodes(), wp_json_encode( get_settings_errors( Native_SMTP_Options::OPTION ) ) );
		update_option( Native_SMTP_Options::OPTION, $clean );
		$this->assertSame( array( '127.0.0.1', $server->port ), array( Native_SMTP_Options::get( 'host' ), Native_SMTP_Options::get( 'port' ) ) );

		wp_set_current_user( (int) get_user_by( 'login', getenv( 'WP_ADMIN_USER' ) )->ID );
		$result = Native_SMTP_Admin::send_test( 'ann@example.test', 'plain' );
		$this->assertFalse( $result['ok'], wp_json_encode( $result ) );
		if ( '' !== $class ) {
			$this->assertSame( $class, $result['class'] );
		}
		// The Send Test tab as the admin sees it after the redirect.
		$result['to'] = 'ann@example.test';
		set_transient( 'native_smtp_test_result_' . get_current_user_id(), $result, 60 );
		$_GET['tab'] = 'test';
		ob_start();
		Native_SMTP_Admin::render_page();
		$html = (string) ob_get_clean();
		$this->assertMatchesRegularExpression( '/<p id="native-smtp-test-hint"><strong>Hint:<\/strong> ([^<]*)<\/p>/', $html );
		preg_match( '/<p id="native-smtp-test-hint"><strong>Hint:<\/strong> ([^<]*)<\/p>/', $html, $m );
		$this->assertStringStartsWith( esc_html( $hint ), $m[1], 'reply: ' . $result['error'] );
		$this->assertStringNotContainsString( 'app-secret', $html, 'the password never reaches the page' );

		// The same reply through a relay of another provider gets no provider's hint.
		if ( 'other' !== $preset ) {
			update_option( Native_SMTP_Options::OPTION, array_merge( $clean, array( 'preset' => 'other', 'host' => '127.0.0.2' ) ) );
			$this->assertStringNotContainsString( Native_SMTP_Presets::get( $preset )['label'] . ':', (string) apply_filters( 'native_smtp_test_provider_hint', 'generic', $result ) );
		}
	}

	public function test_other_smtp_with_a_providers_host_gets_that_providers_hints(): void {
		update_option( Native_SMTP_Options::OPTION, array_merge( Native_SMTP_Options::defaults(), array( 'preset' => 'other', 'host' => 'SMTP.Gmail.com' ) ) );
		$this->assertSame( 'gmail', Native_SMTP_Refusals::provider() );
		$hint = apply_filters( 'native_smtp_test_provider_hint', 'generic', array( 'ok' => false, 'code' => 534, 'enhanced' => '5.7.9', 'reply' => 'Authentication failed: 534 5.7.9 Application-specific password required.' ) );
		$this->assertStringStartsWith( 'Gmail / Google Workspace: Google wants an app password', $hint );
		$this->assertSame( 'generic', apply_filters( 'native_smtp_test_provider_hint', 'generic', array( 'ok' => false, 'code' => 451, 'enhanced' => '4.3.0', 'reply' => '451 4.3.0 try later' ) ), 'no row: the generic hint stays' );
	}

	/** Points every provider preset at a loopback server (the filter a private relay would use too). */
	private function pointPresetsAt( int $port ): void {
		$this->addFilter(
			'native_smtp_presets',
			static function ( $presets ) use ( $port ) {
				foreach ( $presets as $slug => &$preset ) {
					if ( 'other' !== $slug ) {
						$preset['host']       = '127.0.0.1';
						$preset['regions']    = array();
						$preset['port']       = $port;
						$preset['encryption'] = 'tls';
					}
				}
				return $presets;
			}
		);
	}

	/**
	 * The person's path in Chromium: pick Gmail, fill the login, save, Send Test, read Google's
	 * hint. The rig's web server sees the loopback server through a mu-plugin using the same
	 * native_smtp_presets filter.
	 */
	public function test_e2e_pick_a_preset_fill_send_test_and_see_the_providers_hint(): void {
		$this->requireExtension();
		$server = SmtpTestServer::start(
			array(
				'tls'   => 'starttls',
				'auth'  => 'me@example.test:app-secret',
				'fault' => array( 'reply' => array( 'AUTH' => '534 5.7.9 Application-specific password required. Learn more at https://support.google.com/mail/?p=InvalidSecondFactor' ) ),
			)
		);
		update_option( Native_SMTP_Options::OPTION, array_merge( Native_SMTP_Options::defaults(), array( 'from_email' => 'site@wpe2e.test', 'queue' => false ) ) );
		$dir = WP_CONTENT_DIR . '/mu-plugins';
		if ( ! is_dir( $dir ) ) {
			mkdir( $dir, 0755 );
		}
		$this->mu_plugin = $dir . '/native-smtp-e2e-presets.php';
		file_put_contents(
			$this->mu_plugin,
			"<?php\n// Written by PresetsTest for one e2e run, then removed: Gmail's preset points at a loopback test server.\n"
			. "add_filter( 'native_smtp_presets', static function ( \$p ) { \$p['gmail']['host'] = '127.0.0.1'; \$p['gmail']['port'] = " . (int) $server->port . "; return \$p; } );\n"
		);
		$out = shell_exec( 'cd ' . escapeshellarg( dirname( __DIR__ ) ) . ' && node e2e/presets.e2e.js 2>&1' );
		$this->assertMatchesRegularExpression( '/^e2e: [1-9]\d* passed, 0 failed$/m', (string) $out, (string) $out );
		$sessions = $server->sessions();
		$this->assertNotEmpty( $sessions, 'the web server talked to the test server' );
	}
}

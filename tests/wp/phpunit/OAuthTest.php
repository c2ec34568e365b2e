<?php
/**
 * Issue 15 in the plugin: Connect to Microsoft 365 / Google with the authorization code flow, PKCE
 * and a checked state, against the rig's real authorization server (tests/oauth-server,
 * oidc-provider; scripts/wp-up.sh points the providers at it and at the capture server, which
 * checks every XOAUTH2 token there). Forged, replayed, foreign and unauthorised answers are
 * refused; tokens are stored encrypted, a rotated refresh token is stored, Disconnect revokes and
 * forgets; a revoked consent shows as a broken connection; a token endpoint that is down queues.
 */

defined( 'ABSPATH' ) || exit;

final class OAuthTest extends NativeSmtpTestCase {

	/** @var mixed */
	private $saved_oauth;

	/** @var array<int, array{0: string, 1: callable, 2: int}> */
	private $filters = array();

	/** @var int[] */
	private $users = array();

	/** @var string[] token responses seen at the token endpoint (to know the plain refresh tokens) */
	private $token_answers = array();

	protected function setUp(): void {
		parent::setUp();
		$this->requireExtension();
		$this->saved_oauth = get_option( Native_SMTP_OAuth::OPTION, null );
		delete_option( Native_SMTP_OAuth::OPTION );
		$this->addFilter(
			'http_response',
			function ( $response, $args, $url ) {
				if ( 0 === strpos( $url, getenv( 'OAUTH_ISSUER' ) . '/token' ) ) {
					$this->token_answers[] = (string) wp_remote_retrieve_body( $response );
				}
				return $response;
			},
			10,
			3
		);
	}

	protected function tearDown(): void {
		foreach ( $this->filters as list( $name, $callback, $priority ) ) {
			remove_filter( $name, $callback, $priority );
		}
		if ( null === $this->saved_oauth ) {
			delete_option( Native_SMTP_OAuth::OPTION );
		} else {
			update_option( Native_SMTP_OAuth::OPTION, $this->saved_oauth, false );
		}
		unset( $_POST['_wpnonce'], $_REQUEST['_wpnonce'], $_POST['provider'], $_POST['client_id'], $_POST['client_secret'], $_POST['do'] );
		wp_set_current_user( 0 );
		require_once ABSPATH . 'wp-admin/includes/user.php';
		foreach ( $this->users as $id ) {
			wp_delete_user( $id );
		}
		parent::tearDown();
	}

	private function addFilter( string $name, callable $callback, int $priority = 10, int $args = 1 ): void {
		add_filter( $name, $callback, $priority, $args );
		$this->filters[] = array( $name, $callback, $priority );
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

	private function user( string $role ): int {
		$id            = wp_insert_user(
			array(
				'user_login' => 'oauth-' . $role . '-' . bin2hex( random_bytes( 4 ) ),
				'user_pass'  => wp_generate_password( 24 ),
				'role'       => $role,
			)
		);
		$this->users[] = $id;
		return $id;
	}

	/** The client settings an admin pasted (the rig's client wp-plugin). */
	private function pasteClient( string $provider = 'google' ): void {
		$creds                  = Native_SMTP_OAuth::creds( $provider );
		$creds['client_id']     = getenv( 'OAUTH_CLIENT_ID' );
		$creds['client_secret'] = Native_SMTP_Crypto::encrypt( getenv( 'OAUTH_CLIENT_SECRET' ) );
		Native_SMTP_OAuth::save_creds( $provider, $creds );
	}

	/** The browser's part at the authorization server: sign in as $login, consent; the callback URL's query. */
	private function consent( string $authorization_url, string $login = 'wpuser@wpe2e.test' ): array {
		$script = dirname( __DIR__, 2 ) . '/oauth-server/authorize.mjs';
		exec( 'node ' . escapeshellarg( $script ) . ' --follow ' . escapeshellarg( $authorization_url ) . ' ' . escapeshellarg( $login ) . ' 2>&1', $out, $status );
		$this->assertSame( 0, $status, implode( "\n", $out ) );
		$callback = implode( '', $out );
		$this->assertStringStartsWith( Native_SMTP_OAuth::redirect_uri() . '?', $callback, 'the server sends the browser back to the plugin\'s redirect URI' );
		parse_str( (string) wp_parse_url( $callback, PHP_URL_QUERY ), $query );
		return $query;
	}

	/** Connect as an administrator, start to end; returns the plain refresh token the server issued. */
	private function connect( string $provider = 'google', string $login = 'wpuser@wpe2e.test' ): string {
		$admin = $this->user( 'administrator' );
		wp_set_current_user( $admin );
		$this->pasteClient( $provider );
		$url = Native_SMTP_OAuth::begin( $provider );
		$this->assertIsString( $url );
		$result = Native_SMTP_OAuth::complete( $this->consent( $url, $login ) );
		$this->assertSame( $provider, $result, is_wp_error( $result ) ? $result->get_error_message() : '' );
		$answer = json_decode( (string) end( $this->token_answers ), true );
		$this->assertIsArray( $answer );
		$this->assertNotEmpty( $answer['refresh_token'] );
		return $answer['refresh_token'];
	}

	/** Every stored option value that contains $needle (it must be none for a secret). */
	private function optionsContaining( string $needle ): array {
		global $wpdb;
		return $wpdb->get_col( $wpdb->prepare( "SELECT option_name FROM {$wpdb->options} WHERE option_value LIKE %s", '%' . $wpdb->esc_like( $needle ) . '%' ) ); // phpcs:ignore WordPress.DB.DirectDatabaseQuery
	}

	private function revoke( string $refresh_token ): void {
		$answer = wp_remote_post(
			getenv( 'OAUTH_ISSUER' ) . '/token/revocation',
			array(
				'body' => array(
					'token'         => $refresh_token,
					'client_id'     => getenv( 'OAUTH_CLIENT_ID' ),
					'client_secret' => getenv( 'OAUTH_CLIENT_SECRET' ),
				),
			)
		);
		$this->assertSame( 200, wp_remote_retrieve_response_code( $answer ) );
	}

	public function test_the_providers_default_to_microsoft_and_google_and_fill_in_the_server(): void {
		$this->assertSame( 10, has_filter( 'native_smtp_oauth_provider', 'native_smtp_rig_oauth_provider' ), 'the rig points the providers at its own servers' );
		remove_filter( 'native_smtp_oauth_provider', 'native_smtp_rig_oauth_provider' );
		try {
			$ms = Native_SMTP_OAuth::provider( 'microsoft', array( 'tenant' => 'contoso.onmicrosoft.com' ) );
			$this->assertSame( 'https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/authorize', $ms['authorize_url'] );
			$this->assertSame( 'https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token', $ms['token_url'] );
			$this->assertSame( 'https://outlook.office.com/SMTP.Send offline_access', $ms['send_scope'] );
			$this->assertSame( array( 'smtp.office365.com', 587, 'starttls' ), array( $ms['host'], $ms['port'], $ms['encryption'] ) );
			$this->assertStringContainsString( '/common/', Native_SMTP_OAuth::provider( 'microsoft' )['token_url'], 'no tenant: common' );
			$google = Native_SMTP_OAuth::provider( 'google' );
			$this->assertSame( 'https://accounts.google.com/o/oauth2/v2/auth', $google['authorize_url'] );
			$this->assertSame( 'https://oauth2.googleapis.com/token', $google['token_url'] );
			$this->assertSame( 'https://mail.google.com/', $google['send_scope'] );
			$this->assertSame( array( 'smtp.gmail.com', 587, 'starttls' ), array( $google['host'], $google['port'], $google['encryption'] ) );
			$this->assertSame( 'offline', $google['authorize_params']['access_type'] );
			$this->assertNull( Native_SMTP_OAuth::provider( 'yahoo' ) );
		} finally {
			add_filter( 'native_smtp_oauth_provider', 'native_smtp_rig_oauth_provider' );
		}
		$types = Native_SMTP_Connections::types();
		$this->assertSame( array( 'smtp', 'microsoft', 'google' ), array_keys( $types ) );
		$this->assertSame( 'Other SMTP', $types['smtp']['label'] );
		$this->assertSame( 'connection', $types['smtp']['fields'][0], 'the type selector is shown for Other SMTP too' );
	}

	public function test_connect_uses_pkce_s256_and_stores_every_secret_encrypted_then_sends_over_xoauth2(): void {
		$admin = $this->user( 'administrator' );
		wp_set_current_user( $admin );
		$this->pasteClient();
		$url = Native_SMTP_OAuth::begin( 'google' );
		parse_str( (string) wp_parse_url( $url, PHP_URL_QUERY ), $params );
		$this->assertSame( 'S256', $params['code_challenge_method'] );
		$this->assertMatchesRegularExpression( '/^[A-Za-z0-9_-]{43}$/', $params['code_challenge'], 'a SHA-256 in base64url' );
		$this->assertMatchesRegularExpression( '/^[A-Za-z0-9_-]{43}$/', $params['state'], '32 random bytes' );
		$this->assertSame( Native_SMTP_OAuth::redirect_uri(), $params['redirect_uri'] );
		$this->assertSame( admin_url( 'admin-post.php' ), $params['redirect_uri'], 'no query: providers compare redirect URIs exactly' );
		$this->assertSame( array(), $this->optionsContaining( $params['state'] ), 'the state is stored only as a hash' );

		$result = Native_SMTP_OAuth::complete( $this->consent( $url ) );
		$this->assertSame( 'google', $result, is_wp_error( $result ) ? $result->get_error_message() : '' );
		$answer  = json_decode( (string) end( $this->token_answers ), true );
		$refresh = $answer['refresh_token'];
		$creds   = Native_SMTP_OAuth::creds( 'google' );
		$this->assertSame( 'wpuser@wpe2e.test', $creds['mailbox'], 'connected as the mailbox that signed in' );
		$this->assertSame( 'google', Native_SMTP_Options::get( 'connection' ) );
		$this->assertTrue( Native_SMTP_Transport::is_active() );
		$this->assertStringStartsWith( Native_SMTP_Crypto::PREFIX_V2, $creds['refresh_token'] );
		$this->assertSame( $refresh, Native_SMTP_Crypto::decrypt( $creds['refresh_token'] ) );
		$this->assertSame( array(), $this->optionsContaining( $refresh ), 'the refresh token is in no option in clear' );
		$this->assertSame( array(), $this->optionsContaining( getenv( 'OAUTH_CLIENT_SECRET' ) ), 'nor the client secret' );
		$this->assertSame( array(), $this->optionsContaining( $answer['access_token'] ), 'nor the access token' );

		$subject = $this->uniqueSubject( 'oauth xoauth2' );
		$this->assertTrue( Native_SMTP_Transport::without_spool( fn() => wp_mail( 'ann@example.test', $subject, 'over OAuth' ) ) );
		$this->assertContains( 'C: AUTH XOAUTH2 ***', Native_SMTP_Transport::last_transcript() );
		$captured = $this->captured( $subject );
		$this->assertNotNull( $captured );
		$this->assertSame( 'wpuser@wpe2e.test', $captured['meta']['auth_user'], 'the capture server accepted the token after asking the authorization server' );
		$config = Native_SMTP_Transport::config();
		$this->assertSame( array( '127.0.0.1', (int) getenv( 'SMTP_CAPTURE_PORT' ), 'starttls', 'xoauth2' ), array( $config['host'], $config['port'], $config['encryption'], $config['auth'] ) );
		foreach ( array_merge( Native_SMTP_Transport::last_transcript(), $this->logRows( $subject ) ) as $line ) {
			$text = is_string( $line ) ? $line : wp_json_encode( $line );
			$this->assertStringNotContainsString( $refresh, $text );
			$this->assertStringNotContainsString( getenv( 'OAUTH_CLIENT_SECRET' ), $text );
		}
	}

	public function test_a_rotated_refresh_token_is_stored_encrypted(): void {
		$first = $this->connect();
		$this->token_answers = array();
		// The extension runs the refresh token grant (a refresh token the process has not seen:
		// nothing cached); the server rotates the token and the plugin stores the new one.
		$this->assertTrue( Native_SMTP_Transport::without_spool( fn() => wp_mail( 'ann@example.test', $this->uniqueSubject( 'rotation' ), 'x' ) ) );
		$stored = Native_SMTP_Crypto::decrypt( Native_SMTP_OAuth::creds( 'google' )['refresh_token'] );
		$this->assertNotSame( '', $stored );
		$this->assertNotSame( $first, $stored, 'the rotated refresh token replaced the first' );
		$this->assertSame( array(), $this->optionsContaining( $stored ), 'stored encrypted' );
		// The stored one is the one that works: the old one was retired by the rotation.
		$grant = static function ( $token ) {
			return wp_remote_post(
				getenv( 'OAUTH_ISSUER' ) . '/token',
				array(
					'body' => array(
						'grant_type'    => 'refresh_token',
						'refresh_token' => $token,
						'client_id'     => getenv( 'OAUTH_CLIENT_ID' ),
						'client_secret' => getenv( 'OAUTH_CLIENT_SECRET' ),
					),
				)
			);
		};
		$this->assertSame( 400, wp_remote_retrieve_response_code( $grant( $first ) ) );
	}

	public function test_a_forged_state_is_refused(): void {
		$this->connect();
		$before = Native_SMTP_OAuth::creds( 'google' );
		$forged = Native_SMTP_OAuth::complete(
			array(
				'state' => rtrim( strtr( base64_encode( random_bytes( 32 ) ), '+/', '-_' ), '=' ),
				'code'  => 'attacker-code',
			)
		);
		$this->assertWPError( $forged, 'native_smtp_oauth_state' );
		$this->assertWPError( Native_SMTP_OAuth::complete( array( 'code' => 'attacker-code' ) ), 'native_smtp_oauth_state' );
		$this->assertWPError( Native_SMTP_OAuth::complete( array( 'state' => str_repeat( 'a', 500 ) ) ), 'native_smtp_oauth_state' );
		$this->assertSame( $before, Native_SMTP_OAuth::creds( 'google' ), 'nothing changed' );
		$this->assertSame( 1, count( $this->token_answers ), 'no code was sent to the token endpoint' );
	}

	public function test_a_replayed_answer_is_refused(): void {
		$admin = $this->user( 'administrator' );
		wp_set_current_user( $admin );
		$this->pasteClient();
		$query = $this->consent( Native_SMTP_OAuth::begin( 'google' ) );
		$this->assertSame( 'google', Native_SMTP_OAuth::complete( $query ) );
		$replayed = Native_SMTP_OAuth::complete( $query );
		$this->assertWPError( $replayed, 'native_smtp_oauth_state' );
		$this->assertStringContainsString( 'already used', $replayed->get_error_message() );
		$this->assertSame( 1, count( $this->token_answers ), 'the replay never reached the token endpoint' );
	}

	public function test_an_answer_for_another_user_or_without_the_capability_is_refused(): void {
		$admin = $this->user( 'administrator' );
		wp_set_current_user( $admin );
		$this->pasteClient();
		// Another administrator's browser delivers this admin's answer (login CSRF): refused.
		$query = $this->consent( Native_SMTP_OAuth::begin( 'google' ) );
		wp_set_current_user( $this->user( 'administrator' ) );
		$this->assertWPError( Native_SMTP_OAuth::complete( $query ), 'native_smtp_oauth_state' );
		// ...and it was used up: not even its owner can complete it now.
		wp_set_current_user( $admin );
		$this->assertWPError( Native_SMTP_OAuth::complete( $query ), 'native_smtp_oauth_state' );

		// The admin lost the capability between Connect and the answer.
		$query = $this->consent( Native_SMTP_OAuth::begin( 'google' ) );
		( new WP_User( $admin ) )->set_role( 'editor' );
		wp_set_current_user( 0 ); // as the next request would: the user loaded afresh
		wp_set_current_user( $admin );
		$this->assertWPError( Native_SMTP_OAuth::complete( $query ), 'native_smtp_oauth_forbidden' );

		// A user without it cannot start.
		wp_set_current_user( $this->user( 'editor' ) );
		$this->assertWPError( Native_SMTP_OAuth::begin( 'google' ), 'native_smtp_oauth_forbidden' );
		$this->assertSame( 0, count( $this->token_answers ), 'no code was ever exchanged' );
		$this->assertFalse( Native_SMTP_OAuth::is_connected( 'google' ) );

		// Nor through the form handler, and the callback handler stops them with 403.
		$this->catchExits();
		$_POST['_wpnonce']    = wp_create_nonce( Native_SMTP_OAuth_Admin::ACTION );
		$_REQUEST['_wpnonce'] = $_POST['_wpnonce'];
		$_POST['provider']    = 'google';
		try {
			Native_SMTP_OAuth_Admin::handle_form();
			$this->fail( 'an editor connected the mail account' );
		} catch ( RuntimeException $e ) {
			$this->assertStringStartsWith( 'wp_die: Sorry, you are not allowed', $e->getMessage() );
		}
	}

	public function test_the_form_checks_its_nonce_and_a_tampered_verifier_fails_at_the_server(): void {
		$admin = $this->user( 'administrator' );
		wp_set_current_user( $admin );
		$this->catchExits();
		$_POST['provider']      = 'google';
		$_POST['client_id']     = getenv( 'OAUTH_CLIENT_ID' );
		$_POST['client_secret'] = getenv( 'OAUTH_CLIENT_SECRET' );
		$_POST['_wpnonce']      = wp_create_nonce( 'some_other_action' );
		$_REQUEST['_wpnonce']   = $_POST['_wpnonce'];
		try {
			Native_SMTP_OAuth_Admin::handle_form();
			$this->fail( 'a wrong nonce was accepted' );
		} catch ( RuntimeException $e ) {
			$this->assertStringStartsWith( 'wp_die: ', $e->getMessage() );
		}
		$this->assertSame( '', Native_SMTP_OAuth::creds( 'google' )['client_id'], 'nothing was saved' );

		// The right nonce: the client settings are saved (the secret encrypted) and the browser goes to the provider.
		$_POST['_wpnonce']    = wp_create_nonce( Native_SMTP_OAuth_Admin::ACTION );
		$_REQUEST['_wpnonce'] = $_POST['_wpnonce'];
		try {
			Native_SMTP_OAuth_Admin::handle_form();
			$this->fail( 'no redirect' );
		} catch ( RuntimeException $e ) {
			$this->assertStringStartsWith( 'redirect: ' . getenv( 'OAUTH_ISSUER' ) . '/auth?', $e->getMessage() );
			$location = substr( $e->getMessage(), strlen( 'redirect: ' ) );
		}
		$this->assertSame( getenv( 'OAUTH_CLIENT_SECRET' ), Native_SMTP_Crypto::decrypt( Native_SMTP_OAuth::creds( 'google' )['client_secret'] ) );
		$this->assertSame( array(), $this->optionsContaining( getenv( 'OAUTH_CLIENT_SECRET' ) ) );

		// PKCE is what binds the code to this flow: with another verifier the server refuses the code.
		$query = $this->consent( $location );
		$key   = Native_SMTP_OAuth::STATE_PREFIX . hash( 'sha256', $query['state'] );
		$state = get_transient( $key );
		$state['verifier'] = Native_SMTP_Crypto::encrypt( str_repeat( 'x', 64 ) );
		set_transient( $key, $state, 300 );
		$result = Native_SMTP_OAuth::complete( $query );
		$this->assertWPError( $result, 'native_smtp_oauth_token' );
		$this->assertStringContainsString( 'invalid_grant', $result->get_error_message() );
		$this->assertFalse( Native_SMTP_OAuth::is_connected( 'google' ) );
	}

	public function test_disconnect_revokes_and_forgets_the_secrets(): void {
		$refresh = $this->connect( 'microsoft' );
		$this->assertTrue( Native_SMTP_Transport::is_active() );
		Native_SMTP_OAuth::disconnect( 'microsoft' );
		$creds = Native_SMTP_OAuth::creds( 'microsoft' );
		$this->assertSame( array( '', '', '' ), array( $creds['refresh_token'], $creds['client_secret'], $creds['mailbox'] ) );
		$this->assertSame( getenv( 'OAUTH_CLIENT_ID' ), $creds['client_id'], 'the client ID stays, to connect again' );
		$this->assertFalse( Native_SMTP_Transport::is_active(), 'not connected: WordPress falls back to mail()' );
		// The refresh token was revoked at the server (where the provider has a revocation endpoint).
		$introspect = wp_remote_post(
			getenv( 'OAUTH_ISSUER' ) . '/token/introspection',
			array(
				'body' => array(
					'token'         => $refresh,
					'client_id'     => getenv( 'OAUTH_CLIENT_ID' ),
					'client_secret' => getenv( 'OAUTH_CLIENT_SECRET' ),
				),
			)
		);
		$this->assertFalse( json_decode( wp_remote_retrieve_body( $introspect ), true )['active'] );
	}

	public function test_revoked_consent_shows_as_a_broken_connection_with_how_to_reconnect(): void {
		$refresh = $this->connect();
		$this->revoke( $refresh );
		$failed = null;
		$this->addFilter(
			'wp_mail_failed',
			static function ( $error ) use ( &$failed ) {
				$failed = $error;
			}
		);
		$this->assertFalse( wp_mail( 'ann@example.test', $this->uniqueSubject( 'revoked' ), 'x' ), 'permanent: not queued' );
		$this->assertStringContainsString( 'invalid_grant', $failed->get_error_message() );
		$this->assertNull( Native_SMTP_Transport::last_queued() );
		$reason = Native_SMTP_OAuth::broken_reason();
		$this->assertStringContainsString( 'invalid_grant', $reason );

		// Send Test's hint, the admin notice and Site Health say so, and how to reconnect.
		$hint = Native_SMTP_Admin::hint_for( 535, 'Smtp\AuthenticationException', $failed->get_error_message() );
		$this->assertStringContainsString( 'Save and reconnect', $hint );
		wp_set_current_user( $this->user( 'administrator' ) );
		ob_start();
		Native_SMTP_OAuth_Admin::notices();
		$notice = ob_get_clean();
		$this->assertStringContainsString( 'id="native-smtp-oauth-broken"', $notice );
		$this->assertStringContainsString( 'Google / Gmail connection is broken', $notice );
		$this->assertStringNotContainsString( $refresh, $notice );
		$health = Native_SMTP_OAuth_Admin::run_site_health();
		$this->assertSame( 'critical', $health['status'] );
		$this->assertStringContainsString( 'reconnect', $health['description'] );

		// Connecting again mends it.
		$this->connect();
		$this->assertSame( '', Native_SMTP_OAuth::broken_reason() );
		$this->assertSame( 'good', Native_SMTP_OAuth_Admin::run_site_health()['status'] );
	}

	public function test_a_token_endpoint_that_is_down_queues_the_mail(): void {
		$this->connect();
		// Nothing listens there: a temporary failure (the extension's own rule), so the queue keeps the email.
		$closed = static function ( $definition ) {
			$definition['token_url'] = 'http://127.0.0.1:9/token';
			return $definition;
		};
		$this->addFilter( 'native_smtp_oauth_provider', $closed, 20 );
		Native_SMTP_Transport::reset_mailer();
		$this->assertTrue( Native_SMTP_Queue::enabled() );
		$subject = $this->uniqueSubject( 'token endpoint down' );
		$this->assertTrue( wp_mail( 'ann@example.test', $subject, 'x' ), 'wp_mail() succeeds: the email is queued' );
		$queued = Native_SMTP_Transport::last_queued();
		$this->assertNotNull( $queued );
		$this->assertStringContainsString( 'token endpoint', $queued['reason'] );
		$this->assertSame( '', Native_SMTP_OAuth::broken_reason(), 'an outage is not a broken connection' );
		// Once the endpoint answers again the queue delivers it.
		remove_filter( 'native_smtp_oauth_provider', $closed, 20 );
		Native_SMTP_Transport::reset_mailer();
		Native_SMTP_Queue::flush( true );
		$this->assertNotNull( $this->captured( $subject ) );
	}

	public function test_microsoft_app_only_mode_uses_client_credentials(): void {
		wp_set_current_user( $this->user( 'administrator' ) );
		$creds                  = Native_SMTP_OAuth::creds( 'microsoft' );
		$creds['client_id']     = 'smtp-app';
		$creds['client_secret'] = Native_SMTP_Crypto::encrypt( 'smtp-app-secret' );
		$creds['tenant']        = 'contoso.onmicrosoft.com';
		$creds['mode']          = 'app';
		$creds['mailbox']       = 'wpuser@wpe2e.test';
		Native_SMTP_OAuth::save_creds( 'microsoft', $creds );
		Native_SMTP_OAuth::use_connection( 'microsoft' );
		$this->assertTrue( Native_SMTP_OAuth::is_connected( 'microsoft' ), 'no consent needed' );
		$config = Native_SMTP_OAuth::mailer_config( 'microsoft' );
		$this->assertArrayNotHasKey( 'refresh_token', $config['oauth'] );
		$this->assertSame( 'smtp.send', $config['oauth']['scope'] );
		$subject = $this->uniqueSubject( 'app-only' );
		$this->assertTrue( Native_SMTP_Transport::without_spool( fn() => wp_mail( 'ann@example.test', $subject, 'x' ) ) );
		$this->assertNotNull( $this->captured( $subject ), 'a client credentials token the capture server accepted' );
	}

	public function test_a_chosen_provider_that_is_not_connected_falls_back_to_mail_and_says_connect(): void {
		$this->configureCapture();
		Native_SMTP_OAuth::use_connection( 'microsoft' );
		$this->assertSame( 'microsoft', Native_SMTP_Options::get( 'connection' ) );
		$this->assertSame( '127.0.0.1', Native_SMTP_Options::get( 'host' ), 'the Other SMTP settings are kept' );
		$this->assertFalse( Native_SMTP_Transport::is_active(), 'not connected: WordPress keeps mail()' );
		$health = Native_SMTP_OAuth_Admin::run_site_health();
		$this->assertSame( 'recommended', $health['status'] );
		$this->assertStringContainsString( 'Save and connect', $health['description'] );
		$this->assertStringContainsString( 'Save and connect', Native_SMTP_Site_Health::run()['description'], 'not "enter the SMTP Host"' );
		Native_SMTP_OAuth::use_connection( 'smtp' );
		$this->assertTrue( Native_SMTP_Transport::is_active() );
	}

	private function assertWPError( $value, string $code ): void {
		$this->assertInstanceOf( WP_Error::class, $value );
		$this->assertSame( $code, $value->get_error_code(), $value->get_error_message() );
	}
}

<?php
/**
 * OAuth 2.0 connections (Microsoft 365 / Outlook, Google / Gmail): the two connection types, the
 * authorization code flow with PKCE and a single-use state, the tokens' storage (encrypted like the
 * SMTP password) and the part of the Smtp\Mailer config that lets the extension fetch, cache and
 * refresh access tokens itself. The settings screen's part is Native_SMTP_OAuth_Admin.
 *
 * @package Native_SMTP
 */

defined( 'ABSPATH' ) || exit;

/**
 * The OAuth connection types and their stored credentials.
 */
class Native_SMTP_OAuth {

	/**
	 * Credentials per provider: provider => {client_id, client_secret (encrypted), tenant, mode
	 * (delegated | app), mailbox, refresh_token (encrypted), connected_at, broken, broken_at}. On
	 * multisite a network option (the connection is the network's), else a site option that is not
	 * autoloaded.
	 */
	const OPTION = 'native_smtp_oauth';

	/** Transient prefix of a pending authorization (keyed by a hash of its state). */
	const STATE_PREFIX = 'native_smtp_oauth_state_';

	/** How long a started authorization may take (the admin logs in and consents meanwhile). */
	const STATE_TTL = 900;

	/** Shown in the client secret field instead of the stored secret, which is never printed back. */
	const SECRET_PLACEHOLDER = '********';

	/**
	 * Hooks the connection types in (every request: the transport needs them too).
	 */
	public static function register_hooks() {
		add_filter( 'native_smtp_connection_types', array( __CLASS__, 'connection_types' ) );
		add_action( 'wp_mail_failed', array( __CLASS__, 'note_failure' ), 20 );
		add_action( 'wp_mail_succeeded', array( __CLASS__, 'note_success' ) );
	}

	/**
	 * The providers: endpoints, scope, the SMTP server and the login page's extra parameters.
	 * Filterable (native_smtp_oauth_provider) so tests and private deployments can point them at
	 * another authorization server.
	 *
	 * @param string $provider microsoft | google.
	 * @param array  $creds    The stored credentials (the tenant goes into Microsoft's URLs).
	 * @return array<string, mixed>|null
	 */
	public static function provider( $provider, array $creds = array() ) {
		$tenant = isset( $creds['tenant'] ) && '' !== $creds['tenant'] ? $creds['tenant'] : 'common';
		$app    = isset( $creds['mode'] ) && 'app' === $creds['mode'];
		switch ( $provider ) {
			case 'microsoft':
				$base       = 'https://login.microsoftonline.com/' . rawurlencode( $tenant ) . '/oauth2/v2.0';
				$definition = array(
					'label'            => __( 'Microsoft 365 / Outlook', 'native-smtp' ),
					'authorize_url'    => $base . '/authorize',
					'token_url'        => $base . '/token',
					'revoke_url'       => '',
					// openid + email: the id_token names the mailbox that consented.
					'scope'            => 'https://outlook.office.com/SMTP.Send offline_access openid email',
					'send_scope'       => 'https://outlook.office.com/SMTP.Send offline_access',
					'app_scope'        => 'https://outlook.office365.com/.default',
					'authorize_params' => array( 'prompt' => 'select_account' ),
					'host'             => 'smtp.office365.com',
					'port'             => 587,
					'encryption'       => 'starttls',
					'register_url'     => 'https://entra.microsoft.com/#view/Microsoft_AAD_RegisteredApps/ApplicationsListBlade',
				);
				break;
			case 'google':
				$definition = array(
					'label'            => __( 'Google / Gmail', 'native-smtp' ),
					'authorize_url'    => 'https://accounts.google.com/o/oauth2/v2/auth',
					'token_url'        => 'https://oauth2.googleapis.com/token',
					'revoke_url'       => 'https://oauth2.googleapis.com/revoke',
					'scope'            => 'https://mail.google.com/ openid email',
					'send_scope'       => 'https://mail.google.com/',
					'app_scope'        => '',
					// Google hands out a refresh token only with access_type=offline, and again
					// on a later connect only with prompt=consent.
					'authorize_params' => array(
						'access_type' => 'offline',
						'prompt'      => 'consent',
					),
					'host'             => 'smtp.gmail.com',
					'port'             => 587,
					'encryption'       => 'starttls',
					'register_url'     => 'https://console.cloud.google.com/apis/credentials',
				);
				break;
			default:
				return null;
		}
		$definition['app'] = $app;
		/**
		 * Filters an OAuth provider's endpoints, scopes and SMTP server (tests point them at a local
		 * authorization server and SMTP server).
		 *
		 * @param array  $definition Keys as above.
		 * @param string $provider   microsoft | google.
		 * @param array  $creds      The stored credentials (tenant, mode).
		 */
		$definition = apply_filters( 'native_smtp_oauth_provider', $definition, $provider, $creds );
		return is_array( $definition ) ? $definition : null;
	}

	/**
	 * The provider names.
	 *
	 * @return string[]
	 */
	public static function providers() {
		return array( 'microsoft', 'google' );
	}

	/**
	 * Whether a connection type is one of ours.
	 *
	 * @param string $type Connection type.
	 * @return bool
	 */
	public static function is_oauth( $type ) {
		return in_array( (string) $type, self::providers(), true );
	}

	/**
	 * native_smtp_connection_types: adds the two providers, and the type selector to every type.
	 *
	 * @param array $types Types.
	 * @return array
	 */
	public static function connection_types( $types ) {
		$types = is_array( $types ) ? $types : array();
		if ( isset( $types['smtp']['fields'] ) && is_array( $types['smtp']['fields'] ) && ! in_array( 'connection', $types['smtp']['fields'], true ) ) {
			array_unshift( $types['smtp']['fields'], 'connection' );
			$types['smtp']['label'] = __( 'Other SMTP', 'native-smtp' );
		}
		foreach ( self::providers() as $provider ) {
			$types[ $provider ] = array(
				'label'    => 'microsoft' === $provider ? __( 'Microsoft 365 / Outlook', 'native-smtp' ) : __( 'Google / Gmail', 'native-smtp' ),
				'fields'   => array( 'connection', 'oauth_' . $provider ),
				'complete' => array( __CLASS__, 'complete_' . $provider ),
				'config'   => array( __CLASS__, 'config_' . $provider ),
			);
		}
		return $types;
	}

	/**
	 * All stored credentials.
	 *
	 * @return array<string, array<string, mixed>>
	 */
	private static function all_creds() {
		$stored = Native_SMTP_Options::get_shared( self::OPTION, array() );
		return is_array( $stored ) ? $stored : array();
	}

	/**
	 * One provider's stored credentials (secrets still encrypted), over the defaults.
	 *
	 * @param string $provider microsoft | google.
	 * @return array<string, mixed>
	 */
	public static function creds( $provider ) {
		$all   = self::all_creds();
		$creds = isset( $all[ $provider ] ) && is_array( $all[ $provider ] ) ? $all[ $provider ] : array();
		return array_merge(
			array(
				'client_id'     => '',
				'client_secret' => '',
				'tenant'        => '',
				'mode'          => 'delegated',
				'mailbox'       => '',
				'refresh_token' => '',
				'connected_at'  => 0,
				'broken'        => '',
				'broken_at'     => 0,
			),
			$creds
		);
	}

	/**
	 * Stores one provider's credentials (the caller encrypted the secrets).
	 *
	 * @param string $provider microsoft | google.
	 * @param array  $creds    Credentials.
	 */
	public static function save_creds( $provider, array $creds ) {
		$all              = self::all_creds();
		$all[ $provider ] = $creds;
		Native_SMTP_Options::update_shared( self::OPTION, $all );
		Native_SMTP_Transport::reset_mailer();
	}

	/**
	 * Whether the provider is connected: a refresh token (delegated) or a client secret and a
	 * mailbox (Microsoft's app-only mode).
	 *
	 * @param string $provider microsoft | google.
	 * @return bool
	 */
	public static function is_connected( $provider ) {
		$creds = self::creds( $provider );
		if ( '' === $creds['client_id'] || '' === $creds['mailbox'] ) {
			return false;
		}
		if ( 'microsoft' === $provider && 'app' === $creds['mode'] ) {
			return '' !== $creds['client_secret'] && '' !== $creds['tenant'];
		}
		return '' !== $creds['refresh_token'];
	}

	/**
	 * "microsoft" complete callback.
	 *
	 * @return bool
	 */
	public static function complete_microsoft() {
		return self::is_connected( 'microsoft' );
	}

	/**
	 * "google" complete callback.
	 *
	 * @return bool
	 */
	public static function complete_google() {
		return self::is_connected( 'google' );
	}

	/**
	 * "microsoft" config callback.
	 *
	 * @return array<string, mixed>
	 */
	public static function config_microsoft() {
		return self::mailer_config( 'microsoft' );
	}

	/**
	 * "google" config callback.
	 *
	 * @return array<string, mixed>
	 */
	public static function config_google() {
		return self::mailer_config( 'google' );
	}

	/**
	 * The connection part of the Mailer config: the provider's SMTP server, the mailbox, XOAUTH2,
	 * and the grant the extension runs itself (its process-wide cache keeps one access token per
	 * lifetime; a rotated refresh token comes back through on_refresh_token and is stored).
	 *
	 * @param string $provider microsoft | google.
	 * @return array<string, mixed>
	 */
	public static function mailer_config( $provider ) {
		$creds      = self::creds( $provider );
		$definition = self::provider( $provider, $creds );
		if ( null === $definition ) {
			return array();
		}
		$oauth = array(
			'token_url' => $definition['token_url'],
			'client_id' => $creds['client_id'],
		);
		$secret = Native_SMTP_Crypto::decrypt( (string) $creds['client_secret'] );
		if ( '' !== $secret ) {
			$oauth['client_secret'] = $secret;
		}
		if ( 'microsoft' === $provider && 'app' === $creds['mode'] ) {
			$oauth['scope'] = $definition['app_scope'];
		} else {
			$oauth['refresh_token'] = Native_SMTP_Crypto::decrypt( (string) $creds['refresh_token'] );
			$oauth['scope']         = $definition['send_scope'];
			// A string callable, not a closure: the transport hashes the config with serialize().
			$oauth['on_refresh_token'] = array( __CLASS__, 'store_rotated_' . $provider );
		}
		return array(
			'host'       => $definition['host'],
			'port'       => (int) $definition['port'],
			'encryption' => $definition['encryption'],
			'username'   => $creds['mailbox'],
			'auth'       => 'xoauth2',
			'oauth'      => $oauth,
		);
	}

	/**
	 * on_refresh_token for Microsoft (a new refresh token on every refresh).
	 *
	 * @param string $token The new refresh token.
	 */
	public static function store_rotated_microsoft( $token ) {
		self::store_rotated( 'microsoft', $token );
	}

	/**
	 * on_refresh_token for Google.
	 *
	 * @param string $token The new refresh token.
	 */
	public static function store_rotated_google( $token ) {
		self::store_rotated( 'google', $token );
	}

	/**
	 * Stores a rotated refresh token, encrypted. Called by the extension in the middle of a send.
	 *
	 * @param string $provider microsoft | google.
	 * @param string $token    The new refresh token.
	 */
	private static function store_rotated( $provider, $token ) {
		if ( ! is_string( $token ) || '' === $token ) {
			return;
		}
		$creds                  = self::creds( $provider );
		$creds['refresh_token'] = Native_SMTP_Crypto::encrypt( $token );
		Native_SMTP_Crypto::wipe( $token );
		$all              = self::all_creds();
		$all[ $provider ] = $creds;
		// Not save_creds(): the Mailer sending right now must not be closed under itself.
		Native_SMTP_Options::update_shared( self::OPTION, $all );
	}

	/**
	 * Who may connect and disconnect: the network admin where the network owns the settings.
	 *
	 * @return string Capability.
	 */
	public static function capability() {
		return is_multisite() ? 'manage_network_options' : 'manage_options';
	}

	/**
	 * The redirect URI to register at the provider: admin-post.php without a query (Microsoft and
	 * Google compare redirect URIs exactly, and some app types refuse a query in them). On a
	 * network, the main site's.
	 *
	 * @return string
	 */
	public static function redirect_uri() {
		return is_multisite() ? get_admin_url( get_main_site_id(), 'admin-post.php' ) : admin_url( 'admin-post.php' );
	}

	/**
	 * The settings page to come back to.
	 *
	 * @return string
	 */
	public static function settings_url() {
		return is_multisite() ? network_admin_url( 'settings.php?page=native-smtp' ) : admin_url( 'options-general.php?page=native-smtp' );
	}

	/**
	 * Base64url without padding (PKCE, state).
	 *
	 * @param string $bytes Bytes.
	 * @return string
	 */
	private static function base64url( $bytes ) {
		return rtrim( strtr( base64_encode( $bytes ), '+/', '-_' ), '=' ); // phpcs:ignore WordPress.PHP.DiscouragedPHPFunctions.obfuscation_base64_encode -- PKCE's encoding, not obfuscation.
	}

	/**
	 * Starts the authorization code flow for the current user: a random state (single use, bound to
	 * this user, kept as a hash) and a PKCE verifier (kept encrypted), both expiring after
	 * STATE_TTL. The caller has checked the nonce and the capability.
	 *
	 * @param string $provider microsoft | google.
	 * @return string|WP_Error The provider's authorization URL to send the browser to.
	 */
	public static function begin( $provider ) {
		if ( ! self::is_oauth( $provider ) ) {
			return new WP_Error( 'native_smtp_oauth_provider', __( 'Unknown provider.', 'native-smtp' ) );
		}
		if ( ! current_user_can( self::capability() ) ) {
			return new WP_Error( 'native_smtp_oauth_forbidden', __( 'Sorry, you are not allowed to connect the mail account.', 'native-smtp' ) );
		}
		$creds = self::creds( $provider );
		if ( '' === $creds['client_id'] ) {
			return new WP_Error( 'native_smtp_oauth_client', __( 'Enter the client ID (and the client secret) of your app registration first.', 'native-smtp' ) );
		}
		$definition = self::provider( $provider, $creds );
		$state      = self::base64url( random_bytes( 32 ) );
		$verifier   = self::base64url( random_bytes( 48 ) );
		$challenge  = self::base64url( hash( 'sha256', $verifier, true ) );
		set_transient(
			self::STATE_PREFIX . hash( 'sha256', $state ),
			array(
				'user'     => get_current_user_id(),
				'provider' => $provider,
				'verifier' => Native_SMTP_Crypto::encrypt( $verifier ),
				'blog'     => get_current_blog_id(),
				'expires'  => time() + self::STATE_TTL,
			),
			self::STATE_TTL
		);
		Native_SMTP_Crypto::wipe( $verifier );
		$params = array_merge(
			array(
				'client_id'             => $creds['client_id'],
				'response_type'         => 'code',
				'redirect_uri'          => self::redirect_uri(),
				'scope'                 => $definition['scope'],
				'state'                 => $state,
				'code_challenge'        => $challenge,
				'code_challenge_method' => 'S256',
			),
			(array) $definition['authorize_params']
		);
		return $definition['authorize_url'] . ( false === strpos( $definition['authorize_url'], '?' ) ? '?' : '&' ) . http_build_query( $params, '', '&', PHP_QUERY_RFC3986 );
	}

	/**
	 * Completes the flow with what the provider sent back to the redirect URI: checks the state
	 * (known, unexpired, this user's, used once), the capability, then exchanges the code with the
	 * PKCE verifier and stores the refresh token encrypted and the mailbox.
	 *
	 * @param array $query The callback's query (state, code, or error and error_description).
	 * @return string|WP_Error The provider connected (microsoft | google).
	 */
	public static function complete( array $query ) {
		$state = isset( $query['state'] ) && is_string( $query['state'] ) ? $query['state'] : '';
		if ( '' === $state || strlen( $state ) > 200 ) {
			return new WP_Error( 'native_smtp_oauth_state', __( 'The answer from the provider has no valid state: start again with Connect.', 'native-smtp' ) );
		}
		$key     = self::STATE_PREFIX . hash( 'sha256', $state );
		$pending = get_transient( $key );
		// Single use: gone before anything else is looked at, so a replayed answer finds nothing.
		delete_transient( $key );
		if ( ! is_array( $pending ) || empty( $pending['expires'] ) || (int) $pending['expires'] < time() ) {
			return new WP_Error( 'native_smtp_oauth_state', __( 'This sign-in is unknown, was already used or has expired: start again with Connect.', 'native-smtp' ) );
		}
		if ( (int) $pending['user'] !== get_current_user_id() || (int) $pending['blog'] !== get_current_blog_id() ) {
			return new WP_Error( 'native_smtp_oauth_state', __( 'This sign-in was started by another user: start again with Connect.', 'native-smtp' ) );
		}
		if ( ! current_user_can( self::capability() ) ) {
			return new WP_Error( 'native_smtp_oauth_forbidden', __( 'Sorry, you are not allowed to connect the mail account.', 'native-smtp' ) );
		}
		$provider = (string) $pending['provider'];
		$verifier = Native_SMTP_Crypto::decrypt( (string) $pending['verifier'] );
		if ( ! self::is_oauth( $provider ) || '' === $verifier ) {
			return new WP_Error( 'native_smtp_oauth_state', __( 'This sign-in can no longer be completed: start again with Connect.', 'native-smtp' ) );
		}
		if ( ! empty( $query['error'] ) ) {
			$description = isset( $query['error_description'] ) ? sanitize_text_field( (string) $query['error_description'] ) : '';
			return new WP_Error(
				'native_smtp_oauth_denied',
				sprintf(
					/* translators: 1: error code, 2: the provider's description */
					__( 'The provider did not grant access (%1$s%2$s). Check the app registration (redirect URI, API permissions) and connect again.', 'native-smtp' ),
					sanitize_key( (string) $query['error'] ),
					'' !== $description ? ': ' . $description : ''
				)
			);
		}
		$code = isset( $query['code'] ) && is_string( $query['code'] ) ? $query['code'] : '';
		if ( '' === $code ) {
			return new WP_Error( 'native_smtp_oauth_code', __( 'The provider sent no authorization code: connect again.', 'native-smtp' ) );
		}
		$creds      = self::creds( $provider );
		$definition = self::provider( $provider, $creds );
		$body       = array(
			'grant_type'    => 'authorization_code',
			'code'          => $code,
			'redirect_uri'  => self::redirect_uri(),
			'client_id'     => $creds['client_id'],
			'code_verifier' => $verifier,
		);
		$secret     = Native_SMTP_Crypto::decrypt( (string) $creds['client_secret'] );
		if ( '' !== $secret ) {
			$body['client_secret'] = $secret;
		}
		$answer = self::token_request( $definition['token_url'], $body );
		Native_SMTP_Crypto::wipe( $secret );
		Native_SMTP_Crypto::wipe( $verifier );
		Native_SMTP_Crypto::wipe( $body['code_verifier'] );
		if ( is_wp_error( $answer ) ) {
			return $answer;
		}
		if ( empty( $answer['refresh_token'] ) || ! is_string( $answer['refresh_token'] ) ) {
			return new WP_Error( 'native_smtp_oauth_refresh', __( 'The provider granted access but sent no refresh token, so sending would stop within the hour. Check that the app may use offline access (Microsoft: the offline_access permission) and connect again.', 'native-smtp' ) );
		}
		$mailbox = self::mailbox_from_id_token( isset( $answer['id_token'] ) ? (string) $answer['id_token'] : '' );
		if ( '' === $mailbox ) {
			return new WP_Error( 'native_smtp_oauth_mailbox', __( 'The provider did not say which mailbox signed in (no email in the ID token). Check that the app may read the email address (the openid and email permissions) and connect again.', 'native-smtp' ) );
		}
		$creds['refresh_token'] = Native_SMTP_Crypto::encrypt( $answer['refresh_token'] );
		$creds['mailbox']       = $mailbox;
		$creds['mode']          = 'delegated';
		$creds['connected_at']  = time();
		$creds['broken']        = '';
		$creds['broken_at']     = 0;
		Native_SMTP_Crypto::wipe( $answer['refresh_token'] );
		Native_SMTP_Crypto::wipe( $answer['access_token'] );
		self::save_creds( $provider, $creds );
		self::use_connection( $provider );
		return $provider;
	}

	/**
	 * Makes the provider the connection in use (the stored settings' "connection").
	 *
	 * @param string $type Connection type.
	 */
	public static function use_connection( $type ) {
		if ( is_multisite() ) {
			update_site_option( Native_SMTP_Options::NETWORK_OPTION, Native_SMTP_Options::sanitize_network( array( 'connection' => $type ) ) );
		} else {
			// Only "connection" goes in: sanitize() keeps every other stored value as it is. Called
			// here, not left to update_option(): the Settings API registers it in wp-admin only, and
			// when it is registered it passes what it just returned through unchanged.
			update_option( Native_SMTP_Options::OPTION, Native_SMTP_Options::sanitize( array( 'connection' => $type ) ) );
		}
		Native_SMTP_Transport::reset_mailer();
	}

	/**
	 * A POST to a token endpoint.
	 *
	 * @param string $url  Token endpoint.
	 * @param array  $body Form fields.
	 * @return array|WP_Error The decoded answer.
	 */
	public static function token_request( $url, array $body ) {
		$response = wp_remote_post(
			$url,
			array(
				'body'        => $body,
				'timeout'     => 20,
				'redirection' => 0,
				'headers'     => array( 'Accept' => 'application/json' ),
			)
		);
		if ( is_wp_error( $response ) ) {
			return new WP_Error(
				'native_smtp_oauth_unreachable',
				sprintf(
					/* translators: 1: URL, 2: error */
					__( 'The token endpoint %1$s could not be reached (%2$s). Try again later.', 'native-smtp' ),
					$url,
					$response->get_error_message()
				)
			);
		}
		$status = (int) wp_remote_retrieve_response_code( $response );
		$json   = json_decode( (string) wp_remote_retrieve_body( $response ), true );
		if ( 200 !== $status || ! is_array( $json ) || empty( $json['access_token'] ) ) {
			$error       = is_array( $json ) && isset( $json['error'] ) ? sanitize_key( (string) $json['error'] ) : 'HTTP ' . $status;
			$description = is_array( $json ) && isset( $json['error_description'] ) ? sanitize_text_field( (string) $json['error_description'] ) : '';
			return new WP_Error(
				'native_smtp_oauth_token',
				sprintf(
					/* translators: 1: URL, 2: error code and description */
					__( 'The token endpoint %1$s refused (%2$s). Check the client ID and client secret, and that the redirect URI is registered exactly as shown.', 'native-smtp' ),
					$url,
					$error . ( '' !== $description ? ': ' . $description : '' )
				)
			);
		}
		return $json;
	}

	/**
	 * The mailbox an ID token names. The token came straight from the token endpoint over the
	 * connection we opened (OpenID Connect Core 3.1.3.7: TLS server validation may stand in for the
	 * signature check), and only names the account: it grants nothing.
	 *
	 * @param string $id_token The ID token (a JWT).
	 * @return string An email address, or ''.
	 */
	public static function mailbox_from_id_token( $id_token ) {
		$parts = explode( '.', $id_token );
		if ( count( $parts ) < 2 ) {
			return '';
		}
		$claims = json_decode( (string) base64_decode( strtr( $parts[1], '-_', '+/' ), false ), true ); // phpcs:ignore WordPress.PHP.DiscouragedPHPFunctions.obfuscation_base64_decode -- a JWT's payload.
		if ( ! is_array( $claims ) ) {
			return '';
		}
		foreach ( array( 'email', 'preferred_username', 'upn', 'sub' ) as $claim ) {
			if ( isset( $claims[ $claim ] ) && is_string( $claims[ $claim ] ) && is_email( $claims[ $claim ] ) ) {
				return sanitize_email( $claims[ $claim ] );
			}
		}
		return '';
	}

	/**
	 * Disconnect: forgets the refresh token and the client secret (after asking the provider to
	 * revoke the token where it has an endpoint for that; Microsoft has none), and the mailbox.
	 * The client ID stays, to connect again.
	 *
	 * @param string $provider microsoft | google.
	 */
	public static function disconnect( $provider ) {
		$creds      = self::creds( $provider );
		$definition = self::provider( $provider, $creds );
		$refresh    = Native_SMTP_Crypto::decrypt( (string) $creds['refresh_token'] );
		if ( '' !== $refresh && null !== $definition && '' !== (string) $definition['revoke_url'] ) {
			$body   = array(
				'token'           => $refresh,
				'token_type_hint' => 'refresh_token',
				'client_id'       => $creds['client_id'],
			);
			$secret = Native_SMTP_Crypto::decrypt( (string) $creds['client_secret'] );
			if ( '' !== $secret ) {
				$body['client_secret'] = $secret;
			}
			// Best effort: the local copy is gone either way.
			wp_remote_post(
				$definition['revoke_url'],
				array(
					'body'        => $body,
					'timeout'     => 10,
					'redirection' => 0,
				)
			);
			Native_SMTP_Crypto::wipe( $secret );
			Native_SMTP_Crypto::wipe( $body['token'] );
		}
		Native_SMTP_Crypto::wipe( $refresh );
		$creds['refresh_token'] = '';
		$creds['client_secret'] = '';
		$creds['mailbox']       = '';
		$creds['connected_at']  = 0;
		$creds['broken']        = '';
		$creds['broken_at']     = 0;
		self::save_creds( $provider, $creds );
	}

	/**
	 * The connection in use when it is one of ours, else ''.
	 *
	 * @return string
	 */
	public static function current() {
		$type = (string) Native_SMTP_Options::get( 'connection' );
		return self::is_oauth( $type ) ? $type : '';
	}

	/**
	 * Whether a failure means the connection is broken until an admin connects again (consent
	 * revoked, refresh token expired, secret wrong or expired), not a passing outage.
	 *
	 * @param Throwable|null $failure What the extension threw.
	 * @return bool
	 */
	public static function failure_breaks_connection( $failure ) {
		if ( ! ( $failure instanceof \Smtp\Exception ) || $failure->temporary ) {
			return false;
		}
		$message = $failure->getMessage();
		return false !== strpos( $message, 'invalid_grant' ) || false !== strpos( $message, 'invalid_client' ) || false !== strpos( $message, 'refused to issue an access token' );
	}

	/**
	 * wp_mail_failed: remembers a broken connection (for the notice, Site Health and Send Test).
	 */
	public static function note_failure() {
		$provider = self::current();
		$failure  = Native_SMTP_Transport::last_failure();
		if ( '' === $provider || ! self::failure_breaks_connection( $failure ) ) {
			return;
		}
		self::mark_broken( $provider, $failure->getMessage() );
	}

	/**
	 * Records that the provider's connection is broken.
	 *
	 * @param string $provider microsoft | google.
	 * @param string $reason   The error.
	 */
	public static function mark_broken( $provider, $reason ) {
		$creds = self::creds( $provider );
		if ( $creds['broken'] === $reason ) {
			return;
		}
		$creds['broken']    = (string) $reason;
		$creds['broken_at'] = time();
		$all                = self::all_creds();
		$all[ $provider ]   = $creds;
		Native_SMTP_Options::update_shared( self::OPTION, $all );
		// Once per breakage (the same reason again returned above): the alerts listen for it. The
		// extension's error names the provider's error code, never a token or the secret.
		/** This action is documented in includes/class-native-smtp-alerts.php */
		do_action(
			'native_smtp_connection_broken',
			array(
				'source' => 'token',
				'host'   => $provider,
				'reason' => (string) $reason,
			)
		);
	}

	/**
	 * wp_mail_succeeded: a delivered email means the connection works again.
	 */
	public static function note_success() {
		$provider = self::current();
		if ( '' === $provider || null === Native_SMTP_Transport::last_message_id() || '' === Native_SMTP_Transport::last_message_id() ) {
			return;
		}
		$creds = self::creds( $provider );
		if ( '' !== $creds['broken'] ) {
			$creds['broken']    = '';
			$creds['broken_at'] = 0;
			$all                = self::all_creds();
			$all[ $provider ]   = $creds;
			Native_SMTP_Options::update_shared( self::OPTION, $all );
		}
	}

	/**
	 * What is wrong with the connection in use, or '' (not ours, or fine).
	 *
	 * @return string
	 */
	public static function broken_reason() {
		$provider = self::current();
		if ( '' === $provider ) {
			return '';
		}
		$creds = self::creds( $provider );
		return (string) $creds['broken'];
	}
}

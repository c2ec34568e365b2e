<?php
/**
 * The settings screen's OAuth part: the connection type selector, each provider's section (setup
 * guide, client ID and secret, redirect URI to copy, Connect / Disconnect), the Connect and
 * Disconnect handlers, the provider's callback, and the "connection broken" notice, Site Health
 * test and Send Test hint. The flow itself is Native_SMTP_OAuth.
 *
 * @package Native_SMTP
 */

defined( 'ABSPATH' ) || exit;

/**
 * Admin side of the OAuth connections.
 */
class Native_SMTP_OAuth_Admin {

	/** admin-post.php action of the Connect / Disconnect form (and its nonce action). */
	const ACTION = 'native_smtp_oauth';

	/** The form the provider section's inputs belong to (printed outside the settings form). */
	const FORM_ID = 'native-smtp-oauth-form';

	/**
	 * Whether a provider section was rendered (its form is then printed in the footer).
	 *
	 * @var bool
	 */
	private static $rendered = false;

	/**
	 * Hooks in (the screens in wp-admin only; Site Health and the Send Test hint everywhere).
	 */
	public static function register_hooks() {
		add_filter( 'site_status_tests', array( __CLASS__, 'add_site_health_test' ) );
		add_filter( 'native_smtp_test_hint', array( __CLASS__, 'test_hint' ), 10, 4 );
		if ( ! is_admin() ) {
			return;
		}
		add_filter( 'native_smtp_setting_fields', array( __CLASS__, 'setting_fields' ) );
		add_action( 'admin_post_' . self::ACTION, array( __CLASS__, 'handle_form' ) );
		// The provider comes back to admin-post.php without an action (an exact redirect URI).
		add_action( 'admin_post', array( __CLASS__, 'handle_callback' ) );
		add_action( 'admin_post_nopriv', array( __CLASS__, 'handle_callback_logged_out' ) );
		add_action( 'admin_notices', array( __CLASS__, 'notices' ) );
		add_action( 'network_admin_notices', array( __CLASS__, 'notices' ) );
		add_action( 'admin_footer', array( __CLASS__, 'print_form' ) );
	}

	/**
	 * native_smtp_setting_fields: the type selector and the providers' sections.
	 *
	 * @param array $fields Fields.
	 * @return array
	 */
	public static function setting_fields( $fields ) {
		$fields               = is_array( $fields ) ? $fields : array();
		$fields['connection'] = array( __( 'Connection type', 'native-smtp' ), 'native_smtp_server', array( __CLASS__, 'render_connection' ) );
		foreach ( Native_SMTP_OAuth::providers() as $provider ) {
			$fields[ 'oauth_' . $provider ] = array( __( 'Account', 'native-smtp' ), 'native_smtp_server', array( __CLASS__, 'render_provider' ) );
		}
		return $fields;
	}

	/**
	 * Whether the current screen may change the connection (not a subsite on a network).
	 *
	 * @return bool
	 */
	private static function may_change() {
		return ! Native_SMTP_Admin::is_network_controlled( 'connection' ) && current_user_can( Native_SMTP_OAuth::capability() );
	}

	/**
	 * The connection type selector (saved with the settings form; switching saves at once so the
	 * type's own fields appear).
	 */
	public static function render_connection() {
		$current  = (string) Native_SMTP_Options::get( 'connection' );
		$disabled = self::may_change() ? '' : ' disabled="disabled"';
		// The prototype's submit(): the form's "Save Settings" button is named "submit" and hides it.
		printf(
			'<select id="native-smtp-connection" name="%1$s"%2$s onchange="HTMLFormElement.prototype.submit.call(this.form)">',
			esc_attr( Native_SMTP_Options::OPTION . '[connection]' ),
			$disabled // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- constant markup.
		);
		foreach ( Native_SMTP_Connections::types() as $type => $description ) {
			printf( '<option value="%1$s"%2$s>%3$s</option>', esc_attr( $type ), selected( $current, $type, false ), esc_html( (string) $description['label'] ) );
		}
		echo '</select>';
		if ( '' !== $disabled && Native_SMTP_Admin::is_network_controlled( 'connection' ) ) {
			echo '<p class="description native-smtp-network-locked"><span class="dashicons dashicons-networking" aria-hidden="true"></span> ' . esc_html__( 'Set by the network administrator.', 'native-smtp' ) . '</p>';
		}
		echo '<p class="description">' . esc_html__( 'Microsoft 365 and Google sign in with OAuth 2.0 (no password is stored); Other SMTP is any server with a host, a username and a password. Choosing one saves the settings and shows its fields.', 'native-smtp' ) . '</p>';
	}

	/**
	 * A provider's section: status, setup guide, client ID and secret, Microsoft's tenant and
	 * app-only mode, the redirect URI, Connect / Disconnect, and the server it sends through.
	 *
	 * @param array $args Settings API args (key: oauth_microsoft | oauth_google).
	 */
	public static function render_provider( $args ) {
		$provider = substr( (string) $args['key'], 6 );
		if ( ! Native_SMTP_OAuth::is_oauth( $provider ) ) {
			return;
		}
		self::$rendered = true;
		$creds          = Native_SMTP_OAuth::creds( $provider );
		$definition     = Native_SMTP_OAuth::provider( $provider, $creds );
		$change         = self::may_change();
		$lock           = $change ? '' : ' disabled="disabled"';
		$form           = ' form="' . esc_attr( self::FORM_ID ) . '"';
		$app            = 'microsoft' === $provider && 'app' === $creds['mode'];

		// The switch back to Other SMTP must find its checkboxes as they were: this form does not
		// show them, and the settings form's checkbox marker would otherwise turn them off.
		$stored = 'network' === Native_SMTP_Admin::$context ? Native_SMTP_Options::network_stored() : Native_SMTP_Options::stored();
		foreach ( array( 'auth', 'allow_insecure_auth' ) as $key ) {
			if ( ! empty( $stored[ $key ] ) ) {
				printf( '<input type="hidden" name="%s" value="1" />', esc_attr( Native_SMTP_Options::OPTION . '[' . $key . ']' ) );
			}
		}

		echo '<div class="native-smtp-oauth" id="native-smtp-oauth-' . esc_attr( $provider ) . '">';
		self::render_status( $provider, $creds );
		self::render_guide( $provider, $definition );

		echo '<table class="form-table native-smtp-oauth-fields" role="presentation">';
		printf(
			'<tr><th scope="row"><label for="native-smtp-oauth-client-id">%1$s</label></th><td><input type="text" id="native-smtp-oauth-client-id" name="client_id" value="%2$s" class="regular-text code" autocomplete="off" spellcheck="false"%3$s%4$s /></td></tr>',
			esc_html__( 'Client ID', 'native-smtp' ),
			esc_attr( $creds['client_id'] ),
			$form, // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped above.
			$lock // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- constant markup.
		);
		printf(
			'<tr><th scope="row"><label for="native-smtp-oauth-client-secret">%1$s</label></th><td><input type="password" id="native-smtp-oauth-client-secret" name="client_secret" value="%2$s" class="regular-text code" autocomplete="new-password" spellcheck="false"%3$s%4$s /><p class="description">%5$s</p></td></tr>',
			esc_html__( 'Client secret', 'native-smtp' ),
			'' !== $creds['client_secret'] ? esc_attr( Native_SMTP_OAuth::SECRET_PLACEHOLDER ) : '',
			$form, // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped above.
			$lock, // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- constant markup.
			esc_html__( 'Stored encrypted and never shown again. Leave the stars to keep the stored secret.', 'native-smtp' )
		);
		if ( 'microsoft' === $provider ) {
			printf(
				'<tr><th scope="row"><label for="native-smtp-oauth-tenant">%1$s</label></th><td><input type="text" id="native-smtp-oauth-tenant" name="tenant" value="%2$s" class="regular-text code" placeholder="common" spellcheck="false"%3$s%4$s /><p class="description">%5$s</p></td></tr>',
				esc_html__( 'Tenant ID', 'native-smtp' ),
				esc_attr( $creds['tenant'] ),
				$form, // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped above.
				$lock, // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- constant markup.
				esc_html__( 'The Directory (tenant) ID of the app registration; leave empty for "common" (any work, school or personal account). App-only sending needs it.', 'native-smtp' )
			);
			echo '<tr><th scope="row">' . esc_html__( 'Sign-in', 'native-smtp' ) . '</th><td><fieldset><legend class="screen-reader-text">' . esc_html__( 'Sign-in', 'native-smtp' ) . '</legend>';
			printf(
				'<label style="display:block"><input type="radio" name="mode" value="delegated" id="native-smtp-oauth-mode-delegated"%1$s%2$s%3$s /> %4$s</label>',
				checked( $app, false, false ),
				$form, // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped above.
				$lock, // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- constant markup.
				esc_html__( 'A mailbox signs in and consents (delegated)', 'native-smtp' )
			);
			printf(
				'<label style="display:block"><input type="radio" name="mode" value="app" id="native-smtp-oauth-mode-app"%1$s%2$s%3$s /> %4$s</label>',
				checked( $app, true, false ),
				$form, // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped above.
				$lock, // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- constant markup.
				esc_html__( 'App-only: the app sends as a mailbox without anyone signing in (client credentials; an Exchange admin grants the app access to the mailbox)', 'native-smtp' )
			);
			echo '</fieldset></td></tr>';
			printf(
				'<tr><th scope="row"><label for="native-smtp-oauth-mailbox">%1$s</label></th><td><input type="email" id="native-smtp-oauth-mailbox" name="mailbox" value="%2$s" class="regular-text" autocomplete="off"%3$s%4$s /><p class="description">%5$s</p></td></tr>',
				esc_html__( 'Mailbox (app-only)', 'native-smtp' ),
				esc_attr( $app ? $creds['mailbox'] : '' ),
				$form, // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped above.
				$lock, // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- constant markup.
				esc_html__( 'Only for app-only sign-in: the address the app sends as. With a signed-in mailbox, the mailbox is the account that consented.', 'native-smtp' )
			);
		}
		printf(
			'<tr><th scope="row"><label for="native-smtp-oauth-redirect">%1$s</label></th><td><input type="text" readonly="readonly" id="native-smtp-oauth-redirect" class="large-text code native-smtp-copy-source" value="%2$s" /> <button type="button" class="button native-smtp-copy" data-copy="native-smtp-oauth-redirect">%3$s</button><p class="description">%4$s</p></td></tr>',
			esc_html__( 'Redirect URI', 'native-smtp' ),
			esc_attr( Native_SMTP_OAuth::redirect_uri() ),
			esc_html__( 'Copy', 'native-smtp' ),
			esc_html__( 'Register this exact address in the app registration (type "Web").', 'native-smtp' )
		);
		printf(
			'<tr><th scope="row">%1$s</th><td><code id="native-smtp-oauth-server">%2$s</code></td></tr>',
			esc_html__( 'Sends through', 'native-smtp' ),
			esc_html( sprintf( '%s:%d (%s, XOAUTH2)', $definition['host'], $definition['port'], 'starttls' === $definition['encryption'] ? 'STARTTLS' : strtoupper( (string) $definition['encryption'] ) ) )
		);
		echo '</table>';

		if ( $change ) {
			echo '<p class="native-smtp-oauth-buttons">';
			printf(
				'<button type="submit" class="button button-primary" name="do" value="connect" id="native-smtp-oauth-connect"%1$s>%2$s</button> ',
				$form, // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped above.
				esc_html( Native_SMTP_OAuth::is_connected( $provider ) ? __( 'Save and reconnect', 'native-smtp' ) : __( 'Save and connect', 'native-smtp' ) )
			);
			if ( Native_SMTP_OAuth::is_connected( $provider ) || '' !== $creds['client_secret'] ) {
				printf(
					'<button type="submit" class="button" name="do" value="disconnect" id="native-smtp-oauth-disconnect"%1$s onclick="return window.confirm(%2$s);">%3$s</button>',
					$form, // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped above.
					esc_attr( wp_json_encode( __( 'Disconnect? The stored token and client secret are deleted; email goes out through PHP\'s mail() until you connect again.', 'native-smtp' ) ) ),
					esc_html__( 'Disconnect', 'native-smtp' )
				);
			}
			echo '</p>';
		}
		printf( '<input type="hidden" name="provider" value="%1$s"%2$s />', esc_attr( $provider ), $form ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped above.
		echo '</div>';
	}

	/**
	 * Connected as ..., not connected, or broken (with the reason).
	 *
	 * @param string $provider microsoft | google.
	 * @param array  $creds    Stored credentials.
	 */
	private static function render_status( $provider, array $creds ) {
		if ( '' !== $creds['broken'] ) {
			echo '<div class="notice notice-error inline" id="native-smtp-oauth-status" data-status="broken"><p><strong>' . esc_html__( 'The connection is broken: email cannot be sent.', 'native-smtp' ) . '</strong> ' . esc_html( $creds['broken'] ) . '</p><p>' . esc_html__( 'Click "Save and reconnect" and sign in again (the consent was withdrawn, the password changed, or the token expired).', 'native-smtp' ) . '</p></div>';
			return;
		}
		if ( Native_SMTP_OAuth::is_connected( $provider ) ) {
			echo '<div class="notice notice-success inline" id="native-smtp-oauth-status" data-status="connected"><p>';
			echo esc_html(
				sprintf(
					/* translators: 1: mailbox, 2: date */
					__( 'Connected as %1$s since %2$s.', 'native-smtp' ),
					$creds['mailbox'],
					wp_date( get_option( 'date_format' ) . ' ' . get_option( 'time_format' ), (int) $creds['connected_at'] )
				)
			);
			echo '</p></div>';
			return;
		}
		echo '<div class="notice notice-info inline" id="native-smtp-oauth-status" data-status="disconnected"><p>' . esc_html__( 'Not connected: register an app with the provider (see the guide below), paste its client ID and secret, then click "Save and connect". Until then WordPress uses PHP\'s mail().', 'native-smtp' ) . '</p></div>';
	}

	/**
	 * The provider's setup guide.
	 *
	 * @param string $provider   microsoft | google.
	 * @param array  $definition Native_SMTP_OAuth::provider().
	 */
	private static function render_guide( $provider, array $definition ) {
		$steps = 'microsoft' === $provider
			? array(
				__( 'In the Microsoft Entra admin center, open App registrations and choose New registration.', 'native-smtp' ),
				__( 'Name it, choose who may sign in, and add the Redirect URI below as a "Web" redirect URI.', 'native-smtp' ),
				__( 'Under API permissions add the delegated permissions SMTP.Send (Office 365 Exchange Online, https://outlook.office.com/SMTP.Send), offline_access, openid and email.', 'native-smtp' ),
				__( 'Under Certificates & secrets make a client secret; paste its Value (not its ID) below with the Application (client) ID.', 'native-smtp' ),
				__( 'Authenticated SMTP must be on for the mailbox (Microsoft 365 admin center: Users, the user, Mail, Manage email apps).', 'native-smtp' ),
				__( 'For app-only sending, add the application permission SMTP.SendAsApp instead, grant admin consent, and give the app\'s service principal access to the mailbox in Exchange Online PowerShell.', 'native-smtp' ),
			)
			: array(
				__( 'In the Google Cloud console, create a project (or pick one) and configure the OAuth consent screen; add the scope https://mail.google.com/.', 'native-smtp' ),
				__( 'Under APIs & Services, Credentials, create an OAuth client ID of type "Web application" and add the Redirect URI below as an authorized redirect URI.', 'native-smtp' ),
				__( 'Paste the client ID and client secret below, click "Save and connect" and sign in with the Gmail or Google Workspace account that sends.', 'native-smtp' ),
				__( 'While the consent screen is in "Testing", Google ends the connection after 7 days: publish the app (or use an Internal app in Google Workspace).', 'native-smtp' ),
			);
		printf( '<details class="native-smtp-oauth-guide" id="native-smtp-oauth-guide-%1$s"><summary>%2$s</summary><ol>', esc_attr( $provider ), esc_html__( 'How to set this up', 'native-smtp' ) );
		foreach ( $steps as $step ) {
			echo '<li>' . esc_html( $step ) . '</li>';
		}
		echo '</ol><p>';
		printf(
			/* translators: %s: link to the provider's console */
			esc_html__( 'Register the app at %s.', 'native-smtp' ),
			'<a href="' . esc_url( $definition['register_url'] ) . '" target="_blank" rel="noopener noreferrer">' . esc_html( (string) wp_parse_url( $definition['register_url'], PHP_URL_HOST ) ) . '</a>'
		);
		echo ' ';
		printf(
			/* translators: %s: OAuth scopes */
			esc_html__( 'Scopes requested: %s.', 'native-smtp' ),
			'<code>' . esc_html( $definition['scope'] ) . '</code>'
		);
		echo '</p></details>';
	}

	/**
	 * admin_footer: the form the provider section's inputs and buttons belong to (a form cannot
	 * sit inside the settings form, so its controls name it with form="...").
	 */
	public static function print_form() {
		if ( ! self::$rendered ) {
			return;
		}
		printf( '<form method="post" action="%1$s" id="%2$s" hidden>', esc_url( admin_url( 'admin-post.php' ) ), esc_attr( self::FORM_ID ) );
		echo '<input type="hidden" name="action" value="' . esc_attr( self::ACTION ) . '" />';
		wp_nonce_field( self::ACTION, '_wpnonce', false );
		echo '</form>';
	}

	/**
	 * Keeps a notice for the current user's next view of the settings page.
	 *
	 * @param string $type    success | error.
	 * @param string $message Text.
	 */
	private static function notice_next( $type, $message ) {
		set_transient(
			'native_smtp_oauth_notice_' . get_current_user_id(),
			array(
				'type'    => $type,
				'message' => $message,
			),
			5 * MINUTE_IN_SECONDS
		);
	}

	/**
	 * admin-post.php, action=native_smtp_oauth: saves the client settings, then Connect (to the
	 * provider's sign-in, or the app-only token check) or Disconnect. Capability and nonce first.
	 */
	public static function handle_form() {
		if ( ! current_user_can( Native_SMTP_OAuth::capability() ) ) {
			wp_die( esc_html__( 'Sorry, you are not allowed to connect the mail account.', 'native-smtp' ), 403 );
		}
		check_admin_referer( self::ACTION );
		$post     = wp_unslash( $_POST ); // phpcs:ignore WordPress.Security.ValidatedSanitizedInput.InputNotSanitized -- each field is cleaned below.
		$provider = isset( $post['provider'] ) ? sanitize_key( (string) $post['provider'] ) : '';
		if ( ! Native_SMTP_OAuth::is_oauth( $provider ) ) {
			wp_die( esc_html__( 'Unknown provider.', 'native-smtp' ), 400 );
		}
		$do = isset( $post['do'] ) && 'disconnect' === $post['do'] ? 'disconnect' : 'connect';
		if ( 'disconnect' === $do ) {
			Native_SMTP_OAuth::disconnect( $provider );
			self::notice_next( 'success', __( 'Disconnected: the stored token and client secret were deleted.', 'native-smtp' ) );
			self::back();
		}

		$creds     = Native_SMTP_OAuth::creds( $provider );
		$client_id = isset( $post['client_id'] ) ? trim( sanitize_text_field( (string) $post['client_id'] ) ) : '';
		if ( $client_id !== $creds['client_id'] ) {
			// Another app: what the old one was granted is of no use to it.
			$creds['refresh_token'] = '';
			$creds['mailbox']       = '';
			$creds['connected_at']  = 0;
		}
		$creds['client_id'] = $client_id;
		$secret             = isset( $post['client_secret'] ) ? str_replace( array( "\r", "\n", "\0" ), '', trim( (string) $post['client_secret'] ) ) : '';
		if ( '' !== $secret && Native_SMTP_OAuth::SECRET_PLACEHOLDER !== $secret ) {
			$creds['client_secret'] = Native_SMTP_Crypto::encrypt( $secret );
		}
		Native_SMTP_Crypto::wipe( $secret );
		if ( 'microsoft' === $provider ) {
			$creds['tenant'] = isset( $post['tenant'] ) ? (string) preg_replace( '/[^A-Za-z0-9.\-]/', '', (string) $post['tenant'] ) : '';
			$mode            = isset( $post['mode'] ) && 'app' === $post['mode'] ? 'app' : 'delegated';
			if ( $mode !== $creds['mode'] ) {
				$creds['refresh_token'] = '';
				$creds['mailbox']       = '';
				$creds['connected_at']  = 0;
			}
			$creds['mode'] = $mode;
			if ( 'app' === $mode ) {
				$mailbox          = isset( $post['mailbox'] ) ? sanitize_email( (string) $post['mailbox'] ) : '';
				$creds['mailbox'] = is_email( $mailbox ) ? $mailbox : '';
			}
		}
		Native_SMTP_OAuth::save_creds( $provider, $creds );
		if ( '' === $client_id ) {
			self::notice_next( 'error', __( 'Enter the client ID of your app registration.', 'native-smtp' ) );
			self::back();
		}

		if ( 'microsoft' === $provider && 'app' === $creds['mode'] ) {
			$result = self::check_app_only( $creds );
			if ( is_wp_error( $result ) ) {
				self::notice_next( 'error', $result->get_error_message() );
			} else {
				self::notice_next( 'success', __( 'App-only sending is set up: the token endpoint issued a token. Send a test email to check the mailbox permission.', 'native-smtp' ) );
			}
			self::back();
		}

		$url = Native_SMTP_OAuth::begin( $provider );
		if ( is_wp_error( $url ) ) {
			self::notice_next( 'error', $url->get_error_message() );
			self::back();
		}
		// The provider's own sign-in page: not a local address, so not wp_safe_redirect().
		wp_redirect( $url ); // phpcs:ignore WordPress.Security.SafeRedirect.wp_redirect_wp_redirect -- the provider's authorization endpoint.
		exit;
	}

	/**
	 * App-only (client credentials): the tenant, secret and mailbox are there and the token
	 * endpoint issues a token with them; then the connection is in use.
	 *
	 * @param array $creds Stored credentials (microsoft).
	 * @return true|WP_Error
	 */
	private static function check_app_only( array $creds ) {
		if ( '' === $creds['tenant'] || '' === $creds['client_secret'] || '' === $creds['mailbox'] ) {
			return new WP_Error( 'native_smtp_oauth_app', __( 'App-only sending needs the tenant ID, the client secret and the mailbox.', 'native-smtp' ) );
		}
		$definition = Native_SMTP_OAuth::provider( 'microsoft', $creds );
		$secret     = Native_SMTP_Crypto::decrypt( (string) $creds['client_secret'] );
		$answer     = Native_SMTP_OAuth::token_request(
			$definition['token_url'],
			array(
				'grant_type'    => 'client_credentials',
				'client_id'     => $creds['client_id'],
				'client_secret' => $secret,
				'scope'         => $definition['app_scope'],
			)
		);
		Native_SMTP_Crypto::wipe( $secret );
		if ( is_wp_error( $answer ) ) {
			return $answer;
		}
		$creds['connected_at'] = time();
		$creds['broken']       = '';
		$creds['broken_at']    = 0;
		Native_SMTP_OAuth::save_creds( 'microsoft', $creds );
		Native_SMTP_OAuth::use_connection( 'microsoft' );
		return true;
	}

	/**
	 * admin_post (admin-post.php without an action): the provider's answer to a Connect.
	 */
	public static function handle_callback() {
		// phpcs:ignore WordPress.Security.NonceVerification.Recommended -- the single-use state is the check (Native_SMTP_OAuth::complete()).
		if ( ! isset( $_GET['state'] ) ) {
			return;
		}
		// phpcs:ignore WordPress.Security.NonceVerification.Recommended, WordPress.Security.ValidatedSanitizedInput.InputNotSanitized -- see above; complete() checks every value.
		$query  = array_map( 'strval', array_filter( wp_unslash( $_GET ), 'is_scalar' ) );
		$result = Native_SMTP_OAuth::complete( $query );
		if ( is_wp_error( $result ) ) {
			if ( 'native_smtp_oauth_forbidden' === $result->get_error_code() ) {
				wp_die( esc_html( $result->get_error_message() ), 403 );
			}
			self::notice_next( 'error', $result->get_error_message() );
		} else {
			$creds = Native_SMTP_OAuth::creds( $result );
			self::notice_next(
				'success',
				sprintf(
					/* translators: 1: provider, 2: mailbox */
					__( 'Connected to %1$s as %2$s. Send a test email to check.', 'native-smtp' ),
					Native_SMTP_Connections::get( $result )['label'],
					$creds['mailbox']
				)
			);
		}
		self::back();
	}

	/**
	 * admin_post_nopriv: the provider's answer reached a browser whose WordPress session ended
	 * meanwhile: log in, then the same answer is handled (its state is still unused).
	 */
	public static function handle_callback_logged_out() {
		// phpcs:ignore WordPress.Security.NonceVerification.Recommended -- only looks whether this is an OAuth answer.
		if ( isset( $_GET['state'] ) ) {
			auth_redirect();
		}
	}

	/**
	 * Back to the settings page.
	 */
	private static function back() {
		wp_safe_redirect( Native_SMTP_OAuth::settings_url() );
		exit;
	}

	/**
	 * The Connect/Disconnect result on our page, and on every admin screen a broken connection.
	 */
	public static function notices() {
		if ( ! current_user_can( Native_SMTP_OAuth::capability() ) && ! current_user_can( 'manage_options' ) ) {
			return;
		}
		$notice = get_transient( 'native_smtp_oauth_notice_' . get_current_user_id() );
		if ( is_array( $notice ) ) {
			delete_transient( 'native_smtp_oauth_notice_' . get_current_user_id() );
			printf( '<div class="notice notice-%1$s is-dismissible" id="native-smtp-oauth-notice"><p>%2$s</p></div>', 'success' === $notice['type'] ? 'success' : 'error', esc_html( (string) $notice['message'] ) );
		}
		$reason = Native_SMTP_OAuth::broken_reason();
		if ( '' === $reason ) {
			return;
		}
		$provider = Native_SMTP_OAuth::current();
		echo '<div class="notice notice-error" id="native-smtp-oauth-broken"><p><strong>';
		echo esc_html(
			sprintf(
				/* translators: %s: provider */
				__( 'Native SMTP: the %s connection is broken and email cannot be sent.', 'native-smtp' ),
				Native_SMTP_Connections::get( $provider )['label']
			)
		);
		echo '</strong> ' . esc_html( $reason ) . '</p><p>';
		if ( current_user_can( Native_SMTP_OAuth::capability() ) ) {
			printf( '<a href="%1$s">%2$s</a>', esc_url( Native_SMTP_OAuth::settings_url() ), esc_html__( 'Reconnect: open the settings and click "Save and reconnect".', 'native-smtp' ) );
		} else {
			esc_html_e( 'Ask the network administrator to reconnect the account.', 'native-smtp' );
		}
		echo '</p></div>';
	}

	/**
	 * native_smtp_test_hint: what to do when a Send Test over an OAuth connection fails.
	 *
	 * @param string $hint    Hint so far ('' for the default).
	 * @param int    $code    SMTP reply code.
	 * @param string $class   Exception class.
	 * @param string $message Error text.
	 * @return string
	 */
	public static function test_hint( $hint, $code, $class, $message ) {
		$provider = Native_SMTP_OAuth::current();
		if ( '' === $provider ) {
			return $hint;
		}
		$label = Native_SMTP_Connections::get( $provider )['label'];
		if ( false !== strpos( (string) $message, 'invalid_grant' ) ) {
			/* translators: %s: provider */
			return sprintf( __( 'The %s connection is broken: the consent was withdrawn, the password changed, or the token expired. On the Settings tab click "Save and reconnect" and sign in again.', 'native-smtp' ), $label );
		}
		if ( false !== strpos( (string) $message, 'invalid_client' ) ) {
			return __( 'The provider refused the client ID or client secret (a client secret expires: make a new one in the app registration), then paste it on the Settings tab and reconnect.', 'native-smtp' );
		}
		if ( false !== strpos( (string) $message, '5.7.139' ) || false !== strpos( (string) $message, 'SmtpClientAuthentication' ) || false !== strpos( (string) $message, '5.7.3' ) ) {
			return __( 'Microsoft refused the login: turn on Authenticated SMTP for the mailbox (Microsoft 365 admin center: Users, the user, Mail, Manage email apps) and check that the app has the SMTP.Send permission.', 'native-smtp' );
		}
		if ( in_array( (int) $code, array( 534, 535 ), true ) || 'Smtp\AuthenticationException' === ltrim( (string) $class, '\\' ) ) {
			/* translators: %s: provider */
			return sprintf( __( 'The %s server refused the OAuth login. Check that the connected mailbox may send (Google: IMAP/SMTP access allowed for the account) and reconnect on the Settings tab.', 'native-smtp' ), $label );
		}
		return $hint;
	}

	/**
	 * site_status_tests: the OAuth connection's test.
	 *
	 * @param array $tests Tests.
	 * @return array
	 */
	public static function add_site_health_test( $tests ) {
		$tests['direct']['native_smtp_oauth'] = array(
			'label' => __( 'Native SMTP OAuth connection', 'native-smtp' ),
			'test'  => array( __CLASS__, 'run_site_health' ),
		);
		return $tests;
	}

	/**
	 * The Site Health result: connected, not connected, or broken (and how to reconnect).
	 *
	 * @return array
	 */
	public static function run_site_health() {
		$provider = Native_SMTP_OAuth::current();
		$result   = array(
			'label'       => __( 'Email goes out over an OAuth connection that works', 'native-smtp' ),
			'status'      => 'good',
			'badge'       => array(
				'label' => __( 'Email', 'native-smtp' ),
				'color' => 'blue',
			),
			'description' => '',
			'actions'     => sprintf( '<p><a href="%s">%s</a></p>', esc_url( Native_SMTP_OAuth::settings_url() ), esc_html__( 'Native SMTP settings', 'native-smtp' ) ),
			'test'        => 'native_smtp_oauth',
		);
		if ( '' === $provider ) {
			$result['label']       = __( 'Native SMTP does not use an OAuth connection', 'native-smtp' );
			$result['description'] = '<p>' . esc_html__( 'The connection type is Other SMTP: nothing to check here.', 'native-smtp' ) . '</p>';
			return $result;
		}
		$label = Native_SMTP_Connections::get( $provider )['label'];
		$creds = Native_SMTP_OAuth::creds( $provider );
		if ( '' !== $creds['broken'] ) {
			$result['status']      = 'critical';
			$result['badge']['color'] = 'red';
			/* translators: %s: provider */
			$result['label']       = sprintf( __( 'The %s connection is broken: email cannot be sent', 'native-smtp' ), $label );
			$result['description'] = '<p>' . esc_html( $creds['broken'] ) . '</p><p>' . esc_html__( 'Open the Native SMTP settings, click "Save and reconnect" and sign in again with the mailbox.', 'native-smtp' ) . '</p>';
			return $result;
		}
		if ( ! Native_SMTP_OAuth::is_connected( $provider ) ) {
			$result['status']      = 'recommended';
			$result['badge']['color'] = 'orange';
			/* translators: %s: provider */
			$result['label']       = sprintf( __( '%s is chosen but not connected', 'native-smtp' ), $label );
			$result['description'] = '<p>' . esc_html__( 'Until it is connected WordPress sends with PHP\'s mail(). Open the Native SMTP settings and click "Save and connect".', 'native-smtp' ) . '</p>';
			return $result;
		}
		/* translators: 1: provider, 2: mailbox */
		$result['description'] = '<p>' . esc_html( sprintf( __( 'Connected to %1$s as %2$s; the smtp extension refreshes the access token itself.', 'native-smtp' ), $label, $creds['mailbox'] ) ) . '</p>';
		return $result;
	}
}

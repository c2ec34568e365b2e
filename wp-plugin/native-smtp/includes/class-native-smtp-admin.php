<?php
/**
 * Admin screens: Settings -> Native SMTP (Settings, Send Test and Email Log tabs) and notices.
 *
 * @package Native_SMTP
 */

defined( 'ABSPATH' ) || exit;

/**
 * The settings page and everything on it.
 */
class Native_SMTP_Admin {

	const PAGE       = 'native-smtp';
	const CAPABILITY = 'manage_options';

	/** Settings API page name of the DKIM tab's fields (a form of its own). */
	const DKIM_PAGE = 'native-smtp-dkim';

	/**
	 * The page's hook suffix (for enqueueing assets only there).
	 *
	 * @var string
	 */
	private static $hook_suffix = '';

	/**
	 * Which settings the fields show and save: 'site' (Settings -> Native SMTP) or 'network'
	 * (Network Admin -> Settings -> Native SMTP, multisite).
	 *
	 * @var string
	 */
	public static $context = 'site';

	/** User meta: the user dismissed the "extension missing" notice. */
	const DISMISS_META = 'native_smtp_dismissed_no_extension';

	/**
	 * Hooks the page, the setting, the assets and the notices.
	 */
	public static function register_hooks() {
		add_action( 'admin_menu', array( __CLASS__, 'add_page' ) );
		add_action( 'admin_init', array( __CLASS__, 'register_settings' ) );
		add_action( 'admin_enqueue_scripts', array( __CLASS__, 'enqueue_assets' ) );
		add_action( 'admin_notices', array( __CLASS__, 'notices' ) );
		add_action( 'network_admin_notices', array( __CLASS__, 'notices' ) );
		add_action( 'admin_post_native_smtp_dismiss_extension', array( __CLASS__, 'handle_dismiss_extension' ) );
		add_action( 'admin_post_native_smtp_send_test', array( __CLASS__, 'handle_send_test' ) );
		add_filter( 'plugin_action_links_' . plugin_basename( NATIVE_SMTP_PLUGIN_FILE ), array( __CLASS__, 'action_links' ) );
		// A changed setting must not reuse a connection opened with the old one.
		add_action( 'update_option_' . Native_SMTP_Options::OPTION, array( 'Native_SMTP_Transport', 'reset_mailer' ) );
	}

	/**
	 * Settings -> Native SMTP.
	 */
	public static function add_page() {
		self::$hook_suffix = (string) add_options_page(
			__( 'Native SMTP', 'native-smtp' ),
			__( 'Native SMTP', 'native-smtp' ),
			self::CAPABILITY,
			self::PAGE,
			array( __CLASS__, 'render_page' )
		);
		if ( '' !== self::$hook_suffix ) {
			// Bulk actions of the Email Log post back to the page: handled before any output.
			add_action( 'load-' . self::$hook_suffix, array( __CLASS__, 'handle_log_bulk' ) );
		}
	}

	/**
	 * The page's hook suffix.
	 *
	 * @return string
	 */
	public static function hook_suffix() {
		return self::$hook_suffix;
	}

	/**
	 * "Settings" link on the Plugins screen.
	 *
	 * @param string[] $links Action links.
	 * @return string[]
	 */
	public static function action_links( $links ) {
		array_unshift(
			$links,
			sprintf( '<a href="%s">%s</a>', esc_url( admin_url( 'options-general.php?page=' . self::PAGE ) ), esc_html__( 'Settings', 'native-smtp' ) )
		);
		return $links;
	}

	/**
	 * Registers the option with the Settings API (options.php checks the nonce and manage_options).
	 */
	public static function register_settings() {
		register_setting(
			'native_smtp',
			Native_SMTP_Options::OPTION,
			array(
				'type'              => 'array',
				'sanitize_callback' => array( 'Native_SMTP_Options', 'sanitize' ),
				'default'           => Native_SMTP_Options::defaults(),
				'show_in_rest'      => false,
			)
		);

		add_settings_section( 'native_smtp_sender', __( 'Sender', 'native-smtp' ), '__return_false', self::PAGE );
		add_settings_section( 'native_smtp_server', __( 'SMTP Server', 'native-smtp' ), '__return_false', self::PAGE );
		add_settings_section( 'native_smtp_queue', __( 'Queue', 'native-smtp' ), '__return_false', self::PAGE );
		add_settings_section( 'native_smtp_log', __( 'Email Log', 'native-smtp' ), '__return_false', self::PAGE );

		$fields = array(
			array( 'from_email', __( 'From Email', 'native-smtp' ), 'native_smtp_sender', 'render_from_email' ),
			array( 'from_name', __( 'From Name', 'native-smtp' ), 'native_smtp_sender', 'render_from_name' ),
			array( 'return_path', __( 'Return-Path', 'native-smtp' ), 'native_smtp_sender', 'render_return_path' ),
		);
		// The server section shows the fields of the connection type in use (today "smtp"; a new type
		// lists its own through native_smtp_connection_types and native_smtp_setting_fields).
		$connection = Native_SMTP_Connections::get( Native_SMTP_Options::get( 'connection' ) );
		foreach ( $connection['fields'] as $key ) {
			if ( isset( self::server_fields()[ $key ] ) ) {
				$fields[] = array_merge( array( $key ), self::server_fields()[ $key ] );
			}
		}
		$fields = array_merge(
			$fields,
			array(
			array( 'queue', __( 'Queue', 'native-smtp' ), 'native_smtp_queue', 'render_queue' ),
			array( 'log_bodies', __( 'Store email bodies', 'native-smtp' ), 'native_smtp_log', 'render_log_bodies' ),
			array( 'retention_days', __( 'Keep log entries', 'native-smtp' ), 'native_smtp_log', 'render_retention' ),
			)
		);
		add_settings_section( 'native_smtp_dkim', __( 'DKIM signing', 'native-smtp' ), array( __CLASS__, 'render_dkim_intro' ), self::DKIM_PAGE );
		$dkim_fields = array(
			array( 'dkim_enabled', __( 'Sign emails', 'native-smtp' ), 'native_smtp_dkim', 'render_dkim_enabled' ),
			array( 'dkim_domain', __( 'DKIM Domain', 'native-smtp' ), 'native_smtp_dkim', 'render_dkim_domain' ),
			array( 'dkim_selector', __( 'DKIM Selector', 'native-smtp' ), 'native_smtp_dkim', 'render_dkim_selector' ),
			array( 'dkim_algorithm', __( 'DKIM Algorithm', 'native-smtp' ), 'native_smtp_dkim', 'render_dkim_algorithm' ),
		);
		foreach ( $dkim_fields as $field ) {
			list( $key, $label, $section, $renderer ) = $field;
			add_settings_field( 'native_smtp_' . $key, $label, array( __CLASS__, $renderer ), self::DKIM_PAGE, $section, array( 'label_for' => self::field_id( $key ) ) );
		}

		foreach ( $fields as $field ) {
			list( $key, $label, $section, $renderer ) = $field;
			$args = array( 'key' => $key );
			// label_for makes the row's title a <label for=...>; a radio group gets a fieldset legend instead.
			if ( 'encryption' !== $key ) {
				$args['label_for'] = self::field_id( $key );
			}
			add_settings_field( 'native_smtp_' . $key, $label, is_string( $renderer ) ? array( __CLASS__, $renderer ) : $renderer, self::PAGE, $section, $args );
		}
	}

	/**
	 * Setting => [label, section, renderer] of the connection fields this class can render.
	 *
	 * @return array<string, array{0: string, 1: string, 2: callable|string}>
	 */
	private static function server_fields() {
		$fields = array(
			'host'                => array( __( 'SMTP Host', 'native-smtp' ), 'native_smtp_server', 'render_host' ),
			'encryption'          => array( __( 'Encryption', 'native-smtp' ), 'native_smtp_server', 'render_encryption' ),
			'port'                => array( __( 'SMTP Port', 'native-smtp' ), 'native_smtp_server', 'render_port' ),
			'auth'                => array( __( 'Authentication', 'native-smtp' ), 'native_smtp_server', 'render_auth' ),
			'username'            => array( __( 'SMTP Username', 'native-smtp' ), 'native_smtp_server', 'render_username' ),
			'password'            => array( __( 'SMTP Password', 'native-smtp' ), 'native_smtp_server', 'render_password' ),
			'allow_insecure_auth' => array( __( 'Login without encryption', 'native-smtp' ), 'native_smtp_server', 'render_allow_insecure_auth' ),
		);
		/**
		 * Filters the connection fields the settings page can show: setting => [label, section,
		 * renderer]. A renderer is a method name of this class or a callable.
		 *
		 * @param array $fields Fields.
		 */
		return (array) apply_filters( 'native_smtp_setting_fields', $fields );
	}

	/**
	 * Loads the port-follows-encryption script on our page only.
	 *
	 * @param string $hook_suffix Current admin page.
	 */
	public static function enqueue_assets( $hook_suffix ) {
		if ( $hook_suffix !== self::$hook_suffix && $hook_suffix !== Native_SMTP_Network_Admin::hook_suffix() ) {
			return;
		}
		wp_enqueue_script( 'native-smtp-admin', plugins_url( 'assets/admin.js', NATIVE_SMTP_PLUGIN_FILE ), array(), NATIVE_SMTP_VERSION, true );
		wp_add_inline_script( 'native-smtp-admin', 'window.nativeSmtpDefaultPorts = ' . wp_json_encode( Native_SMTP_Options::DEFAULT_PORTS ) . ';', 'before' );
	}

	/**
	 * Admin notices: the extension is missing (with install steps), settings incomplete, a Resend result.
	 */
	public static function notices() {
		$capability = is_network_admin() ? 'manage_network_options' : self::CAPABILITY;
		if ( ! current_user_can( $capability ) ) {
			return;
		}
		$screen  = function_exists( 'get_current_screen' ) ? get_current_screen() : null;
		$on_page = $screen && ( self::$hook_suffix === $screen->id || Native_SMTP_Network_Admin::hook_suffix() . '-network' === $screen->id || Native_SMTP_Network_Admin::hook_suffix() === $screen->id );
		if ( ! Native_SMTP_Transport::extension_loaded() ) {
			// Dismissed: gone from other screens, still shown on our own page (it is why nothing works).
			if ( $on_page || ! get_user_meta( get_current_user_id(), self::DISMISS_META, true ) ) {
				self::render_extension_notice( $on_page );
			}
			return;
		}
		self::render_secrets_notice();
		if ( is_network_admin() ) {
			return;
		}
		self::render_failed_notice();
		if ( $on_page && ! Native_SMTP_Options::is_complete() ) {
			echo '<div class="notice notice-info"><p>';
			esc_html_e( 'Native SMTP is not sending yet: enter the SMTP Host (and the SMTP Username when Authentication is on) and save. Until then WordPress uses PHP\'s mail().', 'native-smtp' );
			echo '</p></div>';
		}
	}

	/**
	 * The "extension missing" notice: what a site owner, a host or a control panel can do.
	 *
	 * @param bool $on_page Whether this is our settings page (no Dismiss there).
	 */
	private static function render_extension_notice( $on_page ) {
		echo '<div class="notice notice-warning" id="native-smtp-no-extension"><p><strong>';
		esc_html_e( 'Native SMTP: the smtp PHP extension is not loaded.', 'native-smtp' );
		echo '</strong> ';
		esc_html_e( 'WordPress keeps sending email with PHP\'s mail() function until it is installed.', 'native-smtp' );
		echo '</p><p>' . esc_html__( 'On shared hosting: ask your host to install and enable the "smtp" PHP extension (php-smtp) for your site\'s PHP version. In a control panel, look for it under PHP extensions (cPanel: Select PHP Version, Extensions; Plesk: PHP Settings; DirectAdmin: PHP extensions) and tick "smtp".', 'native-smtp' ) . '</p>';
		echo '<p>' . esc_html__( 'On your own server:', 'native-smtp' ) . '</p><ol>';
		echo '<li>' . esc_html__( 'Build it: in the php-smtp source folder run phpize, ./configure and make, then make install (as root).', 'native-smtp' ) . '</li>';
		echo '<li>' . sprintf(
			/* translators: 1: file name, 2: command */
			esc_html__( 'Enable it: put extension=smtp.so into %1$s and run %2$s.', 'native-smtp' ),
			'<code>/etc/php/' . esc_html( PHP_MAJOR_VERSION . '.' . PHP_MINOR_VERSION ) . '/mods-available/smtp.ini</code>',
			'<code>phpenmod smtp</code>'
		) . '</li>';
		echo '<li>' . esc_html__( 'Restart PHP (PHP-FPM or the web server), then reload this page.', 'native-smtp' ) . '</li>';
		echo '</ol>';
		if ( ! $on_page ) {
			printf(
				'<p><a href="%1$s" id="native-smtp-dismiss-extension">%2$s</a></p>',
				esc_url( wp_nonce_url( admin_url( 'admin-post.php?action=native_smtp_dismiss_extension' ), 'native_smtp_dismiss_extension' ) ),
				esc_html__( 'Dismiss (the Native SMTP page keeps showing this)', 'native-smtp' )
			);
		}
		echo '</div>';
	}

	/**
	 * admin-post.php?action=native_smtp_dismiss_extension: hides the notice for this user.
	 */
	public static function handle_dismiss_extension() {
		if ( ! is_user_logged_in() ) {
			wp_die( esc_html__( 'Sorry, you are not allowed to do that.', 'native-smtp' ), 403 );
		}
		check_admin_referer( 'native_smtp_dismiss_extension' );
		update_user_meta( get_current_user_id(), self::DISMISS_META, 1 );
		wp_safe_redirect( wp_get_referer() ? wp_get_referer() : admin_url() );
		exit;
	}

	/**
	 * The notice on every admin screen when a stored secret no longer decrypts.
	 */
	public static function render_secrets_notice() {
		$problems = Native_SMTP_Options::secret_problems();
		if ( ! $problems ) {
			return;
		}
		echo '<div class="notice notice-error" id="native-smtp-secrets-notice"><p><strong>';
		esc_html_e( 'Native SMTP: stored secrets can no longer be decrypted.', 'native-smtp' );
		echo '</strong> ' . esc_html( self::secrets_problem_text( $problems ) ) . '</p></div>';
	}

	/**
	 * What is wrong with the stored secrets and what to do, in one paragraph.
	 *
	 * @param array $problems Native_SMTP_Options::secret_problems().
	 * @return string
	 */
	public static function secrets_problem_text( array $problems ) {
		$names = array();
		foreach ( $problems as $problem ) {
			$names[] = 'password' === $problem['secret']
				? __( 'the SMTP Password', 'native-smtp' )
				/* translators: %s: DKIM algorithm */
				: sprintf( __( 'the %s DKIM key', 'native-smtp' ), $problem['secret'] );
		}
		return sprintf(
			/* translators: 1: list of secrets, 2: constant name */
			__( 'The key that encrypted %1$s changed (the WordPress salts in wp-config.php were changed, or %2$s was changed or removed), so email fails to log in or goes out unsigned. Enter the password again (and generate a DKIM key under a new selector), or put the old key back. To keep this from happening when salts are rotated, define %2$s in wp-config.php (a long random text) before saving the password again.', 'native-smtp' ),
			implode( ', ', $names ),
			'NATIVE_SMTP_KEY'
		);
	}

	/**
	 * The notice on every admin screen when queued emails were given up on, until dismissed.
	 */
	public static function render_failed_notice() {
		$failed = Native_SMTP_Queue::failed_notice();
		if ( $failed['count'] < 1 ) {
			return;
		}
		echo '<div class="notice notice-error" id="native-smtp-failed-notice"><p><strong>';
		echo esc_html(
			sprintf(
				/* translators: %d: number of emails */
				_n( 'Native SMTP: %d email could not be delivered and was given up on.', 'Native SMTP: %d emails could not be delivered and were given up on.', $failed['count'], 'native-smtp' ),
				$failed['count']
			)
		);
		echo '</strong></p><ul>';
		foreach ( array_slice( array_reverse( $failed['items'] ), 0, 5 ) as $item ) {
			echo '<li>' . esc_html( $item['to'] ) . ': <code>' . esc_html( $item['error'] ) . '</code></li>';
		}
		echo '</ul><p>';
		printf(
			'<a href="%1$s">%2$s</a> | <a href="%3$s" id="native-smtp-dismiss-failed">%4$s</a>',
			esc_url( admin_url( 'options-general.php?page=' . self::PAGE . '&tab=log' ) ),
			esc_html__( 'Open the Email Log', 'native-smtp' ),
			esc_url( wp_nonce_url( admin_url( 'admin-post.php?action=native_smtp_dismiss_failed' ), 'native_smtp_dismiss_failed' ) ),
			esc_html__( 'Dismiss', 'native-smtp' )
		);
		echo '</p></div>';
	}

	/**
	 * The HTML id of a setting's input.
	 *
	 * @param string $key Setting name.
	 * @return string
	 */
	private static function field_id( $key ) {
		return 'native-smtp-' . str_replace( '_', '-', $key );
	}

	/**
	 * The HTML name of a setting's input.
	 *
	 * @param string $key Setting name.
	 * @return string
	 */
	private static function field_name( $key ) {
		return Native_SMTP_Options::OPTION . '[' . $key . ']';
	}

	/**
	 * The value a field shows: the constant's when locked, else the stored one.
	 *
	 * @param string $key Setting name.
	 * @return mixed
	 */
	private static function field_value( $key ) {
		if ( Native_SMTP_Options::is_locked( $key ) ) {
			return Native_SMTP_Options::get( $key );
		}
		$stored = 'network' === self::$context ? Native_SMTP_Options::network_stored() : Native_SMTP_Options::stored();
		return Native_SMTP_Options::normalise( $key, $stored[ $key ] );
	}

	/**
	 * Whether this field is the network's and shown read-only here (a subsite's page on multisite).
	 *
	 * @param string $key Setting name.
	 * @return bool
	 */
	public static function is_network_controlled( $key ) {
		return 'site' === self::$context && ! Native_SMTP_Options::site_may_set( $key );
	}

	/**
	 * " disabled" for a locked field.
	 *
	 * @param string $key Setting name.
	 * @return string
	 */
	private static function disabled( $key ) {
		return Native_SMTP_Options::is_locked( $key ) || self::is_network_controlled( $key ) ? ' disabled="disabled"' : '';
	}

	/**
	 * The note under a locked field naming its constant.
	 *
	 * @param string $key Setting name.
	 */
	private static function lock_note( $key ) {
		if ( ! Native_SMTP_Options::is_locked( $key ) && self::is_network_controlled( $key ) ) {
			printf(
				'<p class="description native-smtp-network-locked"><span class="dashicons dashicons-networking" aria-hidden="true"></span> %s</p>',
				esc_html__( 'Set by the network administrator.', 'native-smtp' )
			);
			return;
		}
		if ( ! Native_SMTP_Options::is_locked( $key ) ) {
			return;
		}
		printf(
			'<p class="description native-smtp-locked"><span class="dashicons dashicons-lock" aria-hidden="true"></span> %s</p>',
			sprintf(
				/* translators: %s: constant name */
				esc_html__( 'Set by %s in wp-config.php.', 'native-smtp' ),
				'<code>' . esc_html( Native_SMTP_Options::CONSTANTS[ $key ] ) . '</code>'
			)
		);
	}

	/**
	 * A text-like input.
	 *
	 * @param string $key   Setting name.
	 * @param string $type  Input type.
	 * @param string $extra More attributes (already escaped).
	 */
	private static function input( $key, $type = 'text', $extra = '' ) {
		printf(
			'<input type="%1$s" id="%2$s" name="%3$s" value="%4$s" class="regular-text"%5$s%6$s />',
			esc_attr( $type ),
			esc_attr( self::field_id( $key ) ),
			esc_attr( self::field_name( $key ) ),
			esc_attr( (string) self::field_value( $key ) ),
			self::disabled( $key ), // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- constant markup.
			$extra // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- built from escaped parts by the callers.
		);
		self::lock_note( $key );
	}

	/**
	 * A checkbox with its own label.
	 *
	 * @param string $key   Setting name.
	 * @param string $label Visible label.
	 */
	private static function checkbox( $key, $label ) {
		printf(
			'<label for="%1$s"><input type="checkbox" id="%1$s" name="%2$s" value="1"%3$s%4$s /> %5$s</label>',
			esc_attr( self::field_id( $key ) ),
			esc_attr( self::field_name( $key ) ),
			checked( (bool) self::field_value( $key ), true, false ),
			self::disabled( $key ), // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped
			esc_html( $label )
		);
		self::lock_note( $key );
	}

	/**
	 * From Email and its Force checkbox.
	 */
	public static function render_from_email() {
		self::input( 'from_email', 'email', ' autocomplete="email"' );
		echo '<p>';
		self::checkbox( 'force_from_email', __( 'Force', 'native-smtp' ) );
		echo '</p><p class="description">' . esc_html__( 'Used when a plugin did not choose a From address; with Force, used for every email.', 'native-smtp' ) . '</p>';
	}

	/**
	 * From Name and its Force checkbox.
	 */
	public static function render_from_name() {
		self::input( 'from_name' );
		echo '<p>';
		self::checkbox( 'force_from_name', __( 'Force', 'native-smtp' ) );
		echo '</p>';
	}

	/**
	 * Return-Path.
	 */
	public static function render_return_path() {
		self::checkbox( 'return_path', __( 'Set the return path to match the From Email', 'native-smtp' ) );
		echo '<p class="description">' . esc_html__( 'Bounces (undeliverable email) then go to the From Email.', 'native-smtp' ) . '</p>';
	}

	/**
	 * SMTP Host.
	 */
	public static function render_host() {
		self::input( 'host', 'text', ' placeholder="smtp.example.com" autocomplete="off" spellcheck="false"' );
	}

	/**
	 * Encryption: None / SSL / TLS radios in a fieldset.
	 */
	public static function render_encryption() {
		$current = self::field_value( 'encryption' );
		$choices = array(
			'none' => __( 'None', 'native-smtp' ),
			'ssl'  => __( 'SSL', 'native-smtp' ),
			'tls'  => __( 'TLS', 'native-smtp' ),
		);
		echo '<fieldset id="native-smtp-encryption"><legend class="screen-reader-text">' . esc_html__( 'Encryption', 'native-smtp' ) . '</legend>';
		foreach ( $choices as $value => $label ) {
			printf(
				'<label for="%1$s" style="margin-right:1.5em"><input type="radio" id="%1$s" name="%2$s" value="%3$s"%4$s%5$s /> %6$s</label>',
				esc_attr( 'native-smtp-encryption-' . $value ),
				esc_attr( self::field_name( 'encryption' ) ),
				esc_attr( $value ),
				checked( $current, $value, false ),
				self::disabled( 'encryption' ), // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped
				esc_html( $label )
			);
		}
		echo '</fieldset>';
		echo '<p class="description">' . esc_html__( 'TLS (STARTTLS, port 587) is right for most servers; SSL means implicit TLS (port 465); None sends in plain text (port 25).', 'native-smtp' ) . '</p>';
		self::lock_note( 'encryption' );
	}

	/**
	 * SMTP Port.
	 */
	public static function render_port() {
		self::input( 'port', 'number', ' min="1" max="65535" step="1" style="width:7em"' );
	}

	/**
	 * Authentication on/off.
	 */
	public static function render_auth() {
		self::checkbox( 'auth', __( 'On: log in with the SMTP Username and SMTP Password', 'native-smtp' ) );
	}

	/**
	 * SMTP Username.
	 */
	public static function render_username() {
		self::input( 'username', 'text', ' autocomplete="off" spellcheck="false"' );
	}

	/**
	 * SMTP Password: never printed back; a placeholder says one is stored, and an empty submit keeps it.
	 */
	public static function render_password() {
		$has_password = Native_SMTP_Options::has_password();
		printf(
			'<input type="password" id="%1$s" name="%2$s" value="" class="regular-text" autocomplete="new-password" placeholder="%3$s"%4$s />',
			esc_attr( self::field_id( 'password' ) ),
			esc_attr( self::field_name( 'password' ) ),
			esc_attr( $has_password ? Native_SMTP_Options::PASSWORD_PLACEHOLDER : '' ),
			self::disabled( 'password' ) // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped
		);
		self::lock_note( 'password' );
		if ( Native_SMTP_Options::is_locked( 'password' ) ) {
			return;
		}
		$stored_password = Native_SMTP_Options::stored()['password'];
		if ( $has_password && in_array( Native_SMTP_Crypto::status( (string) $stored_password ), array( 'key_changed', 'damaged' ), true ) ) {
			echo '<p class="description native-smtp-secret-broken" style="color:#d63638"><strong>' . esc_html__( 'The stored password can no longer be decrypted.', 'native-smtp' ) . '</strong> '
				. esc_html( self::secrets_problem_text( array( array( 'secret' => 'password', 'status' => 'key_changed' ) ) ) ) . '</p>';
		}
		if ( self::is_network_controlled( 'password' ) ) {
			echo '<p class="description">' . esc_html( $has_password ? __( 'A password is stored (encrypted).', 'native-smtp' ) : __( 'No password is stored.', 'native-smtp' ) ) . '</p>';
			return;
		}
		self::key_note();
		if ( $has_password ) {
			echo '<p class="description">' . esc_html__( 'A password is stored (encrypted). Leave the field empty to keep it.', 'native-smtp' ) . '</p><p>';
			printf(
				'<label for="native-smtp-clear-password"><input type="checkbox" id="native-smtp-clear-password" name="%s" value="1" /> %s</label></p>',
				esc_attr( self::field_name( 'clear_password' ) ),
				esc_html__( 'Remove the stored password', 'native-smtp' )
			);
		} else {
			echo '<p class="description">' . esc_html__( 'Stored encrypted. For Gmail, use an app password.', 'native-smtp' ) . '</p>';
		}
	}

	/**
	 * Where the encryption key comes from, and how to make it survive salt changes.
	 */
	private static function key_note() {
		if ( Native_SMTP_Crypto::has_constant_key() ) {
			echo '<p class="description native-smtp-key-note">' . sprintf(
				/* translators: %s: constant name */
				esc_html__( 'Encrypted with %s from wp-config.php.', 'native-smtp' ),
				'<code>NATIVE_SMTP_KEY</code>'
			) . '</p>';
			return;
		}
		echo '<p class="description native-smtp-key-note">' . sprintf(
			/* translators: 1: constant name, 2: example line */
			esc_html__( 'Encrypted with a key made from the WordPress salts: if they change, the password must be entered again. To avoid that, add %1$s to wp-config.php (for example %2$s) and then save the password again.', 'native-smtp' ),
			'<code>NATIVE_SMTP_KEY</code>',
			'<code>define( \'NATIVE_SMTP_KEY\', \'' . esc_html( wp_generate_password( 48, false ) ) . '\' );</code>'
		) . '</p>';
	}

	/**
	 * "Allow login without encryption": AUTH over a plaintext connection, only when asked for.
	 */
	public static function render_allow_insecure_auth() {
		self::checkbox( 'allow_insecure_auth', __( 'Allow login without encryption (sends the SMTP password in plain text; only for a relay on this machine or a private network)', 'native-smtp' ) );
	}

	/**
	 * Queue on/off.
	 */
	public static function render_queue() {
		self::checkbox( 'queue', __( 'When the SMTP server cannot be reached, keep the email and retry every minute', 'native-smtp' ) );
		if ( is_multisite() && 'network' !== self::$context ) {
			// The folder is the network's business; a subsite admin has no use for a server path.
			echo '<p class="description">' . esc_html__( 'Queued emails are kept in a private folder, never served by the web server, and given up on after two days; you get a notice and an email then.', 'native-smtp' ) . '</p>';
			return;
		}
		echo '<p class="description">' . esc_html(
			sprintf(
				/* translators: %s: folder path */
				__( 'Queued emails are kept in %s (a private folder, never served by the web server) and given up on after two days; you get a notice and an email then.', 'native-smtp' ),
				'network' === self::$context ? Native_SMTP_Queue::base_dir() . '/site-*' : Native_SMTP_Queue::dir()
			)
		) . '</p>';
	}

	/**
	 * DKIM: what it is, in one line.
	 */
	public static function render_dkim_intro() {
		echo '<p>' . esc_html__( 'DKIM signs every email with a key of this site, so receiving servers can check it really comes from your domain. Generate a key, publish the DNS record shown below at your DNS provider, then turn signing on.', 'native-smtp' ) . '</p>';
	}

	/**
	 * DKIM on/off.
	 */
	public static function render_dkim_enabled() {
		self::checkbox( 'dkim_enabled', __( 'Sign every email with DKIM', 'native-smtp' ) );
		if ( Native_SMTP_Options::get( 'dkim_enabled' ) ) {
			foreach ( Native_SMTP_Dkim::algorithms() as $algorithm ) {
				if ( ! Native_SMTP_Dkim::has_key( $algorithm ) ) {
					echo '<p class="description" style="color:#d63638">' . esc_html__( 'Signing is on but there is no key yet: generate one below.', 'native-smtp' ) . '</p>';
					break;
				}
			}
		}
	}

	/**
	 * DKIM Domain.
	 */
	public static function render_dkim_domain() {
		self::input( 'dkim_domain', 'text', sprintf( ' placeholder="%s" spellcheck="false"', esc_attr( Native_SMTP_Dkim::domain() ) ) );
		echo '<p class="description">' . esc_html__( 'The domain of your From Email (used when empty).', 'native-smtp' ) . '</p>';
	}

	/**
	 * DKIM Selector.
	 */
	public static function render_dkim_selector() {
		self::input( 'dkim_selector', 'text', sprintf( ' placeholder="%s" spellcheck="false"', esc_attr( Native_SMTP_Dkim::base_selector() ) ) );
		echo '<p class="description">' . esc_html__( 'A name for this key, so a new key can be published beside the old one (used when empty: the one shown).', 'native-smtp' ) . '</p>';
	}

	/**
	 * DKIM Algorithm.
	 */
	public static function render_dkim_algorithm() {
		$current = self::field_value( 'dkim_algorithm' );
		$choices = array(
			'rsa-sha256'     => __( 'RSA (rsa-sha256): understood everywhere', 'native-smtp' ),
			'ed25519-sha256' => __( 'Ed25519 (ed25519-sha256): short keys, not checked by every receiver yet', 'native-smtp' ),
			'both'           => __( 'Both: two signatures, two DNS records', 'native-smtp' ),
		);
		printf( '<select id="%1$s" name="%2$s"%3$s>', esc_attr( self::field_id( 'dkim_algorithm' ) ), esc_attr( self::field_name( 'dkim_algorithm' ) ), self::disabled( 'dkim_algorithm' ) ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped
		foreach ( $choices as $value => $label ) {
			printf( '<option value="%1$s"%2$s>%3$s</option>', esc_attr( $value ), selected( $current, $value, false ), esc_html( $label ) );
		}
		echo '</select>';
		self::lock_note( 'dkim_algorithm' );
	}

	/**
	 * Store email bodies.
	 */
	public static function render_log_bodies() {
		self::checkbox( 'log_bodies', __( 'Keep the message text of every email in the log (needed for Resend)', 'native-smtp' ) );
	}

	/**
	 * Retention in days.
	 */
	public static function render_retention() {
		self::input( 'retention_days', 'number', ' min="0" max="3650" step="1" style="width:7em"' );
		echo ' ' . esc_html__( 'days (0 keeps them forever)', 'native-smtp' );
	}

	/**
	 * The page: tabs, then the current tab.
	 */
	public static function render_page() {
		if ( ! current_user_can( self::CAPABILITY ) ) {
			wp_die( esc_html__( 'Sorry, you are not allowed to manage these settings.', 'native-smtp' ), 403 );
		}
		$tabs = array(
			'settings' => __( 'Settings', 'native-smtp' ),
			'dkim'     => __( 'DKIM', 'native-smtp' ),
			'test'     => __( 'Send Test', 'native-smtp' ),
			'log'      => __( 'Email Log', 'native-smtp' ),
		);
		// phpcs:ignore WordPress.Security.NonceVerification.Recommended -- choosing a tab changes nothing.
		$tab = isset( $_GET['tab'] ) ? sanitize_key( wp_unslash( $_GET['tab'] ) ) : 'settings';
		$tab = isset( $tabs[ $tab ] ) ? $tab : 'settings';

		echo '<div class="wrap native-smtp"><h1>' . esc_html__( 'Native SMTP', 'native-smtp' ) . '</h1>';
		echo '<nav class="nav-tab-wrapper" aria-label="' . esc_attr__( 'Native SMTP sections', 'native-smtp' ) . '">';
		foreach ( $tabs as $slug => $label ) {
			printf(
				'<a href="%1$s" class="nav-tab%2$s" id="native-smtp-tab-%3$s"%4$s>%5$s</a>',
				esc_url( admin_url( 'options-general.php?page=' . self::PAGE . '&tab=' . $slug ) ),
				$tab === $slug ? ' nav-tab-active' : '',
				esc_attr( $slug ),
				$tab === $slug ? ' aria-current="page"' : '',
				esc_html( $label )
			);
		}
		echo '</nav>';

		switch ( $tab ) {
			case 'test':
				self::render_test_tab();
				break;
			case 'log':
				self::render_log_tab();
				break;
			case 'dkim':
				self::render_dkim_tab();
				break;
			default:
				self::render_settings_tab();
		}
		echo '</div>';
	}

	/**
	 * Settings tab: the Settings API form.
	 */
	private static function render_settings_tab() {
		// No settings_errors() here: options-head.php already shows them (and "Settings saved.") on Settings pages.
		if ( is_multisite() ) {
			echo '<div class="notice notice-info inline" id="native-smtp-network-note"><p>' . esc_html__( 'This is a network: the network administrator sets the SMTP server, the login, DKIM and the queue for every site. The fields shown greyed out are theirs; you can change the others.', 'native-smtp' );
			if ( current_user_can( 'manage_network_options' ) ) {
				printf( ' <a href="%s">%s</a>', esc_url( network_admin_url( 'settings.php?page=' . self::PAGE ) ), esc_html__( 'Network settings', 'native-smtp' ) );
			}
			echo '</p></div>';
		}
		echo '<form method="post" action="options.php" id="native-smtp-settings">';
		settings_fields( 'native_smtp' );
		// Tells sanitize() that unticked checkboxes (absent from the POST) mean "off".
		echo '<input type="hidden" name="' . esc_attr( self::field_name( '__checkboxes' ) ) . '" value="1" />';
		do_settings_sections( self::PAGE );
		submit_button( __( 'Save Settings', 'native-smtp' ), 'primary', 'submit', true, array( 'id' => 'native-smtp-save' ) );
		echo '</form>';
	}

	/**
	 * DKIM tab: the settings form, the Generate key form, and the DNS record(s) to publish.
	 */
	public static function render_dkim_tab() {
		$notice = get_transient( 'native_smtp_dkim_notice_' . get_current_user_id() );
		if ( false !== $notice ) {
			delete_transient( 'native_smtp_dkim_notice_' . get_current_user_id() );
			if ( 'ok' === $notice ) {
				echo '<div class="notice notice-success is-dismissible" id="native-smtp-dkim-notice"><p>' . esc_html__( 'A new DKIM key was made. Publish the DNS record below, then turn signing on.', 'native-smtp' ) . '</p></div>';
			} else {
				echo '<div class="notice notice-error is-dismissible" id="native-smtp-dkim-notice"><p>' . esc_html( substr( (string) $notice, 6 ) ) . '</p></div>';
			}
		}
		if ( ! Native_SMTP_Dkim::available() ) {
			echo '<div class="notice notice-warning inline"><p>' . esc_html__( 'DKIM needs the smtp PHP extension, which is not loaded.', 'native-smtp' ) . '</p></div>';
		}

		if ( 'network' === self::$context ) {
			echo '<form method="post" action="' . esc_url( network_admin_url( 'edit.php?action=' . Native_SMTP_Network_Admin::ACTION ) ) . '" id="native-smtp-dkim-settings">';
			wp_nonce_field( Native_SMTP_Network_Admin::ACTION );
			echo '<input type="hidden" name="native_smtp_tab" value="dkim" />';
		} else {
			echo '<form method="post" action="options.php" id="native-smtp-dkim-settings">';
			settings_fields( 'native_smtp' );
		}
		// Tells sanitize() this is the DKIM form: an unticked "Sign emails" means off.
		echo '<input type="hidden" name="' . esc_attr( self::field_name( '__dkim_form' ) ) . '" value="1" />';
		do_settings_sections( self::DKIM_PAGE );
		if ( 'network' === self::$context || ! is_multisite() ) {
			submit_button( __( 'Save Settings', 'native-smtp' ), 'primary', 'submit', true, array( 'id' => 'native-smtp-dkim-save' ) );
		}
		echo '</form>';

		echo '<h2>' . esc_html__( 'Key and DNS record', 'native-smtp' ) . '</h2>';
		$any_key    = false;
		$any_stored = false;
		foreach ( Native_SMTP_Dkim::algorithms() as $algorithm ) {
			$record = Native_SMTP_Dkim::has_key( $algorithm ) ? Native_SMTP_Dkim::dns_record( $algorithm ) : '';
			if ( '' === $record ) {
				echo '<p class="native-smtp-dkim-missing">' . esc_html(
					sprintf(
						/* translators: %s: algorithm name */
						__( 'No %s key yet.', 'native-smtp' ),
						$algorithm
					)
				) . '</p>';
				continue;
			}
			$any_key    = true;
			$any_stored = $any_stored || ! Native_SMTP_Dkim::key_locked( $algorithm );
			$slug       = strtok( $algorithm, '-' );
			echo '<table class="form-table native-smtp-dkim-record" role="presentation">';
			printf( '<tr><th scope="row">%s</th><td><code>%s</code></td></tr>', esc_html__( 'Algorithm', 'native-smtp' ), esc_html( $algorithm ) );
			printf( '<tr><th scope="row">%s</th><td><code>TXT</code></td></tr>', esc_html__( 'Record type', 'native-smtp' ) );
			printf(
				'<tr><th scope="row"><label for="native-smtp-dkim-name-%1$s">%2$s</label></th><td><input type="text" readonly="readonly" id="native-smtp-dkim-name-%1$s" class="large-text code native-smtp-copy-source" value="%3$s" /> <button type="button" class="button native-smtp-copy" data-copy="native-smtp-dkim-name-%1$s">%4$s</button></td></tr>',
				esc_attr( $slug ),
				esc_html__( 'Name (host)', 'native-smtp' ),
				esc_attr( Native_SMTP_Dkim::dns_name( $algorithm ) ),
				esc_html__( 'Copy', 'native-smtp' )
			);
			printf(
				'<tr><th scope="row"><label for="native-smtp-dkim-record-%1$s">%2$s</label></th><td><textarea readonly="readonly" id="native-smtp-dkim-record-%1$s" class="large-text code native-smtp-copy-source" rows="4">%3$s</textarea> <button type="button" class="button native-smtp-copy" data-copy="native-smtp-dkim-record-%1$s">%4$s</button></td></tr>',
				esc_attr( $slug ),
				esc_html__( 'Value', 'native-smtp' ),
				esc_textarea( $record ),
				esc_html__( 'Copy', 'native-smtp' )
			);
			if ( Native_SMTP_Dkim::key_locked( $algorithm ) ) {
				printf( '<tr><td colspan="2"><p class="description native-smtp-locked"><span class="dashicons dashicons-lock" aria-hidden="true"></span> %s</p></td></tr>', sprintf( /* translators: %s: constant name */ esc_html__( 'Set by %s in wp-config.php.', 'native-smtp' ), '<code>' . esc_html( Native_SMTP_Dkim::KEY_CONSTANTS[ $algorithm ] ) . '</code>' ) );
			}
			echo '</table>';
		}
		if ( $any_stored ) {
			echo '<p class="description">' . esc_html__( 'The private key is stored encrypted and never shown. Some DNS providers want the Name without your domain at the end.', 'native-smtp' ) . '</p>';
		}

		$all_locked = true;
		foreach ( Native_SMTP_Dkim::algorithms() as $algorithm ) {
			$all_locked = $all_locked && Native_SMTP_Dkim::key_locked( $algorithm );
		}
		$may_generate = is_multisite() ? ( 'network' === self::$context && current_user_can( 'manage_network_options' ) ) : current_user_can( self::CAPABILITY );
		if ( Native_SMTP_Dkim::available() && ! $all_locked && $may_generate ) {
			echo '<form method="post" action="' . esc_url( admin_url( 'admin-post.php' ) ) . '" id="native-smtp-dkim-generate">';
			echo '<input type="hidden" name="action" value="native_smtp_dkim_generate" />';
			wp_nonce_field( 'native_smtp_dkim_generate' );
			$confirm = $any_key ? ' onclick="return window.confirm(' . esc_attr( wp_json_encode( __( 'Make a new key under the new selector? Publish its DNS record before turning signing on with it; keep the old record until mail signed with the old key has arrived.', 'native-smtp' ) ) ) . ');"' : '';
			printf(
				'<p><button type="submit" class="button button-secondary" id="native-smtp-dkim-generate-button"%1$s>%2$s</button></p>',
				$confirm, // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped above.
				esc_html( $any_key ? __( 'Generate new key', 'native-smtp' ) : __( 'Generate key', 'native-smtp' ) )
			);
			echo '<p class="description">' . esc_html__( 'Uses the saved domain, selector and algorithm. A new key needs a new selector, so a published record is never replaced.', 'native-smtp' ) . '</p>';
			echo '</form>';
		}
	}

	/**
	 * Send Test tab: the form, and the result when it was just submitted.
	 */
	private static function render_test_tab() {
		$to     = get_option( 'admin_email' );
		$format = 'html';
		$result = get_transient( 'native_smtp_test_result_' . get_current_user_id() );
		if ( is_array( $result ) ) {
			// Shown once: the POST redirected here (post/redirect/get), so a reload sends nothing.
			delete_transient( 'native_smtp_test_result_' . get_current_user_id() );
			$to     = isset( $result['to'] ) ? $result['to'] : $to;
			$format = $result['format'];
			self::render_test_result( $result );
		}

		echo '<form method="post" action="' . esc_url( admin_url( 'admin-post.php' ) ) . '" id="native-smtp-test">';
		echo '<input type="hidden" name="action" value="native_smtp_send_test" />';
		wp_nonce_field( 'native_smtp_send_test' );
		echo '<table class="form-table" role="presentation"><tr><th scope="row"><label for="native-smtp-test-to">' . esc_html__( 'Send To', 'native-smtp' ) . '</label></th><td>';
		printf( '<input type="email" id="native-smtp-test-to" name="native_smtp_test_to" value="%s" class="regular-text" required />', esc_attr( $to ) );
		echo '<p class="description">' . esc_html__( 'Where the test email goes.', 'native-smtp' ) . '</p></td></tr>';
		echo '<tr><th scope="row">' . esc_html__( 'Format', 'native-smtp' ) . '</th><td><fieldset><legend class="screen-reader-text">' . esc_html__( 'Format', 'native-smtp' ) . '</legend>';
		printf( '<label style="margin-right:1.5em"><input type="radio" name="native_smtp_test_format" value="html"%s /> %s</label>', checked( $format, 'html', false ), esc_html__( 'HTML', 'native-smtp' ) );
		printf( '<label><input type="radio" name="native_smtp_test_format" value="plain"%s /> %s</label>', checked( $format, 'plain', false ), esc_html__( 'Plain text', 'native-smtp' ) );
		echo '</fieldset></td></tr></table>';
		submit_button( __( 'Send Test', 'native-smtp' ), 'primary', 'native_smtp_send_test', true, array( 'id' => 'native-smtp-send-test' ) );
		echo '</form>';
		/** Fires after the Send Test form (the domain check adds its section here). */
		do_action( 'native_smtp_after_test_tab' );
	}

	/**
	 * admin-post.php, POST action=native_smtp_send_test: sends, keeps the result for this user for a
	 * minute and redirects to the Send Test tab, which shows it once.
	 */
	public static function handle_send_test() {
		if ( ! current_user_can( self::CAPABILITY ) ) {
			wp_die( esc_html__( 'Sorry, you are not allowed to send test emails.', 'native-smtp' ), 403 );
		}
		check_admin_referer( 'native_smtp_send_test' );
		$to           = isset( $_POST['native_smtp_test_to'] ) ? sanitize_email( wp_unslash( $_POST['native_smtp_test_to'] ) ) : '';
		$format       = isset( $_POST['native_smtp_test_format'] ) && 'plain' === $_POST['native_smtp_test_format'] ? 'plain' : 'html';
		$result       = self::send_test( $to, $format );
		$result['to'] = $to;
		set_transient( 'native_smtp_test_result_' . get_current_user_id(), $result, 5 * MINUTE_IN_SECONDS );
		wp_safe_redirect( admin_url( 'options-general.php?page=' . self::PAGE . '&tab=test' ) );
		exit;
	}

	/**
	 * Sends the test email with wp_mail(), so it takes exactly the path every other email takes.
	 *
	 * @param string $to     Recipient.
	 * @param string $format html | plain.
	 * @return array{ok: bool, format: string, error: string, code: int, class: string, transcript: string[]}
	 */
	public static function send_test( $to, $format ) {
		$result = array(
			'ok'         => false,
			// How it went: "smtp" through the extension, "mail" through PHP's mail() (no extension,
			// or settings incomplete), "none" not sent.
			'via'        => Native_SMTP_Transport::is_active() ? 'smtp' : 'mail',
			'format'     => $format,
			'error'      => '',
			'code'       => 0,
			'class'      => '',
			'transcript' => array(),
		);
		if ( ! is_email( $to ) ) {
			$result['error'] = __( 'Send To is not a valid email address.', 'native-smtp' );
			return $result;
		}

		$error    = null;
		$listener = static function ( $wp_error ) use ( &$error ) {
			$error = $wp_error;
		};
		add_action( 'wp_mail_failed', $listener );

		$site = wp_specialchars_decode( get_bloginfo( 'name' ), ENT_QUOTES );
		if ( 'html' === $format ) {
			$subject = sprintf( /* translators: %s: site name */ __( 'Native SMTP: Test HTML email from %s', 'native-smtp' ), $site );
			$body    = '<!DOCTYPE html><html><body style="font-family:sans-serif"><h1>' . esc_html__( 'It works!', 'native-smtp' ) . '</h1><p>'
				. esc_html__( 'This test email was sent by WordPress through the smtp PHP extension. Your SMTP settings are working.', 'native-smtp' )
				. '</p></body></html>';
			$headers = array( 'Content-Type: text/html; charset=UTF-8' );
		} else {
			$subject = sprintf( /* translators: %s: site name */ __( 'Native SMTP: Test plain text email from %s', 'native-smtp' ), $site );
			$body    = __( 'It works! This test email was sent by WordPress through the smtp PHP extension. Your SMTP settings are working.', 'native-smtp' );
			$headers = array( 'Content-Type: text/plain; charset=UTF-8' );
		}
		$headers[] = 'X-Native-SMTP-Test: 1';

		// Never queued: the admin wants to know now whether the settings work.
		$sent = Native_SMTP_Transport::without_spool(
			static function () use ( $to, $subject, $body, $headers ) {
				return wp_mail( $to, $subject, $body, $headers );
			}
		);
		remove_action( 'wp_mail_failed', $listener );

		$result['ok']         = (bool) $sent;
		$result['transcript'] = Native_SMTP_Transport::last_transcript();
		if ( ! $sent ) {
			$failure         = Native_SMTP_Transport::last_failure();
			$result['error'] = $error instanceof WP_Error ? $error->get_error_message() : __( 'wp_mail() returned false.', 'native-smtp' );
			if ( $failure instanceof \Smtp\Exception ) {
				$result['code']  = (int) $failure->smtpCode; // phpcs:ignore WordPress.NamingConventions.ValidVariableName.UsedPropertyNotSnakeCase
				$result['class'] = get_class( $failure );
			} elseif ( $failure ) {
				$result['class'] = get_class( $failure );
			}
		}
		return $result;
	}

	/**
	 * A hint to the fix, chosen from the failure.
	 *
	 * @param int    $code      SMTP reply code, or 0.
	 * @param string $class     Exception class, or ''.
	 * @param string $message   Error text.
	 * @return string
	 */
	public static function hint_for( $code, $class, $message ) {
		$class   = ltrim( (string) $class, '\\' );
		$message = strtolower( (string) $message );
		if ( 'Smtp\AuthenticationException' === $class || in_array( (int) $code, array( 534, 535 ), true ) ) {
			return __( 'The server refused the login. Check the SMTP Username and SMTP Password. Gmail and Google Workspace need an app password (Google Account, Security, App passwords), not your normal password.', 'native-smtp' );
		}
		if ( 530 === (int) $code ) {
			return __( 'The server wants you to log in: turn Authentication on and enter the SMTP Username and SMTP Password.', 'native-smtp' );
		}
		if ( 'Smtp\TlsException' === $class ) {
			return __( 'The secure connection could not be set up: the encryption probably does not match the port. Use TLS with port 587, SSL with port 465, or None with port 25, as your provider documents.', 'native-smtp' );
		}
		if ( 'Smtp\ConnectionException' === $class || false !== strpos( $message, 'refused' ) || false !== strpos( $message, 'timed out' ) || false !== strpos( $message, 'timeout' ) ) {
			return __( 'Could not connect to the SMTP server. Check the SMTP Host. Your web host may block this port (many block port 25): try port 587 with TLS, or port 465 with SSL.', 'native-smtp' );
		}
		if ( 'Smtp\RecipientException' === $class || ( $code >= 550 && $code <= 554 ) ) {
			return __( 'The server refused the sender or the recipient. Many servers only accept a From Email that belongs to the account you log in with.', 'native-smtp' );
		}
		if ( '' === $class && ! Native_SMTP_Transport::extension_loaded() ) {
			return __( 'This email went through PHP\'s mail() because the smtp extension is not loaded; install the extension (see the notice above).', 'native-smtp' );
		}
		return __( 'Check the settings above against what your email provider documents, and read the transcript below.', 'native-smtp' );
	}

	/**
	 * Shows a Send Test result.
	 *
	 * @param array $result What send_test() returned.
	 */
	private static function render_test_result( array $result ) {
		if ( $result['ok'] && isset( $result['via'] ) && 'mail' === $result['via'] ) {
			echo '<div class="notice notice-warning" id="native-smtp-test-result"><p><strong>';
			echo esc_html(
				Native_SMTP_Transport::extension_loaded()
					? __( 'The test email did not go through your SMTP server: the settings are incomplete, so WordPress handed it to PHP\'s mail() function.', 'native-smtp' )
					: __( 'The test email did not go through your SMTP server: the smtp PHP extension is not loaded, so WordPress handed it to PHP\'s mail() function.', 'native-smtp' )
			);
			echo '</strong></p><p>' . esc_html__( 'mail() accepted it, which says nothing about delivery: many hosts drop such mail or it lands in spam.', 'native-smtp' ) . '</p></div>';
			return;
		}
		if ( $result['ok'] ) {
			$text = 'html' === $result['format']
				? __( 'Test HTML email was sent successfully! Please check your inbox to make sure it is delivered.', 'native-smtp' )
				: __( 'Test plain text email was sent successfully! Please check your inbox to make sure it is delivered.', 'native-smtp' );
			echo '<div class="notice notice-success" id="native-smtp-test-result"><p>' . esc_html( $text ) . '</p></div>';
			return;
		}
		echo '<div class="notice notice-error" id="native-smtp-test-result"><p><strong>' . esc_html__( 'The test email could not be sent.', 'native-smtp' ) . '</strong></p>';
		echo '<p id="native-smtp-test-error">' . esc_html( $result['error'] ) . '</p>';
		echo '<p id="native-smtp-test-hint"><strong>' . esc_html__( 'Hint:', 'native-smtp' ) . '</strong> ' . esc_html( self::hint_for( $result['code'], $result['class'], $result['error'] ) ) . '</p>';
		if ( ! empty( $result['transcript'] ) ) {
			echo '<details open><summary>' . esc_html__( 'SMTP transcript (passwords hidden)', 'native-smtp' ) . '</summary><pre id="native-smtp-test-transcript" style="white-space:pre-wrap;max-height:24em;overflow:auto">';
			echo esc_html( implode( "\n", array_map( 'strval', $result['transcript'] ) ) );
			echo '</pre></details>';
		}
		echo '</div>';
	}

	/**
	 * load-{page}: the Email Log's bulk action (Delete), posted back to the page by the list table.
	 */
	public static function handle_log_bulk() {
		// phpcs:disable WordPress.Security.NonceVerification.Missing -- checked below before anything changes.
		$action = isset( $_POST['action'] ) && '-1' !== $_POST['action'] ? sanitize_key( wp_unslash( $_POST['action'] ) ) : '';
		if ( '' === $action && isset( $_POST['action2'] ) ) {
			$action = sanitize_key( wp_unslash( $_POST['action2'] ) );
		}
		if ( 'delete' !== $action ) {
			return;
		}
		if ( ! current_user_can( self::CAPABILITY ) ) {
			wp_die( esc_html__( 'Sorry, you are not allowed to do that.', 'native-smtp' ), 403 );
		}
		check_admin_referer( 'bulk-native_smtp_emails' );
		$ids = isset( $_POST['email'] ) ? array_map( 'absint', (array) wp_unslash( $_POST['email'] ) ) : array();
		// phpcs:enable
		$deleted = Native_SMTP_Log::delete( $ids );
		set_transient( 'native_smtp_log_notice_' . get_current_user_id(), 'deleted:' . $deleted, MINUTE_IN_SECONDS );
		wp_safe_redirect( admin_url( 'options-general.php?page=' . self::PAGE . '&tab=log' ) );
		exit;
	}

	/**
	 * Email Log tab: one email's details, or the list with filters, search, paging and bulk delete.
	 */
	private static function render_log_tab() {
		$notice = get_transient( 'native_smtp_resend_notice_' . get_current_user_id() );
		if ( false !== $notice ) {
			delete_transient( 'native_smtp_resend_notice_' . get_current_user_id() );
			if ( 'ok' === $notice ) {
				echo '<div class="notice notice-success is-dismissible" id="native-smtp-resend-notice"><p>' . esc_html__( 'The email was sent again.', 'native-smtp' ) . '</p></div>';
			} elseif ( 'failed' === $notice ) {
				echo '<div class="notice notice-error is-dismissible" id="native-smtp-resend-notice"><p>' . esc_html__( 'The email could not be sent again; see the newest log entry.', 'native-smtp' ) . '</p></div>';
			} else {
				echo '<div class="notice notice-error is-dismissible" id="native-smtp-resend-notice"><p>' . esc_html( substr( (string) $notice, 6 ) ) . '</p></div>';
			}
		}
		$log_notice = get_transient( 'native_smtp_log_notice_' . get_current_user_id() );
		if ( false !== $log_notice ) {
			delete_transient( 'native_smtp_log_notice_' . get_current_user_id() );
			$count = (int) substr( (string) $log_notice, 8 );
			echo '<div class="notice notice-success is-dismissible" id="native-smtp-log-notice"><p>' . esc_html(
				sprintf(
					/* translators: %d: number of log entries */
					_n( '%d log entry deleted.', '%d log entries deleted.', $count, 'native-smtp' ),
					$count
				)
			) . '</p></div>';
		}
		// phpcs:ignore WordPress.Security.NonceVerification.Recommended -- viewing changes nothing.
		$email_id = isset( $_GET['email'] ) ? absint( $_GET['email'] ) : 0;
		if ( $email_id > 0 ) {
			self::render_log_detail( $email_id );
			return;
		}
		$flushed = get_transient( 'native_smtp_flush_notice_' . get_current_user_id() );
		if ( false !== $flushed ) {
			delete_transient( 'native_smtp_flush_notice_' . get_current_user_id() );
			$flushed = is_array( $flushed ) ? $flushed : array();
			echo '<div class="notice notice-info is-dismissible" id="native-smtp-flush-notice"><p>' . esc_html(
				sprintf(
					/* translators: 1: sent, 2: still queued, 3: given up */
					__( 'Queue: %1$d sent, %2$d still queued, %3$d given up.', 'native-smtp' ),
					isset( $flushed['sent'] ) ? (int) $flushed['sent'] : 0,
					isset( $flushed['remaining'] ) ? (int) $flushed['remaining'] : 0,
					isset( $flushed['failed'] ) ? (int) $flushed['failed'] : 0
				)
			) . '</p></div>';
		}
		$spool  = Native_SMTP_Queue::enabled() ? Native_SMTP_Queue::spool() : null;
		$queued = null === $spool ? 0 : $spool->count();
		if ( $queued > 0 ) {
			echo '<form method="post" action="' . esc_url( admin_url( 'admin-post.php' ) ) . '" id="native-smtp-flush-now"><p>';
			echo '<input type="hidden" name="action" value="native_smtp_flush_now" />';
			wp_nonce_field( 'native_smtp_flush_now' );
			echo esc_html(
				sprintf(
					/* translators: %d: number of emails */
					_n( '%d email is queued for another try.', '%d emails are queued for another try.', $queued, 'native-smtp' ),
					$queued
				)
			) . ' ';
			submit_button( __( 'Retry now', 'native-smtp' ), 'secondary', 'native_smtp_flush_now', false );
			echo '</p></form>';
		}
		require_once NATIVE_SMTP_PLUGIN_DIR . 'includes/class-native-smtp-log-table.php';
		$table = new Native_SMTP_Log_Table();
		$table->prepare_items();
		$filters = $table->filters();

		// Filters and search: a GET form of their own (they change nothing).
		echo '<form method="get" id="native-smtp-log-filters" class="native-smtp-log-filters">';
		echo '<input type="hidden" name="page" value="' . esc_attr( self::PAGE ) . '" /><input type="hidden" name="tab" value="log" />';
		echo '<p class="search-box" style="float:none;display:flex;flex-wrap:wrap;gap:.5em;align-items:center">';
		echo '<label for="native-smtp-log-status">' . esc_html__( 'Status', 'native-smtp' ) . '</label> <select id="native-smtp-log-status" name="status">';
		foreach ( array(
			''       => __( 'All', 'native-smtp' ),
			'sent'   => __( 'Sent', 'native-smtp' ),
			'failed' => __( 'Failed', 'native-smtp' ),
			'queued' => __( 'Queued', 'native-smtp' ),
		) as $value => $label ) {
			printf( '<option value="%1$s"%2$s>%3$s</option>', esc_attr( $value ), selected( $filters['status'], $value, false ), esc_html( $label ) );
		}
		echo '</select>';
		printf( ' <label for="native-smtp-log-from">%1$s</label> <input type="date" id="native-smtp-log-from" name="from" value="%2$s" />', esc_html__( 'From', 'native-smtp' ), esc_attr( $filters['from'] ) );
		printf( ' <label for="native-smtp-log-to">%1$s</label> <input type="date" id="native-smtp-log-to" name="to" value="%2$s" />', esc_html__( 'To', 'native-smtp' ), esc_attr( $filters['to'] ) );
		printf( ' <label for="native-smtp-log-search-input">%1$s</label> <input type="search" id="native-smtp-log-search-input" name="s" value="%2$s" placeholder="%3$s" />', esc_html__( 'Search emails', 'native-smtp' ), esc_attr( $filters['s'] ), esc_attr__( 'Address or subject', 'native-smtp' ) );
		submit_button( __( 'Filter', 'native-smtp' ), 'secondary', '', false, array( 'id' => 'native-smtp-log-filter' ) );
		echo '</p></form>';

		// The list posts back to this page for bulk actions (handle_log_bulk()).
		echo '<form method="post" id="native-smtp-log" action="' . esc_url( admin_url( 'options-general.php?page=' . self::PAGE . '&tab=log' ) ) . '">';
		$table->display();
		echo '</form>';

		if ( $table->has_items() ) {
			echo '<form method="post" action="' . esc_url( admin_url( 'admin-post.php' ) ) . '" id="native-smtp-log-purge">';
			echo '<input type="hidden" name="action" value="native_smtp_log_purge" />';
			wp_nonce_field( 'native_smtp_log_purge' );
			submit_button(
				__( 'Delete all log entries', 'native-smtp' ),
				'delete',
				'native_smtp_log_purge',
				false,
				array(
					'id'      => 'native-smtp-log-purge-button',
					'onclick' => 'return window.confirm(' . wp_json_encode( __( 'Delete every entry of the email log? This cannot be undone.', 'native-smtp' ) ) . ');',
				)
			);
			echo '</form>';
		}
	}

	/**
	 * One logged email: what was sent, what happened, and Resend / Delete.
	 *
	 * @param int $id Row id.
	 */
	private static function render_log_detail( $id ) {
		$back = admin_url( 'options-general.php?page=' . self::PAGE . '&tab=log' );
		$row  = Native_SMTP_Log::get( $id );
		printf( '<p><a href="%1$s" id="native-smtp-log-back">&larr; %2$s</a></p>', esc_url( $back ), esc_html__( 'Back to the Email Log', 'native-smtp' ) );
		if ( null === $row ) {
			echo '<div class="notice notice-error inline"><p>' . esc_html__( 'That log entry does not exist.', 'native-smtp' ) . '</p></div>';
			return;
		}
		require_once NATIVE_SMTP_PLUGIN_DIR . 'includes/class-native-smtp-log-table.php';
		$list    = new Native_SMTP_Log_Table();
		$headers = json_decode( (string) $row['headers'], true );
		$files   = json_decode( (string) $row['attachments'], true );
		echo '<div id="native-smtp-log-detail"><h2>' . esc_html( '' !== $row['subject'] ? $row['subject'] : __( '(no subject)', 'native-smtp' ) ) . '</h2>';
		echo '<table class="form-table" role="presentation">';
		$fields = array(
			__( 'Date', 'native-smtp' )       => esc_html( wp_date( get_option( 'date_format' ) . ' ' . get_option( 'time_format' ), strtotime( $row['created_at'] . ' UTC' ) ) ),
			__( 'To', 'native-smtp' )         => esc_html( implode( ', ', Native_SMTP_Log::recipients_of( $row ) ) ),
			__( 'Status', 'native-smtp' )     => $list->column_status( $row ),
			__( 'Result', 'native-smtp' )     => '' === $row['error'] ? esc_html__( 'Accepted by the server.', 'native-smtp' ) : $list->column_error( $row ),
			__( 'Message-ID', 'native-smtp' ) => '' === $row['message_id'] ? '&mdash;' : '<code>' . esc_html( $row['message_id'] ) . '</code>',
			__( 'Attempts', 'native-smtp' )   => esc_html( (string) (int) $row['attempts'] ),
		);
		if ( is_array( $files ) && $files ) {
			$items = array();
			foreach ( $files as $file ) {
				$items[] = esc_html( wp_basename( (string) $file ) ) . ( is_readable( (string) $file ) ? '' : ' <em>(' . esc_html__( 'no longer on the server', 'native-smtp' ) . ')</em>' );
			}
			$fields[ __( 'Attachments', 'native-smtp' ) ] = implode( '<br />', $items );
		}
		foreach ( $fields as $label => $html ) {
			echo '<tr><th scope="row">' . esc_html( $label ) . '</th><td>' . $html . '</td></tr>'; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped when built above.
		}
		echo '</table>';
		echo '<h3>' . esc_html__( 'Headers', 'native-smtp' ) . '</h3><pre id="native-smtp-log-headers" style="white-space:pre-wrap;background:#fff;padding:1em;border:1px solid #dcdcde">' . esc_html( is_array( $headers ) && $headers ? implode( "\n", array_map( 'strval', $headers ) ) : __( '(none besides the defaults)', 'native-smtp' ) ) . '</pre>';
		echo '<h3>' . esc_html__( 'Message', 'native-smtp' ) . '</h3>';
		if ( null === $row['message'] ) {
			echo '<p class="description">' . esc_html__( 'The body was not stored (turn on "Store email bodies" to keep it).', 'native-smtp' ) . '</p>';
		} else {
			// Shown as text, never rendered: a logged HTML email is untrusted markup.
			echo '<pre id="native-smtp-log-body" style="white-space:pre-wrap;max-height:30em;overflow:auto;background:#fff;padding:1em;border:1px solid #dcdcde">' . esc_html( $row['message'] ) . '</pre>';
		}
		if ( '' !== (string) $row['transcript'] ) {
			echo '<h3>' . esc_html__( 'SMTP transcript (passwords hidden)', 'native-smtp' ) . '</h3><pre id="native-smtp-log-transcript" style="white-space:pre-wrap;max-height:24em;overflow:auto;background:#fff;padding:1em;border:1px solid #dcdcde">' . esc_html( $row['transcript'] ) . '</pre>';
		}
		echo '<p>';
		if ( null !== $row['message'] ) {
			echo '<form method="post" action="' . esc_url( admin_url( 'admin-post.php' ) ) . '" id="native-smtp-resend" style="display:inline-block;margin-right:1em">';
			echo '<input type="hidden" name="action" value="native_smtp_resend" /><input type="hidden" name="id" value="' . (int) $row['id'] . '" />';
			wp_nonce_field( 'native_smtp_resend_' . (int) $row['id'] );
			submit_button(
				__( 'Resend', 'native-smtp' ),
				'primary',
				'native_smtp_resend',
				false,
				array(
					'id'      => 'native-smtp-resend-button',
					'onclick' => 'return window.confirm(' . wp_json_encode( sprintf( /* translators: %s: recipients */ __( 'Send this email again to %s?', 'native-smtp' ), implode( ', ', Native_SMTP_Log::recipients_of( $row ) ) ) ) . ');',
				)
			);
			echo '</form>';
		}
		echo '<form method="post" action="' . esc_url( admin_url( 'admin-post.php' ) ) . '" id="native-smtp-log-delete" style="display:inline-block">';
		echo '<input type="hidden" name="action" value="native_smtp_log_delete" /><input type="hidden" name="id" value="' . (int) $row['id'] . '" />';
		wp_nonce_field( 'native_smtp_log_delete_' . (int) $row['id'] );
		submit_button(
			__( 'Delete', 'native-smtp' ),
			'delete',
			'native_smtp_log_delete',
			false,
			array(
				'id'      => 'native-smtp-log-delete-button',
				'onclick' => 'return window.confirm(' . wp_json_encode( __( 'Delete this log entry?', 'native-smtp' ) ) . ');',
			)
		);
		echo '</form></p></div>';
	}
}

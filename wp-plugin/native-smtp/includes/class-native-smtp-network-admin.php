<?php
/**
 * Multisite: Network Admin -> Settings -> Native SMTP. The network admin sets where mail and
 * credentials go (server, login, DKIM, queue) for every site, the defaults of the rest, and
 * which of the rest subsite admins may change. Saved through network_admin_edit_{action}
 * (capability and nonce), stored as a site option.
 *
 * @package Native_SMTP
 */

defined( 'ABSPATH' ) || exit;

/**
 * The network settings page.
 */
class Native_SMTP_Network_Admin {

	/** The edit.php action that saves the page. */
	const ACTION = 'native_smtp_network';

	/** Who may see and save it. */
	const CAPABILITY = 'manage_network_options';

	/**
	 * The page's hook suffix.
	 *
	 * @var string
	 */
	private static $hook_suffix = '';

	/**
	 * Hooks in (multisite only).
	 */
	public static function register_hooks() {
		if ( ! is_multisite() ) {
			return;
		}
		add_action( 'network_admin_menu', array( __CLASS__, 'add_page' ) );
		add_action( 'network_admin_edit_' . self::ACTION, array( __CLASS__, 'handle_save' ) );
	}

	/**
	 * The page's hook suffix ('' before the menu is built).
	 *
	 * @return string
	 */
	public static function hook_suffix() {
		return self::$hook_suffix;
	}

	/**
	 * Network Admin -> Settings -> Native SMTP.
	 */
	public static function add_page() {
		self::$hook_suffix = (string) add_submenu_page(
			'settings.php',
			__( 'Native SMTP', 'native-smtp' ),
			__( 'Native SMTP', 'native-smtp' ),
			self::CAPABILITY,
			Native_SMTP_Admin::PAGE,
			array( __CLASS__, 'render_page' )
		);
	}

	/**
	 * network_admin_edit_native_smtp_network: capability, nonce, clean, store, back to the page.
	 */
	public static function handle_save() {
		if ( ! current_user_can( self::CAPABILITY ) ) {
			wp_die( esc_html__( 'Sorry, you are not allowed to manage these settings.', 'native-smtp' ), 403 );
		}
		check_admin_referer( self::ACTION );
		// phpcs:ignore WordPress.Security.ValidatedSanitizedInput.InputNotSanitized -- sanitize_network() cleans every field.
		$input = isset( $_POST[ Native_SMTP_Options::OPTION ] ) && is_array( $_POST[ Native_SMTP_Options::OPTION ] ) ? wp_unslash( $_POST[ Native_SMTP_Options::OPTION ] ) : array();
		$clean = Native_SMTP_Options::sanitize_network( $input );
		update_site_option( Native_SMTP_Options::NETWORK_OPTION, $clean );
		Native_SMTP_Transport::reset_mailer();

		$errors = get_settings_errors( Native_SMTP_Options::OPTION );
		set_transient( 'native_smtp_network_notice_' . get_current_user_id(), $errors, MINUTE_IN_SECONDS );
		$tab = isset( $_POST['native_smtp_tab'] ) && 'dkim' === $_POST['native_smtp_tab'] ? '&tab=dkim' : '';
		wp_safe_redirect( network_admin_url( 'settings.php?page=' . Native_SMTP_Admin::PAGE . $tab . '&updated=true' ) );
		exit;
	}

	/**
	 * The page: Settings and DKIM tabs (Send Test and the Email Log are each site's).
	 */
	public static function render_page() {
		if ( ! current_user_can( self::CAPABILITY ) ) {
			wp_die( esc_html__( 'Sorry, you are not allowed to manage these settings.', 'native-smtp' ), 403 );
		}
		Native_SMTP_Admin::$context = 'network';
		// phpcs:ignore WordPress.Security.NonceVerification.Recommended -- choosing a tab changes nothing.
		$tab  = isset( $_GET['tab'] ) && 'dkim' === $_GET['tab'] ? 'dkim' : 'settings';
		$tabs = array(
			'settings' => __( 'Settings', 'native-smtp' ),
			'dkim'     => __( 'DKIM', 'native-smtp' ),
		);
		echo '<div class="wrap native-smtp native-smtp-network"><h1>' . esc_html__( 'Native SMTP: network settings', 'native-smtp' ) . '</h1>';
		self::render_save_notices();
		echo '<nav class="nav-tab-wrapper" aria-label="' . esc_attr__( 'Native SMTP sections', 'native-smtp' ) . '">';
		foreach ( $tabs as $slug => $label ) {
			printf(
				'<a href="%1$s" class="nav-tab%2$s" id="native-smtp-tab-%3$s"%4$s>%5$s</a>',
				esc_url( network_admin_url( 'settings.php?page=' . Native_SMTP_Admin::PAGE . '&tab=' . $slug ) ),
				$tab === $slug ? ' nav-tab-active' : '',
				esc_attr( $slug ),
				$tab === $slug ? ' aria-current="page"' : '',
				esc_html( $label )
			);
		}
		echo '</nav>';
		if ( 'dkim' === $tab ) {
			Native_SMTP_Admin::render_dkim_tab();
		} else {
			self::render_settings();
		}
		echo '</div>';
		Native_SMTP_Admin::$context = 'site';
	}

	/**
	 * "Settings saved." and what sanitize_network() had to say.
	 */
	private static function render_save_notices() {
		$errors = get_transient( 'native_smtp_network_notice_' . get_current_user_id() );
		if ( false === $errors ) {
			return;
		}
		delete_transient( 'native_smtp_network_notice_' . get_current_user_id() );
		$has_error = false;
		foreach ( (array) $errors as $error ) {
			$has_error = $has_error || 'error' === $error['type'];
			printf( '<div class="notice notice-%1$s is-dismissible" id="%2$s"><p>%3$s</p></div>', esc_attr( 'warning' === $error['type'] ? 'warning' : 'error' ), esc_attr( 'setting-error-' . $error['code'] ), esc_html( $error['message'] ) );
		}
		if ( ! $has_error ) {
			echo '<div class="notice notice-success is-dismissible" id="native-smtp-network-saved"><p>' . esc_html__( 'Settings saved.', 'native-smtp' ) . '</p></div>';
		}
	}

	/**
	 * The settings form: every field, and which ones subsite admins may change.
	 */
	private static function render_settings() {
		echo '<p>' . esc_html__( 'These settings apply to every site of the network. The server, the login, DKIM and the queue are set only here; subsite administrators see them read-only.', 'native-smtp' ) . '</p>';
		echo '<form method="post" action="' . esc_url( network_admin_url( 'edit.php?action=' . self::ACTION ) ) . '" id="native-smtp-network-settings">';
		wp_nonce_field( self::ACTION );
		echo '<input type="hidden" name="' . esc_attr( Native_SMTP_Options::OPTION . '[__checkboxes]' ) . '" value="1" />';
		do_settings_sections( Native_SMTP_Admin::PAGE );

		echo '<h2>' . esc_html__( 'Subsite administrators', 'native-smtp' ) . '</h2>';
		echo '<table class="form-table" role="presentation"><tr><th scope="row">' . esc_html__( 'May change', 'native-smtp' ) . '</th><td><fieldset id="native-smtp-site-allowed"><legend class="screen-reader-text">' . esc_html__( 'May change', 'native-smtp' ) . '</legend>';
		echo '<input type="hidden" name="' . esc_attr( Native_SMTP_Options::OPTION . '[__site_allowed_form]' ) . '" value="1" />';
		$labels  = array(
			'from_email'       => __( 'From Email', 'native-smtp' ),
			'force_from_email' => __( 'Force From Email', 'native-smtp' ),
			'from_name'        => __( 'From Name', 'native-smtp' ),
			'force_from_name'  => __( 'Force From Name', 'native-smtp' ),
			'return_path'      => __( 'Return-Path', 'native-smtp' ),
			'log_bodies'       => __( 'Store email bodies', 'native-smtp' ),
			'retention_days'   => __( 'Keep log entries', 'native-smtp' ),
		);
		$allowed = Native_SMTP_Options::site_allowed();
		foreach ( Native_SMTP_Options::SITE_ALLOWABLE as $key ) {
			printf(
				'<label for="native-smtp-site-allowed-%1$s" style="display:block;margin-bottom:.4em"><input type="checkbox" id="native-smtp-site-allowed-%1$s" name="%2$s" value="%3$s"%4$s /> %5$s</label>',
				esc_attr( str_replace( '_', '-', $key ) ),
				esc_attr( Native_SMTP_Options::OPTION . '[site_allowed][]' ),
				esc_attr( $key ),
				checked( in_array( $key, $allowed, true ), true, false ),
				esc_html( isset( $labels[ $key ] ) ? $labels[ $key ] : $key )
			);
		}
		echo '<p class="description">' . esc_html__( 'What a subsite administrator may set for their own site. The server, the login, DKIM and the queue are never theirs: whoever controls them could read any email of the network, password resets included.', 'native-smtp' ) . '</p>';
		echo '</fieldset></td></tr></table>';
		submit_button( __( 'Save Settings', 'native-smtp' ), 'primary', 'submit', true, array( 'id' => 'native-smtp-network-save' ) );
		echo '</form>';
	}
}

<?php
/**
 * The Alerts tab: which alerts, to which addresses and webhooks, the rate-limit window, the weekly
 * summary, and a "Send a test alert" button. On a single site it is a tab of Settings -> Native
 * SMTP; on multisite a tab of the network's settings page only (subsite admins see where alerts go,
 * read-only), saved with manage_network_options.
 *
 * @package Native_SMTP
 */

defined( 'ABSPATH' ) || exit;

/**
 * Alerts tab and its two admin-post actions.
 */
class Native_SMTP_Alerts_Admin {

	/**
	 * Hooks the save and test actions.
	 */
	public static function register_hooks() {
		add_action( 'admin_post_native_smtp_alerts_save', array( __CLASS__, 'handle_save' ) );
		add_action( 'admin_post_native_smtp_alerts_test', array( __CLASS__, 'handle_test' ) );
	}

	/**
	 * Where the tab lives (for redirects).
	 *
	 * @return string
	 */
	private static function tab_url() {
		return is_multisite()
			? network_admin_url( 'settings.php?page=' . Native_SMTP_Admin::PAGE . '&tab=alerts' )
			: admin_url( 'options-general.php?page=' . Native_SMTP_Admin::PAGE . '&tab=alerts' );
	}

	/**
	 * Capability and nonce, or wp_die().
	 *
	 * @param string $action Nonce action.
	 */
	private static function check( $action ) {
		if ( ! current_user_can( Native_SMTP_Alerts::capability() ) ) {
			wp_die( esc_html__( 'Sorry, you are not allowed to manage these settings.', 'native-smtp' ), 403 );
		}
		if ( 'POST' !== ( isset( $_SERVER['REQUEST_METHOD'] ) ? $_SERVER['REQUEST_METHOD'] : '' ) ) { // phpcs:ignore WordPress.Security.ValidatedSanitizedInput -- compared only.
			wp_die( esc_html__( 'This needs the form\'s button.', 'native-smtp' ), 405 );
		}
		check_admin_referer( $action );
	}

	/**
	 * admin-post.php, POST action=native_smtp_alerts_save.
	 */
	public static function handle_save() {
		self::check( 'native_smtp_alerts_save' );
		// phpcs:ignore WordPress.Security.ValidatedSanitizedInput.InputNotSanitized -- Native_SMTP_Alerts::sanitize() cleans every field.
		$input = isset( $_POST['native_smtp_alerts'] ) && is_array( $_POST['native_smtp_alerts'] ) ? wp_unslash( $_POST['native_smtp_alerts'] ) : array();
		$clean = Native_SMTP_Alerts::sanitize( $input );
		Native_SMTP_Alerts::save( $clean['settings'] );
		set_transient( 'native_smtp_alerts_notice_' . get_current_user_id(), array( 'saved' => true, 'errors' => $clean['errors'] ), MINUTE_IN_SECONDS );
		wp_safe_redirect( self::tab_url() );
		exit;
	}

	/**
	 * admin-post.php, POST action=native_smtp_alerts_test: one alert to every destination, now.
	 */
	public static function handle_test() {
		self::check( 'native_smtp_alerts_test' );
		$result = Native_SMTP_Alerts::raise(
			'failed',
			array(
				'subject' => __( 'Test alert from Native SMTP', 'native-smtp' ),
				'error'   => __( 'This is a test: nothing failed.', 'native-smtp' ),
			),
			true
		);
		set_transient( 'native_smtp_alerts_notice_' . get_current_user_id(), array( 'test' => $result ), MINUTE_IN_SECONDS );
		wp_safe_redirect( self::tab_url() );
		exit;
	}

	/**
	 * The result of the last save or test.
	 */
	private static function render_notice() {
		$notice = get_transient( 'native_smtp_alerts_notice_' . get_current_user_id() );
		if ( ! is_array( $notice ) ) {
			return;
		}
		delete_transient( 'native_smtp_alerts_notice_' . get_current_user_id() );
		if ( ! empty( $notice['saved'] ) ) {
			echo '<div class="notice notice-success is-dismissible" id="native-smtp-alerts-saved"><p>' . esc_html__( 'Settings saved.', 'native-smtp' ) . '</p></div>';
		}
		foreach ( isset( $notice['errors'] ) ? (array) $notice['errors'] : array() as $error ) {
			echo '<div class="notice notice-error is-dismissible native-smtp-alerts-error"><p>' . esc_html( $error ) . '</p></div>';
		}
		if ( array_key_exists( 'test', $notice ) ) {
			$test = is_array( $notice['test'] ) ? $notice['test'] : array(
				'emails'   => array(),
				'webhooks' => array(),
			);
			echo '<div class="notice notice-info is-dismissible" id="native-smtp-alerts-test-result"><p>';
			if ( ! $test['emails'] && ! $test['webhooks'] ) {
				esc_html_e( 'No test alert was sent: add an address or a webhook first.', 'native-smtp' );
			}
			foreach ( $test['emails'] as $ok ) {
				echo esc_html( $ok ? __( 'Test alert email: sent.', 'native-smtp' ) : __( 'Test alert email: could not be sent (see the email log).', 'native-smtp' ) ) . '<br />';
			}
			foreach ( $test['webhooks'] as $hook ) {
				echo esc_html(
					sprintf(
						/* translators: 1: webhook host, 2: OK or the error */
						__( 'Webhook %1$s: %2$s', 'native-smtp' ),
						$hook['target'],
						$hook['ok'] ? __( 'delivered', 'native-smtp' ) : $hook['error']
					)
				) . '<br />';
			}
			echo '</p></div>';
		}
	}

	/**
	 * The tab (site page on a single site, network page on multisite; a subsite gets a read-only note).
	 */
	public static function render_tab() {
		self::render_notice();
		$settings = Native_SMTP_Alerts::settings();
		if ( ! current_user_can( Native_SMTP_Alerts::capability() ) ) {
			echo '<p id="native-smtp-alerts-readonly">' . esc_html__( 'Alerts and the weekly summary are set by the network administrator.', 'native-smtp' ) . '</p>';
			return;
		}
		$labels = array(
			'failed'            => __( 'An email fails for good (not sent, not queued)', 'native-smtp' ),
			'queue_gave_up'     => __( 'The queue gives up on an email', 'native-smtp' ),
			'backup_used'       => __( 'The backup relay had to send an email', 'native-smtp' ),
			'connection_broken' => __( 'The connection breaks (the relay refuses the login or the token)', 'native-smtp' ),
		);
		$hooks  = array();
		foreach ( $settings['webhooks'] as $hook ) {
			$hooks[] = $hook['format'] . ' ' . $hook['url'];
		}
		echo '<form method="post" action="' . esc_url( admin_url( 'admin-post.php' ) ) . '" id="native-smtp-alerts">';
		echo '<input type="hidden" name="action" value="native_smtp_alerts_save" />';
		wp_nonce_field( 'native_smtp_alerts_save' );
		echo '<table class="form-table" role="presentation">';
		echo '<tr><th scope="row">' . esc_html__( 'Alert me when', 'native-smtp' ) . '</th><td><fieldset id="native-smtp-alert-kinds"><legend class="screen-reader-text">' . esc_html__( 'Alert me when', 'native-smtp' ) . '</legend>';
		foreach ( Native_SMTP_Alerts::KINDS as $kind ) {
			printf(
				'<label for="native-smtp-alert-%1$s" style="display:block;margin-bottom:.4em"><input type="checkbox" id="native-smtp-alert-%1$s" name="native_smtp_alerts[kinds][]" value="%2$s"%3$s /> %4$s</label>',
				esc_attr( str_replace( '_', '-', $kind ) ),
				esc_attr( $kind ),
				checked( in_array( $kind, $settings['kinds'], true ), true, false ),
				esc_html( $labels[ $kind ] )
			);
		}
		echo '</fieldset></td></tr>';
		printf(
			'<tr><th scope="row"><label for="native-smtp-alert-emails">%1$s</label></th><td><input type="text" class="large-text" id="native-smtp-alert-emails" name="native_smtp_alerts[emails]" value="%2$s" /><p class="description">%3$s</p></td></tr>',
			esc_html__( 'Alert emails to', 'native-smtp' ),
			esc_attr( implode( ', ', $settings['emails'] ) ),
			esc_html__( 'Addresses, separated by commas. An alert email is sent once, through the same relay: when the relay itself is down, only the webhooks can tell you.', 'native-smtp' )
		);
		printf(
			'<tr><th scope="row"><label for="native-smtp-alert-webhooks">%1$s</label></th><td><textarea class="large-text code" rows="4" id="native-smtp-alert-webhooks" name="native_smtp_alerts[webhooks]">%2$s</textarea><p class="description">%3$s</p></td></tr>',
			esc_html__( 'Webhooks', 'native-smtp' ),
			esc_textarea( implode( "\n", $hooks ) ),
			esc_html__( 'One https:// URL a line: Slack, Discord and Microsoft Teams incoming webhooks are recognised; any other URL gets a JSON POST. Put slack, discord, teams or json before a URL to choose the format yourself.', 'native-smtp' )
		);
		printf(
			'<tr><th scope="row"><label for="native-smtp-alert-window">%1$s</label></th><td><input type="number" min="5" max="1440" class="small-text" id="native-smtp-alert-window" name="native_smtp_alerts[window]" value="%2$d" /> %3$s<p class="description">%4$s</p></td></tr>',
			esc_html__( 'At most one alert of a kind every', 'native-smtp' ),
			(int) $settings['window'],
			esc_html__( 'minutes', 'native-smtp' ),
			esc_html__( 'An outage then sends one alert, not thousands; the next one says how many were held back.', 'native-smtp' )
		);
		printf(
			'<tr><th scope="row">%1$s</th><td><label for="native-smtp-summary"><input type="checkbox" id="native-smtp-summary" name="native_smtp_alerts[summary]" value="1"%2$s /> %3$s</label></td></tr>',
			esc_html__( 'Weekly summary', 'native-smtp' ),
			checked( $settings['summary'], true, false ),
			esc_html__( 'Email a summary every week: sent, failed, queued and the top failure reasons.', 'native-smtp' )
		);
		printf(
			'<tr><th scope="row"><label for="native-smtp-summary-emails">%1$s</label></th><td><input type="text" class="large-text" id="native-smtp-summary-emails" name="native_smtp_alerts[summary_emails]" value="%2$s" /><p class="description">%3$s</p></td></tr>',
			esc_html__( 'Summary to', 'native-smtp' ),
			esc_attr( implode( ', ', $settings['summary_emails'] ) ),
			esc_html__( 'Empty: the alert addresses, or else the site\'s administration email address.', 'native-smtp' )
		);
		echo '</table>';
		submit_button( __( 'Save Settings', 'native-smtp' ), 'primary', 'submit', true, array( 'id' => 'native-smtp-alerts-save' ) );
		echo '</form>';

		echo '<form method="post" action="' . esc_url( admin_url( 'admin-post.php' ) ) . '" id="native-smtp-alerts-test">';
		echo '<input type="hidden" name="action" value="native_smtp_alerts_test" />';
		wp_nonce_field( 'native_smtp_alerts_test' );
		submit_button( __( 'Send a test alert', 'native-smtp' ), 'secondary', 'native_smtp_alerts_test', false, array( 'id' => 'native-smtp-alerts-test-button' ) );
		echo '</form>';
	}
}

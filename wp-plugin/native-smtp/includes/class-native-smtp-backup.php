<?php
/**
 * Backup connection: a second relay (a provider preset or Other SMTP, with its own encrypted
 * password) handed to the extension as its "fallback" config key. The extension tries it when
 * the first relay fails temporarily (network trouble, a 4xx) and no recipient took the message
 * yet, never after a 5xx, so nobody gets an email twice. The extension's transcript names the
 * switch ("* relay A failed temporarily (...); trying the fallback relay B"): that line tells the
 * email log which relay sent each email, and fires native_smtp_backup_used.
 *
 * @package Native_SMTP
 */

defined( 'ABSPATH' ) || exit;

/**
 * The backup relay's settings, its part of the Mailer config, and what the log and alerts learn.
 */
class Native_SMTP_Backup {

	/** What the log's relay column holds for an email the first relay took. */
	const PRIMARY = 'primary';

	/** ... and for one the backup relay took (or, for a failure, gave the last answer). */
	const BACKUP = 'backup';

	/** The switch line the extension writes into the transcript (src/smtp_mailer.c). */
	const SWITCH_PATTERN = '/^\* relay (\S+) failed temporarily \((.*)\); trying the fallback relay (\S+)$/';

	/**
	 * The backup's settings and their defaults.
	 *
	 * @var array<string, mixed>
	 */
	const DEFAULTS = array(
		'backup_enabled'       => false,
		'backup_preset'        => 'other',
		'backup_preset_region' => '',
		'backup_host'          => '',
		'backup_encryption'    => 'tls',
		'backup_port'          => 587,
		'backup_auth'          => true,
		'backup_username'      => '',
		'backup_password'      => '',
	);

	/**
	 * Hooks in.
	 */
	public static function register_hooks() {
		add_filter( 'native_smtp_default_settings', array( __CLASS__, 'default_settings' ) );
		add_filter( 'native_smtp_sanitize_settings', array( __CLASS__, 'sanitize' ), 20, 3 );
		add_filter( 'native_smtp_connection_types', array( __CLASS__, 'connection_types' ), 6 );
		add_filter( 'native_smtp_setting_fields', array( __CLASS__, 'setting_fields' ) );
		add_filter( 'native_smtp_mailer_config', array( __CLASS__, 'mailer_config' ), 5 );
		// After Native_SMTP_Transport (it keeps the transcript) and before the log's own listeners.
		add_action( 'wp_mail_succeeded', array( __CLASS__, 'after_send' ), 1000 );
		add_action( 'wp_mail_failed', array( __CLASS__, 'after_send' ), 1000 );
		add_action( 'native_smtp_test_succeeded', array( __CLASS__, 'render_test_note' ) );
	}

	/**
	 * Send Test went through the backup: the admin must hear that the main relay failed, or a
	 * broken main relay would look fine.
	 *
	 * @param array $result What Native_SMTP_Admin::send_test() returned.
	 */
	public static function render_test_note( $result ) {
		$switch = is_array( $result ) && isset( $result['transcript'] ) && is_array( $result['transcript'] ) ? self::switch_in( $result['transcript'] ) : null;
		if ( null === $switch ) {
			return;
		}
		echo '<div class="notice notice-warning" id="native-smtp-test-backup"><p><strong>' . esc_html(
			sprintf(
				/* translators: 1: backup relay host:port, 2: main relay host:port */
				__( 'The backup relay %1$s sent the test email: the main relay %2$s failed temporarily.', 'native-smtp' ),
				$switch['backup'],
				$switch['primary']
			)
		) . '</strong></p><p>' . esc_html( $switch['reason'] ) . '</p></div>';
	}

	/**
	 * native_smtp_default_settings.
	 *
	 * @param array $defaults Setting => default.
	 * @return array
	 */
	public static function default_settings( $defaults ) {
		return array_merge( is_array( $defaults ) ? $defaults : array(), self::DEFAULTS );
	}

	/**
	 * native_smtp_connection_types: the SMTP connection's form ends with the backup relay.
	 *
	 * @param array $types Types.
	 * @return array
	 */
	public static function connection_types( $types ) {
		if ( is_array( $types ) && isset( $types['smtp'] ) ) {
			$types['smtp']['fields']   = (array) $types['smtp']['fields'];
			$types['smtp']['fields'][] = 'backup_enabled';
		}
		return $types;
	}

	/**
	 * native_smtp_setting_fields: the Backup connection row.
	 *
	 * @param array $fields Fields.
	 * @return array
	 */
	public static function setting_fields( $fields ) {
		$fields                   = is_array( $fields ) ? $fields : array();
		$fields['backup_enabled'] = array( __( 'Backup connection', 'native-smtp' ), 'native_smtp_server', array( __CLASS__, 'render' ) );
		return $fields;
	}

	/**
	 * The backup's settings in effect (the password decrypted).
	 *
	 * @return array<string, mixed>
	 */
	public static function settings() {
		$stored   = Native_SMTP_Options::stored();
		$settings = array();
		foreach ( self::DEFAULTS as $key => $default ) {
			$settings[ $key ] = array_key_exists( $key, $stored ) ? $stored[ $key ] : $default;
		}
		$settings['backup_password'] = Native_SMTP_Options::decrypt( (string) $settings['backup_password'] );
		return $settings;
	}

	/**
	 * The backup relay as a connection's settings (host, port, encryption, auth, username,
	 * password, preset), or null when it is off or incomplete.
	 *
	 * @return array<string, mixed>|null
	 */
	public static function connection() {
		$backup = self::settings();
		if ( empty( $backup['backup_enabled'] ) ) {
			Native_SMTP_Crypto::wipe( $backup['backup_password'] );
			return null;
		}
		$settings = array(
			'preset'              => (string) $backup['backup_preset'],
			'host'                => (string) $backup['backup_host'],
			'port'                => (int) $backup['backup_port'],
			'encryption'          => Native_SMTP_Options::normalise( 'encryption', $backup['backup_encryption'] ),
			'auth'                => (bool) $backup['backup_auth'],
			'username'            => (string) $backup['backup_username'],
			'password'            => $backup['backup_password'],
			// Never plaintext AUTH to a backup: the sanitising refuses None with a login.
			'allow_insecure_auth' => false,
		);
		$settings = Native_SMTP_Presets::apply_username_rule( $settings );
		if ( ! Native_SMTP_Connections::smtp_complete( $settings ) || $settings['port'] < 1 || $settings['port'] > 65535 ) {
			return null;
		}
		return $settings;
	}

	/**
	 * native_smtp_mailer_config: the backup relay as the extension's "fallback" key.
	 *
	 * @param array $config The Mailer config.
	 * @return array
	 */
	public static function mailer_config( $config ) {
		if ( ! is_array( $config ) || isset( $config['fallback'] ) ) {
			return $config;
		}
		$backup = self::connection();
		if ( null === $backup ) {
			return $config;
		}
		$fallback = Native_SMTP_Connections::smtp_config( $backup );
		Native_SMTP_Crypto::wipe( $backup['password'] );
		// A fallback is a config of its own (the extension's defaults for what it leaves out): the
		// same timeout and extra CA bundle as the first relay.
		foreach ( array( 'timeout', 'cafile' ) as $key ) {
			if ( isset( $config[ $key ] ) ) {
				$fallback[ $key ] = $config[ $key ];
			}
		}
		$config['fallback'] = $fallback;
		return $config;
	}

	/**
	 * native_smtp_sanitize_settings: the backup's fields, cleaned like the main relay's, its preset
	 * applied, its password encrypted (an empty field keeps the stored one).
	 *
	 * @param array $clean  What was cleaned so far.
	 * @param array $input  Posted values (unslashed).
	 * @param array $stored Stored values.
	 * @return array
	 */
	public static function sanitize( $clean, $input, $stored ) {
		$clean  = is_array( $clean ) ? $clean : array();
		$input  = is_array( $input ) ? $input : array();
		$stored = array_merge( self::DEFAULTS, is_array( $stored ) ? $stored : array() );
		foreach ( self::DEFAULTS as $key => $default ) {
			if ( ! array_key_exists( $key, $clean ) ) {
				$clean[ $key ] = $stored[ $key ];
			}
		}
		if ( isset( $input['__checkboxes'] ) ) {
			$clean['backup_enabled'] = ! empty( $input['backup_enabled'] );
			$clean['backup_auth']    = ! empty( $input['backup_auth'] );
		}
		if ( isset( $input['backup_host'] ) ) {
			$posted = sanitize_text_field( is_scalar( $input['backup_host'] ) ? (string) $input['backup_host'] : '' );
			$host   = (string) preg_replace( '/[^A-Za-z0-9.\-:\[\]]/', '', $posted );
			if ( $host !== $posted ) {
				add_settings_error( Native_SMTP_Options::OPTION, 'native_smtp_backup_host', __( 'Backup SMTP Host may only contain a host name or an IP address; other characters were removed.', 'native-smtp' ), 'warning' );
			}
			$clean['backup_host'] = $host;
		}
		if ( isset( $input['backup_encryption'] ) ) {
			$encryption                 = sanitize_key( is_scalar( $input['backup_encryption'] ) ? (string) $input['backup_encryption'] : '' );
			$clean['backup_encryption'] = isset( Native_SMTP_Options::DEFAULT_PORTS[ $encryption ] ) ? $encryption : 'tls';
		}
		if ( isset( $input['backup_port'] ) ) {
			$port                 = absint( $input['backup_port'] );
			$clean['backup_port'] = ( $port >= 1 && $port <= 65535 ) ? $port : Native_SMTP_Options::DEFAULT_PORTS[ $clean['backup_encryption'] ];
		}
		if ( isset( $input['backup_username'] ) ) {
			$clean['backup_username'] = sanitize_text_field( is_scalar( $input['backup_username'] ) ? (string) $input['backup_username'] : '' );
		}
		if ( isset( $input['backup_password'] ) && is_string( $input['backup_password'] ) && '' !== $input['backup_password'] && Native_SMTP_Options::PASSWORD_PLACEHOLDER !== $input['backup_password'] ) {
			$clean['backup_password'] = Native_SMTP_Options::encrypt( str_replace( array( "\r", "\n", "\0" ), '', $input['backup_password'] ) );
		}
		if ( ! empty( $input['clear_backup_password'] ) ) {
			$clean['backup_password'] = '';
		}
		$choice = Native_SMTP_Presets::sanitize_choice( $input, 'backup_preset', (string) $stored['backup_preset'], (string) $stored['backup_preset_region'] );
		// Not posted, or refused: the stored choice still decides the backup relay.
		list( $clean['backup_preset'], $clean['backup_preset_region'] ) = null !== $choice ? $choice : Native_SMTP_Presets::stored_choice( (string) $stored['backup_preset'], (string) $stored['backup_preset_region'] );
		$clean = Native_SMTP_Presets::apply_preset( $clean, $clean['backup_preset'], $clean['backup_preset_region'], 'backup_' );
		// A backup never logs in over plain text (there is no "allow" box for it).
		if ( 'none' === $clean['backup_encryption'] && $clean['backup_auth'] && ( isset( $input['backup_encryption'] ) || isset( $input['__checkboxes'] ) ) ) {
			add_settings_error( Native_SMTP_Options::OPTION, 'native_smtp_backup_insecure', __( 'The backup connection would send its password in plain text (Encryption "None" with Authentication on); its encryption and authentication were not changed.', 'native-smtp' ) );
			$clean['backup_encryption'] = 'none' === $stored['backup_encryption'] && $stored['backup_auth'] ? 'tls' : $stored['backup_encryption'];
			$clean['backup_auth']       = $stored['backup_auth'];
			$clean['backup_port']       = $stored['backup_port'];
		}
		if ( $clean['backup_enabled'] && isset( $input['__checkboxes'] ) && '' === (string) $clean['backup_host'] ) {
			add_settings_error( Native_SMTP_Options::OPTION, 'native_smtp_backup_incomplete', __( 'The backup connection is on but has no SMTP Host: it is not used until it has one.', 'native-smtp' ), 'warning' );
		}
		return $clean;
	}

	/**
	 * The Backup connection row: on/off, then the relay's own Mailer choice and fields.
	 */
	public static function render() {
		$settings = Native_SMTP_Presets::shown_settings();
		$settings = array_merge( self::DEFAULTS, $settings );
		$locked   = Native_SMTP_Admin::is_network_controlled( 'backup_enabled' );
		$disabled = $locked ? ' disabled="disabled"' : '';
		$name     = static function ( $key ) {
			return Native_SMTP_Options::OPTION . '[' . $key . ']';
		};
		printf(
			'<label for="native-smtp-backup-enabled"><input type="checkbox" id="native-smtp-backup-enabled" name="%1$s" value="1"%2$s%3$s /> %4$s</label>',
			esc_attr( $name( 'backup_enabled' ) ),
			checked( (bool) $settings['backup_enabled'], true, false ),
			$disabled, // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- constant markup.
			esc_html__( 'When this server fails temporarily, send through a backup relay', 'native-smtp' )
		);
		echo '<p class="description">' . esc_html__( 'Used only when the server above cannot take the email now (no connection, or a temporary 4xx refusal) and no recipient got it yet; never after a permanent refusal. The Email Log shows which relay sent each email.', 'native-smtp' ) . '</p>';
		if ( $locked ) {
			printf( '<p class="description native-smtp-network-locked"><span class="dashicons dashicons-networking" aria-hidden="true"></span> %s</p>', esc_html__( 'Set by the network administrator.', 'native-smtp' ) );
		}
		echo '<table class="form-table native-smtp-backup" role="presentation" id="native-smtp-backup"><tbody>';
		echo '<tr><th scope="row"><label for="native-smtp-backup-preset">' . esc_html__( 'Backup Mailer', 'native-smtp' ) . '</label></th><td>';
		Native_SMTP_Presets::render_choice( 'backup_preset', (string) $settings['backup_preset'], (string) $settings['backup_preset_region'], $locked );
		echo '</td></tr>';
		printf(
			'<tr><th scope="row"><label for="native-smtp-backup-host">%1$s</label></th><td><input type="text" id="native-smtp-backup-host" name="%2$s" value="%3$s" class="regular-text" placeholder="smtp.example.net" autocomplete="off" spellcheck="false"%4$s /></td></tr>',
			esc_html__( 'Backup SMTP Host', 'native-smtp' ),
			esc_attr( $name( 'backup_host' ) ),
			esc_attr( (string) $settings['backup_host'] ),
			$disabled // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- constant markup.
		);
		echo '<tr><th scope="row"><label for="native-smtp-backup-encryption">' . esc_html__( 'Backup Encryption', 'native-smtp' ) . '</label></th><td>';
		printf( '<select id="native-smtp-backup-encryption" name="%1$s"%2$s>', esc_attr( $name( 'backup_encryption' ) ), $disabled ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- constant markup.
		foreach ( array(
			'tls'  => __( 'TLS', 'native-smtp' ),
			'ssl'  => __( 'SSL', 'native-smtp' ),
			'none' => __( 'None', 'native-smtp' ),
		) as $value => $label ) {
			printf( '<option value="%1$s"%2$s>%3$s</option>', esc_attr( $value ), selected( Native_SMTP_Options::normalise( 'encryption', $settings['backup_encryption'] ), $value, false ), esc_html( $label ) );
		}
		echo '</select></td></tr>';
		printf(
			'<tr><th scope="row"><label for="native-smtp-backup-port">%1$s</label></th><td><input type="number" id="native-smtp-backup-port" name="%2$s" value="%3$d" min="1" max="65535" step="1" style="width:7em"%4$s /></td></tr>',
			esc_html__( 'Backup SMTP Port', 'native-smtp' ),
			esc_attr( $name( 'backup_port' ) ),
			(int) $settings['backup_port'],
			$disabled // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- constant markup.
		);
		printf(
			'<tr><th scope="row">%1$s</th><td><label for="native-smtp-backup-auth"><input type="checkbox" id="native-smtp-backup-auth" name="%2$s" value="1"%3$s%4$s /> %5$s</label></td></tr>',
			esc_html__( 'Backup Authentication', 'native-smtp' ),
			esc_attr( $name( 'backup_auth' ) ),
			checked( (bool) $settings['backup_auth'], true, false ),
			$disabled, // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- constant markup.
			esc_html__( 'On: log in with the backup username and password', 'native-smtp' )
		);
		printf(
			'<tr><th scope="row"><label for="native-smtp-backup-username">%1$s</label></th><td><input type="text" id="native-smtp-backup-username" name="%2$s" value="%3$s" class="regular-text" autocomplete="off" spellcheck="false"%4$s /></td></tr>',
			esc_html__( 'Backup SMTP Username', 'native-smtp' ),
			esc_attr( $name( 'backup_username' ) ),
			esc_attr( (string) $settings['backup_username'] ),
			$disabled // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- constant markup.
		);
		$has_password = '' !== (string) $settings['backup_password'];
		printf(
			'<tr><th scope="row"><label for="native-smtp-backup-password">%1$s</label></th><td><input type="password" id="native-smtp-backup-password" name="%2$s" value="" class="regular-text" autocomplete="new-password" placeholder="%3$s"%4$s />',
			esc_html__( 'Backup SMTP Password', 'native-smtp' ),
			esc_attr( $name( 'backup_password' ) ),
			esc_attr( $has_password ? Native_SMTP_Options::PASSWORD_PLACEHOLDER : '' ),
			$disabled // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- constant markup.
		);
		if ( $has_password && ! $locked ) {
			printf(
				'<p><label for="native-smtp-clear-backup-password"><input type="checkbox" id="native-smtp-clear-backup-password" name="%1$s" value="1" /> %2$s</label></p>',
				esc_attr( $name( 'clear_backup_password' ) ),
				esc_html__( 'Remove the stored backup password', 'native-smtp' )
			);
		}
		echo '<p class="description">' . esc_html__( 'Stored encrypted, never shown; leave empty to keep the stored one.', 'native-smtp' ) . '</p></td></tr>';
		echo '</tbody></table>';
	}

	/**
	 * What a transcript says about the relays: null when the backup was not tried, else
	 * {primary: host:port, backup: host:port, reason: the first relay's failure}.
	 *
	 * @param string[] $transcript The extension's transcript.
	 * @return array<string, string>|null
	 */
	public static function switch_in( array $transcript ) {
		foreach ( $transcript as $line ) {
			if ( preg_match( self::SWITCH_PATTERN, (string) $line, $m ) ) {
				return array(
					'primary' => $m[1],
					'reason'  => $m[2],
					'backup'  => $m[3],
				);
			}
		}
		return null;
	}

	/**
	 * Which relay gave the last send through the extension its answer: "backup" when the
	 * transcript shows the switch, "primary" otherwise, '' when nothing went through the extension.
	 *
	 * @return string
	 */
	public static function last_relay() {
		$transcript = Native_SMTP_Transport::last_transcript();
		if ( ! $transcript ) {
			return '';
		}
		return null === self::switch_in( $transcript ) ? self::PRIMARY : self::BACKUP;
	}

	/**
	 * wp_mail_succeeded / wp_mail_failed: fires native_smtp_backup_used when the backup relay was
	 * tried for this email.
	 *
	 * @param array|WP_Error $mail wp_mail()'s data, or the failure.
	 */
	public static function after_send( $mail ) {
		$switch = self::switch_in( Native_SMTP_Transport::last_transcript() );
		if ( null === $switch ) {
			return;
		}
		$failed = $mail instanceof WP_Error;
		$data   = $failed ? $mail->get_error_data( 'wp_mail_failed' ) : $mail;
		$data   = is_array( $data ) ? $data : array();
		$queued = ! $failed && null !== Native_SMTP_Transport::last_queued();
		$to     = isset( $data['to'] ) ? $data['to'] : array();
		$colon  = strrpos( $switch['backup'], ':' );
		$preset = (string) Native_SMTP_Options::stored()['backup_preset'];
		$info   = Native_SMTP_Presets::get( $preset );
		/**
		 * Fires when an email went to the backup relay because the first one failed temporarily.
		 *
		 * @param array $event {
		 *     @type bool     $delivered  Whether the backup relay took it.
		 *     @type bool     $queued     Whether it was queued for later (the backup failed too, temporarily).
		 *     @type string   $primary    The first relay, host:port.
		 *     @type string   $backup     The backup relay, host:port.
		 *     @type string   $reason     Why the first relay failed.
		 *     @type string   $error      The final error when it was not delivered, else ''.
		 *     @type string   $message_id The Message-ID when delivered or queued.
		 *     @type string[] $to         Recipients.
		 *     @type string   $subject    Subject.
		 *     @type string   $host       The backup relay's host (as $backup, split).
		 *     @type string   $port       The backup relay's port.
		 *     @type string   $preset     The backup's Mailer choice (a preset slug, "other").
		 *     @type string   $label      That choice's label ("SendGrid", "Other SMTP").
		 *     @type string   $primary_error The same as $reason.
		 * }
		 */
		do_action(
			'native_smtp_backup_used',
			array(
				'delivered'  => ! $failed && ! $queued,
				'queued'     => $queued,
				'primary'    => $switch['primary'],
				'backup'     => $switch['backup'],
				'reason'     => $switch['reason'],
				'error'      => $failed ? $mail->get_error_message( 'wp_mail_failed' ) : '',
				'message_id' => $queued ? (string) Native_SMTP_Transport::last_queued()['message_id'] : Native_SMTP_Transport::last_message_id(),
				'to'         => array_values( array_map( 'strval', is_array( $to ) ? $to : explode( ',', (string) $to ) ) ),
				'subject'    => isset( $data['subject'] ) ? (string) $data['subject'] : '',
				'host'          => false === $colon ? $switch['backup'] : substr( $switch['backup'], 0, $colon ),
				'port'          => false === $colon ? '' : substr( $switch['backup'], $colon + 1 ),
				'preset'        => $preset,
				'label'         => null !== $info ? (string) $info['label'] : '',
				'primary_error' => $switch['reason'],
			)
		);
	}

	/**
	 * The label of a log row's relay.
	 *
	 * @param string $relay primary | backup | ''.
	 * @return string
	 */
	public static function relay_label( $relay ) {
		if ( self::BACKUP === $relay ) {
			return __( 'Backup relay', 'native-smtp' );
		}
		if ( self::PRIMARY === $relay ) {
			return __( 'Main relay', 'native-smtp' );
		}
		return '';
	}
}

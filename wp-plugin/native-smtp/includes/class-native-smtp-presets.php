<?php
/**
 * Provider presets: the "Mailer" choice above the SMTP fields. Each preset knows its relay's host,
 * port and encryption (per region where the provider has several), the username rule (SendGrid's
 * literal "apikey", Postmark's server token as both username and password), two lines on where
 * the credentials come from, and the provider's well-known refusals, which Send Test turns into a
 * hint. The sanitising applies a preset server-side (the form works without JavaScript);
 * assets/presets.js fills the fields live.
 *
 * @package Native_SMTP
 */

defined( 'ABSPATH' ) || exit;

/**
 * The provider table, its sanitising, its form fields and the refusal hints.
 */
class Native_SMTP_Presets {

	/** The preset that fills nothing: the admin types host, port and encryption. */
	const OTHER = 'other';

	/** Username rule: the admin's own login (usually the full email address). */
	const USER_OWN = 'own';

	/** Username rule: a fixed literal (SendGrid's "apikey"). */
	const USER_FIXED = 'fixed';

	/** Username rule: the password (a token) is also the username (Postmark's server token). */
	const USER_IS_PASSWORD = 'password';

	/**
	 * Hooks in: the settings this class adds, their sanitising, the fields on the settings page,
	 * the username rule at send time, and the script that fills the fields live.
	 */
	public static function register_hooks() {
		add_filter( 'native_smtp_default_settings', array( __CLASS__, 'default_settings' ) );
		add_filter( 'native_smtp_sanitize_settings', array( __CLASS__, 'sanitize' ), 10, 3 );
		add_filter( 'native_smtp_connection_types', array( __CLASS__, 'connection_types' ), 5 );
		add_filter( 'native_smtp_setting_fields', array( __CLASS__, 'setting_fields' ) );
		add_action( 'admin_enqueue_scripts', array( __CLASS__, 'enqueue_assets' ) );
	}

	/**
	 * The provider table: slug => {label, host (with "%s" for the region), regions (region =>
	 * label, first is the default), port, encryption (the plugin's none / ssl / tls), username
	 * (USER_* rule), username_value (for USER_FIXED), username_label, password_label,
	 * credentials (two lines: where to get them), refusals (see refusals())}.
	 *
	 * @return array<string, array<string, mixed>>
	 */
	public static function presets() {
		$presets = array(
			self::OTHER  => array(
				'label' => __( 'Other SMTP', 'native-smtp' ),
			),
			'gmail'      => array(
				'label'          => __( 'Gmail / Google Workspace', 'native-smtp' ),
				'host'           => 'smtp.gmail.com',
				'port'           => 587,
				'encryption'     => 'tls',
				'username'       => self::USER_OWN,
				'username_label' => __( 'Your full Gmail or Google Workspace address', 'native-smtp' ),
				'password_label' => __( 'An app password (16 letters), not your account password', 'native-smtp' ),
				'credentials'    => array(
					__( 'Turn on 2-Step Verification, then create an app password at myaccount.google.com/apppasswords.', 'native-smtp' ),
					__( 'Username: the full address you send from; Password: the 16-letter app password.', 'native-smtp' ),
				),
			),
			'microsoft'  => array(
				'label'          => __( 'Microsoft 365 / Outlook', 'native-smtp' ),
				'host'           => 'smtp.office365.com',
				'port'           => 587,
				'encryption'     => 'tls',
				'username'       => self::USER_OWN,
				'username_label' => __( 'The mailbox address you send from', 'native-smtp' ),
				'password_label' => __( 'The mailbox password, or an app password with multi-factor authentication', 'native-smtp' ),
				'credentials'    => array(
					__( 'The mailbox needs "Authenticated SMTP" turned on (Microsoft 365 admin center, Users, Mail, Manage email apps).', 'native-smtp' ),
					__( 'Username: the mailbox address; Password: its password, or an app password when multi-factor authentication is on.', 'native-smtp' ),
				),
			),
			'ses'        => array(
				'label'          => __( 'Amazon SES', 'native-smtp' ),
				'host'           => 'email-smtp.%s.amazonaws.com',
				'regions'        => self::ses_regions(),
				'port'           => 587,
				'encryption'     => 'tls',
				'username'       => self::USER_OWN,
				'username_label' => __( 'The SMTP user name (starts with AKIA)', 'native-smtp' ),
				'password_label' => __( 'The SMTP password (not the IAM secret key)', 'native-smtp' ),
				'credentials'    => array(
					__( 'Amazon SES console, SMTP settings, Create SMTP credentials, in the region you choose here.', 'native-smtp' ),
					__( 'Verify your From domain or address under Identities; a new account is in the sandbox until you request production access.', 'native-smtp' ),
				),
			),
			'sendgrid'   => array(
				'label'          => __( 'SendGrid', 'native-smtp' ),
				'host'           => 'smtp.sendgrid.net',
				'port'           => 587,
				'encryption'     => 'tls',
				'username'       => self::USER_FIXED,
				'username_value' => 'apikey',
				'username_label' => __( 'Always the word "apikey"', 'native-smtp' ),
				'password_label' => __( 'An API key with the "Mail Send" permission', 'native-smtp' ),
				'credentials'    => array(
					__( 'SendGrid, Settings, API Keys, Create API Key (Mail Send); the key is shown once.', 'native-smtp' ),
					__( 'Username: the word "apikey" (filled in for you); Password: the API key. Verify your sender under Sender Authentication.', 'native-smtp' ),
				),
			),
			'mailgun'    => array(
				'label'          => __( 'Mailgun', 'native-smtp' ),
				'host'           => '%s',
				'regions'        => array(
					'smtp.mailgun.org'    => __( 'US', 'native-smtp' ),
					'smtp.eu.mailgun.org' => __( 'EU', 'native-smtp' ),
				),
				'port'           => 587,
				'encryption'     => 'tls',
				'username'       => self::USER_OWN,
				'username_label' => __( 'The SMTP login, e.g. postmaster@mg.example.com', 'native-smtp' ),
				'password_label' => __( 'That SMTP login\'s password', 'native-smtp' ),
				'credentials'    => array(
					__( 'Mailgun, Sending, Domain settings, SMTP credentials: add or reset a login for your sending domain.', 'native-smtp' ),
					__( 'Choose the region your domain was created in (US or EU).', 'native-smtp' ),
				),
			),
			'brevo'      => array(
				'label'          => __( 'Brevo', 'native-smtp' ),
				'host'           => 'smtp-relay.brevo.com',
				'port'           => 587,
				'encryption'     => 'tls',
				'username'       => self::USER_OWN,
				'username_label' => __( 'The SMTP login shown on Brevo\'s SMTP page', 'native-smtp' ),
				'password_label' => __( 'An SMTP key (not your Brevo password)', 'native-smtp' ),
				'credentials'    => array(
					__( 'Brevo, SMTP & API, SMTP tab: your SMTP login, and Generate a new SMTP key.', 'native-smtp' ),
					__( 'Add and verify your sending domain or sender under Senders, Domains & Dedicated IPs.', 'native-smtp' ),
				),
			),
			'postmark'   => array(
				'label'          => __( 'Postmark', 'native-smtp' ),
				'host'           => 'smtp.postmarkapp.com',
				'port'           => 587,
				'encryption'     => 'tls',
				'username'       => self::USER_IS_PASSWORD,
				'username_label' => __( 'Not needed: the server token is both username and password', 'native-smtp' ),
				'password_label' => __( 'The Server API token', 'native-smtp' ),
				'credentials'    => array(
					__( 'Postmark, Servers, your server, API Tokens: copy the Server API token.', 'native-smtp' ),
					__( 'Enter it once, as the password: it is sent as both username and password. Add a Sender Signature or domain first.', 'native-smtp' ),
				),
			),
			'smtp2go'    => array(
				'label'          => __( 'SMTP2GO', 'native-smtp' ),
				'host'           => 'mail.smtp2go.com',
				'port'           => 587,
				'encryption'     => 'tls',
				'username'       => self::USER_OWN,
				'username_label' => __( 'The SMTP user name you created', 'native-smtp' ),
				'password_label' => __( 'That SMTP user\'s password', 'native-smtp' ),
				'credentials'    => array(
					__( 'SMTP2GO, Sending, SMTP Users, Add SMTP User.', 'native-smtp' ),
					__( 'Verify your sender domain under Sending, Verified Senders.', 'native-smtp' ),
				),
			),
			'mailjet'    => array(
				'label'          => __( 'Mailjet', 'native-smtp' ),
				'host'           => 'in-v3.mailjet.com',
				'port'           => 587,
				'encryption'     => 'tls',
				'username'       => self::USER_OWN,
				'username_label' => __( 'The API key', 'native-smtp' ),
				'password_label' => __( 'The secret key', 'native-smtp' ),
				'credentials'    => array(
					__( 'Mailjet, Account settings, REST API, API Key Management: the API key and secret key.', 'native-smtp' ),
					__( 'Username: the API key; Password: the secret key. Add your sender address or domain first.', 'native-smtp' ),
				),
			),
			'zoho'       => array(
				'label'          => __( 'Zoho Mail', 'native-smtp' ),
				'host'           => '%s',
				'regions'        => array(
					'smtp.zoho.com'    => __( 'zoho.com (United States)', 'native-smtp' ),
					'smtp.zoho.eu'     => __( 'zoho.eu (Europe)', 'native-smtp' ),
					'smtp.zoho.in'     => __( 'zoho.in (India)', 'native-smtp' ),
					'smtp.zoho.com.au' => __( 'zoho.com.au (Australia)', 'native-smtp' ),
					'smtp.zoho.jp'     => __( 'zoho.jp (Japan)', 'native-smtp' ),
					'smtp.zohocloud.ca' => __( 'zohocloud.ca (Canada)', 'native-smtp' ),
					'smtp.zoho.sa'     => __( 'zoho.sa (Saudi Arabia)', 'native-smtp' ),
				),
				'port'           => 465,
				'encryption'     => 'ssl',
				'username'       => self::USER_OWN,
				'username_label' => __( 'Your full Zoho Mail address', 'native-smtp' ),
				'password_label' => __( 'An application-specific password when two-factor authentication is on', 'native-smtp' ),
				'credentials'    => array(
					__( 'Choose the data center your account is in (the address you sign in at: zoho.com, zoho.eu, ...).', 'native-smtp' ),
					__( 'With two-factor authentication: My Account, Security, App Passwords, Generate New Password.', 'native-smtp' ),
				),
			),
			'yahoo'      => array(
				'label'          => __( 'Yahoo Mail', 'native-smtp' ),
				'host'           => 'smtp.mail.yahoo.com',
				'port'           => 465,
				'encryption'     => 'ssl',
				'username'       => self::USER_OWN,
				'username_label' => __( 'Your full Yahoo address', 'native-smtp' ),
				'password_label' => __( 'An app password, not your account password', 'native-smtp' ),
				'credentials'    => array(
					__( 'Yahoo Account Security, Generate app password (two-step verification must be on).', 'native-smtp' ),
					__( 'Username: your full Yahoo address; Password: the app password.', 'native-smtp' ),
				),
			),
		);
		/**
		 * Filters the provider presets (shape: see Native_SMTP_Presets::presets()). A filter may add
		 * a provider or point one at another host (a private relay, a test server); "other" stays.
		 *
		 * @param array $presets Presets.
		 */
		$filtered = apply_filters( 'native_smtp_presets', $presets );
		$filtered = is_array( $filtered ) ? $filtered : $presets;
		$filtered[ self::OTHER ] = $presets[ self::OTHER ];
		return $filtered;
	}

	/**
	 * Amazon SES's regions with an SMTP endpoint (region code => label).
	 *
	 * @return array<string, string>
	 */
	private static function ses_regions() {
		$codes = array( 'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ca-central-1', 'sa-east-1', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1', 'eu-central-2', 'eu-south-1', 'eu-north-1', 'il-central-1', 'me-south-1', 'me-central-1', 'af-south-1', 'ap-south-1', 'ap-south-2', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3', 'us-gov-west-1', 'us-gov-east-1' );
		return array_combine( $codes, $codes );
	}

	/**
	 * One preset, or null for an unknown slug.
	 *
	 * @param string $slug Preset.
	 * @return array<string, mixed>|null
	 */
	public static function get( $slug ) {
		$presets = self::presets();
		return isset( $presets[ $slug ] ) && is_array( $presets[ $slug ] ) ? $presets[ $slug ] : null;
	}

	/**
	 * A preset's relay host for a region ('' for Other SMTP or an unknown region).
	 *
	 * @param string $slug   Preset.
	 * @param string $region Region ('' where the preset has none).
	 * @return string
	 */
	public static function host( $slug, $region ) {
		$preset = self::get( $slug );
		if ( null === $preset || empty( $preset['host'] ) ) {
			return '';
		}
		if ( empty( $preset['regions'] ) ) {
			return (string) $preset['host'];
		}
		$region = isset( $preset['regions'][ $region ] ) ? $region : self::default_region( $slug );
		return sprintf( (string) $preset['host'], $region );
	}

	/**
	 * A preset's first region ('' when it has none).
	 *
	 * @param string $slug Preset.
	 * @return string
	 */
	public static function default_region( $slug ) {
		$preset = self::get( $slug );
		if ( null === $preset || empty( $preset['regions'] ) ) {
			return '';
		}
		return (string) array_key_first( $preset['regions'] );
	}

	/**
	 * native_smtp_default_settings: the Mailer choice and its region.
	 *
	 * @param array $defaults Setting => default.
	 * @return array
	 */
	public static function default_settings( $defaults ) {
		$defaults                  = is_array( $defaults ) ? $defaults : array();
		$defaults['preset']        = self::OTHER;
		$defaults['preset_region'] = '';
		return $defaults;
	}

	/**
	 * native_smtp_connection_types: the SMTP connection shows the Mailer choice first, and its
	 * username follows the preset's rule at send time.
	 *
	 * @param array $types Connection types.
	 * @return array
	 */
	public static function connection_types( $types ) {
		if ( ! is_array( $types ) || ! isset( $types['smtp'] ) ) {
			return $types;
		}
		$types['smtp']['fields']   = array_values( array_unique( array_merge( array( 'preset' ), (array) $types['smtp']['fields'] ) ) );
		$types['smtp']['complete'] = array( __CLASS__, 'smtp_complete' );
		$types['smtp']['config']   = array( __CLASS__, 'smtp_config' );
		return $types;
	}

	/**
	 * The settings with the preset's username rule applied: SendGrid's literal, Postmark's token.
	 *
	 * @param array $settings Settings (password decrypted).
	 * @return array
	 */
	public static function apply_username_rule( array $settings ) {
		$preset = self::get( isset( $settings['preset'] ) ? (string) $settings['preset'] : self::OTHER );
		$rule   = null !== $preset && isset( $preset['username'] ) ? $preset['username'] : self::USER_OWN;
		if ( self::USER_FIXED === $rule ) {
			$settings['username'] = (string) $preset['username_value'];
			$settings['auth']     = true;
		} elseif ( self::USER_IS_PASSWORD === $rule ) {
			$settings['username'] = (string) $settings['password'];
			$settings['auth']     = true;
		}
		return $settings;
	}

	/**
	 * "smtp" with a preset: complete when the host is set and the login the rule needs is there.
	 *
	 * @param array $settings Settings.
	 * @return bool
	 */
	public static function smtp_complete( array $settings ) {
		$settings = self::apply_username_rule( $settings );
		$complete = Native_SMTP_Connections::smtp_complete( $settings );
		Native_SMTP_Crypto::wipe( $settings['username'] );
		return $complete;
	}

	/**
	 * "smtp" with a preset: the extension's config, username by the preset's rule.
	 *
	 * @param array $settings Settings.
	 * @return array
	 */
	public static function smtp_config( array $settings ) {
		return Native_SMTP_Connections::smtp_config( self::apply_username_rule( $settings ) );
	}

	/**
	 * native_smtp_sanitize_settings: validates the Mailer choice and its region and applies the
	 * preset: host, port and encryption become the provider's, and the username follows its rule.
	 * An unknown preset or region is refused with a settings error and the previous choice stays.
	 *
	 * @param array $clean  What Native_SMTP_Options cleaned so far.
	 * @param array $input  The posted values (unslashed).
	 * @param array $stored The stored values they replace.
	 * @return array
	 */
	public static function sanitize( $clean, $input, $stored ) {
		$clean  = is_array( $clean ) ? $clean : array();
		$input  = is_array( $input ) ? $input : array();
		$stored = is_array( $stored ) ? $stored : array();
		$prev_slug   = isset( $stored['preset'] ) ? (string) $stored['preset'] : self::OTHER;
		$prev_region = isset( $stored['preset_region'] ) ? (string) $stored['preset_region'] : '';
		$result      = self::sanitize_choice( $input, 'preset', $prev_slug, $prev_region );
		// Not posted, or refused: the stored choice still decides the relay, so a host posted
		// without a choice (or next to a refused one) cannot take a provider's place.
		list( $slug, $region ) = null !== $result ? $result : self::stored_choice( $prev_slug, $prev_region );
		$clean['preset']        = $slug;
		$clean['preset_region'] = $region;
		return self::apply_preset( $clean, $slug, $region, '' );
	}

	/**
	 * Reads and validates a posted Mailer choice and its region.
	 *
	 * @param array  $input       Posted values.
	 * @param string $key         "preset" or "backup_preset".
	 * @param string $prev_slug   The stored choice.
	 * @param string $prev_region The stored region.
	 * @return array{0: string, 1: string}|null [slug, region], or null when nothing was posted.
	 */
	public static function sanitize_choice( array $input, $key, $prev_slug, $prev_region ) {
		if ( ! isset( $input[ $key ] ) ) {
			return null;
		}
		$posted = is_scalar( $input[ $key ] ) ? (string) $input[ $key ] : '';
		$slug   = sanitize_key( $posted );
		$preset = $slug === $posted ? self::get( $slug ) : null;
		if ( null === $preset ) {
			self::error(
				'native_smtp_' . $key,
				sprintf(
					/* translators: %s: the value that was posted */
					__( 'Unknown Mailer "%s"; the previous choice was kept.', 'native-smtp' ),
					substr( $posted, 0, 40 )
				)
			);
			return null;
		}
		if ( empty( $preset['regions'] ) ) {
			return array( $slug, '' );
		}
		// The form has one region list per provider (it works without JavaScript); a direct save may
		// send the region alone.
		$regions_key = $key . '_regions';
		$region      = null;
		if ( isset( $input[ $regions_key ] ) && is_array( $input[ $regions_key ] ) && isset( $input[ $regions_key ][ $slug ] ) ) {
			$region = $input[ $regions_key ][ $slug ];
		} elseif ( isset( $input[ $key . '_region' ] ) ) {
			$region = $input[ $key . '_region' ];
		}
		if ( null === $region ) {
			// Nothing posted: the stored region if it is this provider's, else its first.
			$region = $slug === $prev_slug && isset( $preset['regions'][ $prev_region ] ) ? $prev_region : self::default_region( $slug );
			return array( $slug, $region );
		}
		$region = is_scalar( $region ) ? (string) $region : '';
		if ( ! isset( $preset['regions'][ $region ] ) ) {
			self::error(
				'native_smtp_' . $key . '_region',
				sprintf(
					/* translators: 1: the region that was posted, 2: provider name */
					__( 'Unknown region "%1$s" for %2$s; the previous choice was kept.', 'native-smtp' ),
					substr( $region, 0, 40 ),
					$preset['label']
				)
			);
			return null;
		}
		return array( $slug, $region );
	}

	/**
	 * A stored choice made valid: an unknown preset (a filter removed it) is Other SMTP, an unknown
	 * region the preset's first.
	 *
	 * @param string $slug   Stored preset.
	 * @param string $region Stored region.
	 * @return array{0: string, 1: string}
	 */
	public static function stored_choice( $slug, $region ) {
		$preset = self::get( (string) $slug );
		if ( null === $preset ) {
			return array( self::OTHER, '' );
		}
		if ( empty( $preset['regions'] ) ) {
			return array( (string) $slug, '' );
		}
		return array( (string) $slug, isset( $preset['regions'][ $region ] ) ? (string) $region : self::default_region( $slug ) );
	}

	/**
	 * Writes a preset's host, port, encryption and username rule into settings.
	 *
	 * @param array  $settings Settings.
	 * @param string $slug     Preset.
	 * @param string $region   Region.
	 * @param string $prefix   '' for the main relay, "backup_" for the backup.
	 * @return array
	 */
	public static function apply_preset( array $settings, $slug, $region, $prefix ) {
		$preset = self::get( $slug );
		if ( null === $preset || self::OTHER === $slug ) {
			return $settings;
		}
		$settings[ $prefix . 'host' ]       = self::host( $slug, $region );
		$settings[ $prefix . 'port' ]       = (int) $preset['port'];
		$settings[ $prefix . 'encryption' ] = (string) $preset['encryption'];
		$settings[ $prefix . 'auth' ]       = true;
		$rule                               = isset( $preset['username'] ) ? $preset['username'] : self::USER_OWN;
		if ( self::USER_FIXED === $rule ) {
			$settings[ $prefix . 'username' ] = (string) $preset['username_value'];
		} elseif ( self::USER_IS_PASSWORD === $rule ) {
			// Sent as the token at send time; not stored a second time in plain text.
			$settings[ $prefix . 'username' ] = '';
		}
		return $settings;
	}

	/**
	 * Reports a problem with a posted value on the settings screen.
	 *
	 * @param string $code    Error code.
	 * @param string $message Text.
	 */
	private static function error( $code, $message ) {
		if ( ! function_exists( 'add_settings_error' ) ) {
			require_once ABSPATH . 'wp-admin/includes/template.php';
		}
		add_settings_error( Native_SMTP_Options::OPTION, $code, $message, 'error' );
	}

	/**
	 * native_smtp_setting_fields: the Mailer row of the settings page.
	 *
	 * @param array $fields Setting => [label, section, renderer].
	 * @return array
	 */
	public static function setting_fields( $fields ) {
		$fields           = is_array( $fields ) ? $fields : array();
		$fields['preset'] = array( __( 'Mailer', 'native-smtp' ), 'native_smtp_server', array( __CLASS__, 'render_preset' ) );
		return $fields;
	}

	/**
	 * The stored settings the page shows (the network's on the network page).
	 *
	 * @return array
	 */
	public static function shown_settings() {
		return 'network' === Native_SMTP_Admin::$context ? Native_SMTP_Options::network_stored() : Native_SMTP_Options::stored();
	}

	/**
	 * The Mailer row: the choice, the region lists, the credentials help, and a place for other
	 * connection types (OAuth) to add their own part.
	 */
	public static function render_preset() {
		$settings = self::shown_settings();
		self::render_choice( 'preset', (string) $settings['preset'], (string) $settings['preset_region'], Native_SMTP_Admin::is_network_controlled( 'preset' ) );
		/**
		 * Fires under the Mailer choice of the settings page: another connection type (the OAuth
		 * connect buttons, say) adds its own part here.
		 *
		 * @param string $preset  The stored Mailer choice.
		 * @param string $context "site" or "network".
		 */
		do_action( 'native_smtp_mailer_fields', (string) $settings['preset'], Native_SMTP_Admin::$context );
	}

	/**
	 * A Mailer select, its per-provider region selects and the credentials help (shared by the main
	 * relay and the backup).
	 *
	 * @param string $key      "preset" or "backup_preset".
	 * @param string $current  Stored choice.
	 * @param string $region   Stored region.
	 * @param bool   $disabled Whether the field is read-only here.
	 */
	public static function render_choice( $key, $current, $region, $disabled ) {
		$presets  = self::presets();
		$current  = isset( $presets[ $current ] ) ? $current : self::OTHER;
		$id       = 'native-smtp-' . str_replace( '_', '-', $key );
		$name     = Native_SMTP_Options::OPTION . '[' . $key . ']';
		$disabled = $disabled ? ' disabled="disabled"' : '';
		printf( '<select id="%1$s" name="%2$s" class="native-smtp-preset" data-prefix="%3$s"%4$s>', esc_attr( $id ), esc_attr( $name ), esc_attr( 'backup_preset' === $key ? 'backup-' : '' ), $disabled ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- constant markup.
		foreach ( $presets as $slug => $preset ) {
			printf( '<option value="%1$s"%2$s>%3$s</option>', esc_attr( $slug ), selected( $current, $slug, false ), esc_html( $preset['label'] ) );
		}
		echo '</select>';
		foreach ( $presets as $slug => $preset ) {
			if ( empty( $preset['regions'] ) ) {
				continue;
			}
			$region_id = $id . '-region-' . $slug;
			printf(
				'<p class="native-smtp-preset-region" data-preset="%1$s"><label for="%2$s">%3$s</label> <select id="%2$s" name="%4$s"%5$s>',
				esc_attr( $slug ),
				esc_attr( $region_id ),
				esc_html(
					sprintf(
						/* translators: %s: provider name */
						__( '%s region:', 'native-smtp' ),
						$preset['label']
					)
				),
				esc_attr( Native_SMTP_Options::OPTION . '[' . $key . '_regions][' . $slug . ']' ),
				$disabled // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- constant markup.
			);
			$chosen = $slug === $current && isset( $preset['regions'][ $region ] ) ? $region : self::default_region( $slug );
			foreach ( $preset['regions'] as $value => $label ) {
				printf( '<option value="%1$s"%2$s>%3$s</option>', esc_attr( $value ), selected( $chosen, $value, false ), esc_html( $label ) );
			}
			echo '</select></p>';
		}
		echo '<div class="native-smtp-preset-help" id="' . esc_attr( $id . '-help' ) . '">';
		if ( self::OTHER !== $current && ! empty( $presets[ $current ]['credentials'] ) ) {
			foreach ( (array) $presets[ $current ]['credentials'] as $line ) {
				echo '<p class="description">' . esc_html( $line ) . '</p>';
			}
		}
		echo '</div>';
		// Both notes are printed; the script shows the one that fits the choice being made.
		printf(
			'<p class="description native-smtp-preset-note" data-when="other"%1$s>%2$s</p><p class="description native-smtp-preset-note" data-when="preset"%3$s>%4$s</p>',
			self::OTHER === $current ? '' : ' hidden',
			esc_html__( 'Choose your email provider to fill the server settings, or Other SMTP to type them.', 'native-smtp' ),
			self::OTHER === $current ? ' hidden' : '',
			esc_html__( 'The host, port and encryption below are the provider\'s; choose Other SMTP to change them.', 'native-smtp' )
		);
	}

	/**
	 * What the script needs: each preset's host per region, port, encryption, username rule and help.
	 *
	 * @return array<string, array<string, mixed>>
	 */
	public static function script_data() {
		$data = array();
		foreach ( self::presets() as $slug => $preset ) {
			if ( self::OTHER === $slug ) {
				$data[ $slug ] = array( 'help' => array() );
				continue;
			}
			$hosts = array();
			if ( empty( $preset['regions'] ) ) {
				$hosts[''] = self::host( $slug, '' );
			} else {
				foreach ( array_keys( $preset['regions'] ) as $region ) {
					$hosts[ $region ] = self::host( $slug, (string) $region );
				}
			}
			$data[ $slug ] = array(
				'hosts'          => $hosts,
				'port'           => (int) $preset['port'],
				'encryption'     => (string) $preset['encryption'],
				'username'       => isset( $preset['username'] ) ? (string) $preset['username'] : self::USER_OWN,
				'usernameValue'  => isset( $preset['username_value'] ) ? (string) $preset['username_value'] : '',
				'usernameLabel'  => isset( $preset['username_label'] ) ? (string) $preset['username_label'] : '',
				'passwordLabel'  => isset( $preset['password_label'] ) ? (string) $preset['password_label'] : '',
				'help'           => array_values( array_map( 'strval', (array) ( isset( $preset['credentials'] ) ? $preset['credentials'] : array() ) ) ),
			);
		}
		return $data;
	}

	/**
	 * Loads assets/presets.js on the plugin's settings pages.
	 *
	 * @param string $hook_suffix Current admin page.
	 */
	public static function enqueue_assets( $hook_suffix ) {
		if ( $hook_suffix !== Native_SMTP_Admin::hook_suffix() && $hook_suffix !== Native_SMTP_Network_Admin::hook_suffix() ) {
			return;
		}
		wp_enqueue_script( 'native-smtp-presets', plugins_url( 'assets/presets.js', NATIVE_SMTP_PLUGIN_FILE ), array(), NATIVE_SMTP_VERSION, true );
		wp_add_inline_script(
			'native-smtp-presets',
			'window.nativeSmtpPresets = ' . wp_json_encode(
				array(
					'presets' => self::script_data(),
					'other'   => self::OTHER,
					'locked'  => __( 'Set by the Mailer above; choose Other SMTP to change it.', 'native-smtp' ),
				)
			) . ';',
			'before'
		);
	}
}

<?php
/**
 * Settings: stored values, wp-config.php constants that fix them, and the password's encryption at rest.
 *
 * @package Native_SMTP
 */

defined( 'ABSPATH' ) || exit;

/**
 * Reads and writes the plugin's settings (one array option).
 */
class Native_SMTP_Options {

	const OPTION = 'native_smtp_options';

	/** On multisite: the network's settings (a site option), set by the network admin. */
	const NETWORK_OPTION = 'native_smtp_network_options';

	/** Prefix of an encrypted secret (the current format, with its key check value). */
	const CIPHER_PREFIX = Native_SMTP_Crypto::PREFIX_V2;

	/**
	 * On multisite, what a subsite admin may never set: everything that decides where mail and
	 * credentials go. A subsite admin could otherwise point the relay at a server of their own and
	 * read a super admin's password-reset email (the reset key works network-wide).
	 *
	 * @var string[]
	 */
	const NETWORK_KEYS = array( 'connection', 'host', 'encryption', 'port', 'auth', 'username', 'password', 'allow_insecure_auth', 'queue', 'dkim_enabled', 'dkim_domain', 'dkim_selector', 'dkim_algorithm' );

	/**
	 * On multisite, what the network admin may let subsite admins set (the rest is the network's).
	 *
	 * @var string[]
	 */
	const SITE_ALLOWABLE = array( 'from_email', 'force_from_email', 'from_name', 'force_from_name', 'return_path', 'log_bodies', 'retention_days' );

	/**
	 * What subsite admins may set until the network admin says otherwise.
	 *
	 * @var string[]
	 */
	const DEFAULT_SITE_ALLOWED = array( 'from_email', 'force_from_email', 'from_name', 'force_from_name' );

	/** Shown in the password field instead of the stored password, which is never printed back. */
	const PASSWORD_PLACEHOLDER = '********';

	/**
	 * What sanitize() returned last in this request.
	 *
	 * @var array<string, mixed>|null
	 */
	private static $last_clean = null;

	/**
	 * Setting => the wp-config.php constant that fixes it.
	 *
	 * @var array<string, string>
	 */
	const CONSTANTS = array(
		'from_email'       => 'NATIVE_SMTP_FROM',
		'force_from_email' => 'NATIVE_SMTP_FORCE_FROM',
		'from_name'        => 'NATIVE_SMTP_FROM_NAME',
		'force_from_name'  => 'NATIVE_SMTP_FORCE_FROM_NAME',
		'host'             => 'NATIVE_SMTP_HOST',
		'encryption'       => 'NATIVE_SMTP_ENCRYPTION',
		'port'             => 'NATIVE_SMTP_PORT',
		'auth'             => 'NATIVE_SMTP_AUTH',
		'username'         => 'NATIVE_SMTP_USER',
		'password'         => 'NATIVE_SMTP_PASSWORD',
		'return_path'      => 'NATIVE_SMTP_RETURN_PATH',
		'log_bodies'       => 'NATIVE_SMTP_LOG_BODIES',
		'retention_days'   => 'NATIVE_SMTP_LOG_RETENTION_DAYS',
		'queue'            => 'NATIVE_SMTP_QUEUE',
		'dkim_enabled'     => 'NATIVE_SMTP_DKIM',
		'dkim_domain'      => 'NATIVE_SMTP_DKIM_DOMAIN',
		'dkim_selector'    => 'NATIVE_SMTP_DKIM_SELECTOR',
		'dkim_algorithm'   => 'NATIVE_SMTP_DKIM_ALGORITHM',
	);

	/**
	 * DKIM algorithm choices: one key of either kind, or one of each (two signatures).
	 *
	 * @var string[]
	 */
	const DKIM_ALGORITHMS = array( 'rsa-sha256', 'ed25519-sha256', 'both' );

	/**
	 * The default port of each encryption choice (None / SSL / TLS).
	 *
	 * @var array<string, int>
	 */
	const DEFAULT_PORTS = array(
		'none' => 25,
		'ssl'  => 465,
		'tls'  => 587,
	);

	/**
	 * Settings as stored when nothing was saved yet.
	 *
	 * @return array<string, mixed>
	 */
	public static function defaults() {
		$defaults = array(
			'connection'       => 'smtp',
			'from_email'       => '',
			'force_from_email' => false,
			'from_name'        => '',
			'force_from_name'  => false,
			'host'             => '',
			'encryption'       => 'tls',
			'port'             => 587,
			'auth'             => true,
			'username'         => '',
			'password'         => '',
			'allow_insecure_auth' => false,
			'return_path'      => false,
			'log_bodies'       => false,
			'retention_days'   => 30,
			'queue'            => true,
			'dkim_enabled'     => false,
			'dkim_domain'      => '',
			'dkim_selector'    => '',
			'dkim_algorithm'   => 'rsa-sha256',
		);
		/**
		 * Filters the settings and their defaults (a new connection type adds its own here).
		 *
		 * @param array $defaults Setting => default.
		 */
		return array_merge( (array) apply_filters( 'native_smtp_default_settings', $defaults ), $defaults );
	}

	/**
	 * Whether a wp-config.php constant fixes this setting (the field is then shown locked).
	 *
	 * @param string $key Setting name.
	 * @return bool
	 */
	public static function is_locked( $key ) {
		return isset( self::CONSTANTS[ $key ] ) && defined( self::CONSTANTS[ $key ] );
	}

	/**
	 * The stored settings in effect, merged over the defaults, without the constants (the password
	 * stays encrypted). On multisite: the network's, with the subsite's own values for what the
	 * network admin lets subsites set.
	 *
	 * @return array<string, mixed>
	 */
	public static function stored() {
		if ( ! is_multisite() ) {
			return self::site_stored();
		}
		$settings = self::network_stored();
		$site     = get_option( self::OPTION, array() );
		$site     = is_array( $site ) ? $site : array();
		foreach ( self::site_allowed() as $key ) {
			if ( array_key_exists( $key, $site ) ) {
				$settings[ $key ] = $site[ $key ];
			}
		}
		return $settings;
	}

	/**
	 * This site's own option merged over the defaults (on multisite, only the allowed keys count).
	 *
	 * @return array<string, mixed>
	 */
	public static function site_stored() {
		$stored = get_option( self::OPTION, array() );
		return array_merge( self::defaults(), is_array( $stored ) ? $stored : array() );
	}

	/**
	 * The network's settings merged over the defaults (multisite).
	 *
	 * @return array<string, mixed>
	 */
	public static function network_stored() {
		$stored = get_site_option( self::NETWORK_OPTION, array() );
		$stored = is_array( $stored ) ? $stored : array();
		unset( $stored['site_allowed'] );
		return array_merge( self::defaults(), $stored );
	}

	/**
	 * On multisite, the settings subsite admins may set (the network admin's choice).
	 *
	 * @return string[]
	 */
	public static function site_allowed() {
		$stored = get_site_option( self::NETWORK_OPTION, array() );
		if ( ! is_array( $stored ) || ! isset( $stored['site_allowed'] ) || ! is_array( $stored['site_allowed'] ) ) {
			return self::DEFAULT_SITE_ALLOWED;
		}
		return array_values( array_intersect( self::SITE_ALLOWABLE, $stored['site_allowed'] ) );
	}

	/**
	 * Whether the current site's admin may set this setting (always, on a single site).
	 *
	 * @param string $key Setting name.
	 * @return bool
	 */
	public static function site_may_set( $key ) {
		return ! is_multisite() || in_array( $key, self::site_allowed(), true );
	}

	/**
	 * An option that holds network-wide data on multisite (DKIM keys, the queue folder), else a
	 * site option.
	 *
	 * @param string $name    Option name.
	 * @param mixed  $default Value when absent.
	 * @return mixed
	 */
	public static function get_shared( $name, $default = false ) {
		return is_multisite() ? get_site_option( $name, $default ) : get_option( $name, $default );
	}

	/**
	 * Stores what get_shared() reads (never autoloaded on a single site).
	 *
	 * @param string $name  Option name.
	 * @param mixed  $value Value.
	 * @return bool
	 */
	public static function update_shared( $name, $value ) {
		return is_multisite() ? update_site_option( $name, $value ) : update_option( $name, $value, false );
	}

	/**
	 * One effective setting: the constant if defined, else the stored value. The password comes back decrypted.
	 *
	 * @param string $key Setting name.
	 * @return mixed
	 */
	public static function get( $key ) {
		if ( self::is_locked( $key ) ) {
			return self::normalise( $key, constant( self::CONSTANTS[ $key ] ) );
		}
		$stored = self::stored();
		$value  = array_key_exists( $key, $stored ) ? $stored[ $key ] : null;
		if ( 'password' === $key ) {
			return self::decrypt( (string) $value );
		}
		return self::normalise( $key, $value );
	}

	/**
	 * All effective settings (password decrypted): what the transport uses.
	 *
	 * @return array<string, mixed>
	 */
	public static function all() {
		$settings = array();
		foreach ( array_keys( self::defaults() ) as $key ) {
			$settings[ $key ] = self::get( $key );
		}
		return $settings;
	}

	/**
	 * Brings a value from a constant or the database into the setting's type.
	 *
	 * @param string $key   Setting name.
	 * @param mixed  $value Raw value.
	 * @return mixed
	 */
	public static function normalise( $key, $value ) {
		switch ( $key ) {
			case 'force_from_email':
			case 'force_from_name':
			case 'auth':
			case 'allow_insecure_auth':
			case 'return_path':
			case 'log_bodies':
			case 'queue':
			case 'dkim_enabled':
				return filter_var( $value, FILTER_VALIDATE_BOOLEAN );
			case 'dkim_domain':
			case 'dkim_selector':
				return self::clean_dkim_name( $value );
			case 'connection':
				$type = sanitize_key( (string) $value );
				return Native_SMTP_Connections::exists( $type ) ? $type : 'smtp';
			case 'dkim_algorithm':
				$algorithm = strtolower( trim( (string) $value ) );
				return in_array( $algorithm, self::DKIM_ALGORITHMS, true ) ? $algorithm : 'rsa-sha256';
			case 'port':
				$port = (int) $value;
				return ( $port >= 1 && $port <= 65535 ) ? $port : self::DEFAULT_PORTS[ self::get( 'encryption' ) ];
			case 'retention_days':
				$days = (int) $value;
				return $days >= 0 ? $days : 30;
			case 'encryption':
				$encryption = strtolower( trim( (string) $value ) );
				// "starttls" and "smtps" are accepted in wp-config.php for people who think in the extension's terms.
				$aliases = array(
					'starttls' => 'tls',
					'smtps'    => 'ssl',
					''         => 'none',
				);
				$encryption = isset( $aliases[ $encryption ] ) ? $aliases[ $encryption ] : $encryption;
				return isset( self::DEFAULT_PORTS[ $encryption ] ) ? $encryption : 'tls';
			default:
				return is_scalar( $value ) ? trim( (string) $value ) : '';
		}
	}

	/**
	 * Settings API sanitize callback of this site's option: cleans what the form posted, keeps what
	 * constants fix, keeps the stored password when the field comes back empty and encrypts a new one.
	 * On multisite only what the network admin lets subsites set is taken and stored.
	 *
	 * @param mixed $input The posted array.
	 * @return array<string, mixed> What gets stored.
	 */
	public static function sanitize( $input ) {
		// options.php has already unslashed the POST; unslashing again would eat backslashes in passwords.
		$input = is_array( $input ) ? $input : array();

		// WordPress runs this callback twice when the option does not exist yet (update_option
		// calls add_option, both sanitise): what we just returned passes through unchanged,
		// or the encrypted password would be encrypted again.
		if ( null !== self::$last_clean && $input === self::$last_clean ) {
			return $input;
		}
		if ( ! is_multisite() ) {
			self::$last_clean = self::clean( $input, self::site_stored() );
			return self::$last_clean;
		}
		$allowed = array_flip( self::site_allowed() );
		$markers = array_intersect_key( $input, array_flip( array( '__checkboxes', '__dkim_form' ) ) );
		$clean   = self::clean( array_intersect_key( $input, $allowed ) + $markers, self::stored() );
		// Only the allowed keys are the site's: the rest is the network's and is not copied here.
		self::$last_clean = array_intersect_key( $clean, $allowed );
		return self::$last_clean;
	}

	/**
	 * The network settings form (Network Admin, multisite): the same cleaning, over the network's
	 * stored values, plus which settings subsite admins may set.
	 *
	 * @param mixed $input The posted array (unslashed).
	 * @return array<string, mixed> What gets stored as the network option.
	 */
	public static function sanitize_network( $input ) {
		$input          = is_array( $input ) ? $input : array();
		$clean          = self::clean( $input, self::network_stored() );
		$previous       = get_site_option( self::NETWORK_OPTION, array() );
		$clean['site_allowed'] = self::site_allowed();
		if ( isset( $input['__site_allowed_form'] ) ) {
			$posted                = isset( $input['site_allowed'] ) && is_array( $input['site_allowed'] ) ? array_map( 'strval', $input['site_allowed'] ) : array();
			$clean['site_allowed'] = array_values( array_intersect( self::SITE_ALLOWABLE, $posted ) );
		} elseif ( is_array( $previous ) && isset( $previous['site_allowed'] ) ) {
			$clean['site_allowed'] = $previous['site_allowed'];
		}
		return $clean;
	}

	/**
	 * Cleans posted settings over a stored set.
	 *
	 * @param array $input  Posted values (unslashed).
	 * @param array $stored The stored values they replace.
	 * @return array<string, mixed>
	 */
	private static function clean( array $input, array $stored ) {
		$clean = $stored;

		$text_fields = array( 'from_name', 'host', 'username' );
		foreach ( $text_fields as $key ) {
			if ( isset( $input[ $key ] ) ) {
				$clean[ $key ] = sanitize_text_field( $input[ $key ] );
			}
		}

		if ( isset( $input['from_email'] ) ) {
			$email = sanitize_email( $input['from_email'] );
			if ( '' !== trim( $input['from_email'] ) && ! is_email( $email ) ) {
				self::settings_error( 'native_smtp_from_email', __( 'From Email is not a valid email address; the previous value was kept.', 'native-smtp' ) );
			} else {
				$clean['from_email'] = $email;
			}
		}

		if ( isset( $input['host'] ) ) {
			// A host name or an IP address, nothing else (no scheme, no path, no spaces).
			$host = preg_replace( '/[^A-Za-z0-9.\-:\[\]]/', '', $clean['host'] );
			if ( $host !== $clean['host'] ) {
				self::settings_error( 'native_smtp_host', __( 'SMTP Host may only contain a host name or an IP address; other characters were removed.', 'native-smtp' ), 'warning' );
			}
			$clean['host'] = $host;
		}

		if ( isset( $input['encryption'] ) ) {
			$encryption          = sanitize_key( $input['encryption'] );
			$clean['encryption'] = isset( self::DEFAULT_PORTS[ $encryption ] ) ? $encryption : 'tls';
		}

		if ( isset( $input['port'] ) ) {
			$port          = absint( $input['port'] );
			$clean['port'] = ( $port >= 1 && $port <= 65535 ) ? $port : self::DEFAULT_PORTS[ $clean['encryption'] ];
		}

		if ( isset( $input['retention_days'] ) ) {
			$clean['retention_days'] = min( 3650, absint( $input['retention_days'] ) );
		}

		// Checkboxes are absent from the POST when unticked; the form marks which ones it rendered.
		foreach ( array( 'force_from_email', 'force_from_name', 'auth', 'allow_insecure_auth', 'return_path', 'log_bodies', 'queue' ) as $key ) {
			if ( isset( $input['__checkboxes'] ) ) {
				$clean[ $key ] = ! empty( $input[ $key ] );
			}
		}

		// The DKIM tab is a form of its own with its own marker, so saving it leaves the
		// Settings tab's checkboxes alone (and the other way round).
		if ( isset( $input['__dkim_form'] ) ) {
			$clean['dkim_enabled'] = ! empty( $input['dkim_enabled'] );
		}
		foreach ( array( 'dkim_domain', 'dkim_selector' ) as $key ) {
			if ( isset( $input[ $key ] ) ) {
				$name = self::clean_dkim_name( $input[ $key ] );
				if ( strtolower( trim( (string) $input[ $key ] ) ) !== $name ) {
					self::settings_error( 'native_smtp_' . $key, __( 'DKIM domain and selector may only contain letters, digits, dots, hyphens and underscores; other characters were removed.', 'native-smtp' ), 'warning' );
				}
				$clean[ $key ] = $name;
			}
		}
		if ( isset( $input['dkim_algorithm'] ) ) {
			$clean['dkim_algorithm'] = self::normalise( 'dkim_algorithm', $input['dkim_algorithm'] );
		}

		if ( isset( $input['password'] ) && '' !== $input['password'] && self::PASSWORD_PLACEHOLDER !== $input['password'] ) {
			// Passwords may contain anything; only strip what cannot travel in an SMTP AUTH exchange.
			$clean['password'] = self::encrypt( str_replace( array( "\r", "\n", "\0" ), '', $input['password'] ) );
		}
		if ( ! empty( $input['clear_password'] ) ) {
			$clean['password'] = '';
		}

		if ( isset( $input['connection'] ) ) {
			$clean['connection'] = self::normalise( 'connection', $input['connection'] );
		}

		// A constant wins: never overwrite the stored copy with what a locked (disabled) field did not send.
		foreach ( array_keys( self::CONSTANTS ) as $key ) {
			if ( self::is_locked( $key ) ) {
				$clean[ $key ] = $stored[ $key ];
			}
		}

		// AUTH over a plaintext connection sends the password readable by anyone on the path, and the
		// extension refuses it at send time: refuse it here, when the admin can still fix it.
		$encryption = self::is_locked( 'encryption' ) ? self::get( 'encryption' ) : $clean['encryption'];
		$auth       = self::is_locked( 'auth' ) ? self::get( 'auth' ) : $clean['auth'];
		$insecure   = ! empty( $clean['allow_insecure_auth'] ) || ( defined( 'NATIVE_SMTP_ALLOW_INSECURE' ) && NATIVE_SMTP_ALLOW_INSECURE );
		if ( 'none' === $encryption && $auth && ! $insecure && ( isset( $input['encryption'] ) || isset( $input['auth'] ) || isset( $input['__checkboxes'] ) ) ) {
			self::settings_error( 'native_smtp_insecure_auth', __( 'Encryption "None" with Authentication on would send the SMTP password in plain text, and the extension refuses that. Choose SSL or TLS, turn Authentication off, or tick "Allow login without encryption". The encryption and authentication settings were not changed.', 'native-smtp' ) );
			$clean['encryption'] = 'none' === $stored['encryption'] && ! empty( $stored['auth'] ) ? 'tls' : $stored['encryption'];
			$clean['auth']       = $stored['auth'];
			$clean['port']       = $stored['port'];
		}

		return array_intersect_key( $clean, self::defaults() );
	}

	/**
	 * A DKIM domain or selector as DNS labels: lower case, letters, digits, '.', '-' and '_'
	 * (nothing that could break out of the DKIM-Signature header or the record name).
	 *
	 * @param mixed $value Raw value.
	 * @return string
	 */
	public static function clean_dkim_name( $value ) {
		$name = strtolower( trim( is_scalar( $value ) ? (string) $value : '' ) );
		return trim( (string) preg_replace( '/[^a-z0-9._\-]/', '', $name ), '.' );
	}

	/**
	 * Reports a problem with a submitted value on the settings screen.
	 *
	 * @param string $code    Error code.
	 * @param string $message Text for the admin.
	 * @param string $type    error | warning.
	 */
	private static function settings_error( $code, $message, $type = 'error' ) {
		if ( ! function_exists( 'add_settings_error' ) ) {
			// Saved from outside wp-admin (REST, CLI): the Settings API's error list lives in an admin include.
			require_once ABSPATH . 'wp-admin/includes/template.php';
		}
		add_settings_error( self::OPTION, $code, $message, $type );
	}

	/**
	 * Encrypts a secret for storage (see Native_SMTP_Crypto).
	 *
	 * @param string $plain The secret.
	 * @return string
	 */
	public static function encrypt( $plain ) {
		return Native_SMTP_Crypto::encrypt( $plain );
	}

	/**
	 * Decrypts a stored secret.
	 *
	 * @param string $stored What encrypt() returned.
	 * @return string The secret, or '' when it cannot be decrypted (for example the salts changed).
	 */
	public static function decrypt( $stored ) {
		return Native_SMTP_Crypto::decrypt( $stored );
	}

	/**
	 * Stored secrets that no longer decrypt: the SMTP password and the generated DKIM keys whose key
	 * check value names a key that is gone (the salts or NATIVE_SMTP_KEY changed) or that were altered.
	 *
	 * @return array<int, array{secret: string, status: string}> secret: password | DKIM algorithm.
	 */
	public static function secret_problems() {
		$problems = array();
		if ( ! self::is_locked( 'password' ) ) {
			$stored = self::stored();
			$status = Native_SMTP_Crypto::status( (string) $stored['password'] );
			if ( in_array( $status, array( 'key_changed', 'damaged' ), true ) ) {
				$problems[] = array(
					'secret' => 'password',
					'status' => $status,
				);
			}
		}
		$keys = self::get_shared( Native_SMTP_Dkim::KEYS_OPTION, array() );
		foreach ( is_array( $keys ) ? $keys : array() as $algorithm => $entry ) {
			if ( empty( $entry['key'] ) || Native_SMTP_Dkim::key_locked( $algorithm ) ) {
				continue;
			}
			$status = Native_SMTP_Crypto::status( (string) $entry['key'] );
			if ( in_array( $status, array( 'key_changed', 'damaged' ), true ) ) {
				$problems[] = array(
					'secret' => (string) $algorithm,
					'status' => $status,
				);
			}
		}
		return $problems;
	}

	/**
	 * Whether a password is stored or fixed by a constant (the form shows a placeholder then).
	 *
	 * @return bool
	 */
	public static function has_password() {
		if ( self::is_locked( 'password' ) ) {
			return '' !== (string) constant( self::CONSTANTS['password'] );
		}
		$stored = self::stored();
		return '' !== (string) $stored['password'];
	}

	/**
	 * Whether enough is set to send through the extension: a host, and a username when authentication is on.
	 *
	 * @return bool
	 */
	public static function is_complete() {
		return Native_SMTP_Connections::is_complete( self::get( 'connection' ) );
	}
}

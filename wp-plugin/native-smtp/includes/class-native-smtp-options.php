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

	/** Prefix of an encrypted password, so a later format change can be told apart. */
	const CIPHER_PREFIX = 'ns1:';

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
		return array(
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
			'return_path'      => false,
			'log_bodies'       => false,
			'retention_days'   => 30,
			'queue'            => true,
			'dkim_enabled'     => false,
			'dkim_domain'      => '',
			'dkim_selector'    => '',
			'dkim_algorithm'   => 'rsa-sha256',
		);
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
	 * The stored settings merged over the defaults, without the constants (the password stays encrypted).
	 *
	 * @return array<string, mixed>
	 */
	public static function stored() {
		$stored = get_option( self::OPTION, array() );
		return array_merge( self::defaults(), is_array( $stored ) ? $stored : array() );
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
			case 'return_path':
			case 'log_bodies':
			case 'queue':
			case 'dkim_enabled':
				return filter_var( $value, FILTER_VALIDATE_BOOLEAN );
			case 'dkim_domain':
			case 'dkim_selector':
				return self::clean_dkim_name( $value );
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
	 * Settings API sanitize callback: cleans what the form posted, keeps what constants fix,
	 * keeps the stored password when the field comes back empty and encrypts a new one.
	 *
	 * @param mixed $input The posted array.
	 * @return array<string, mixed> What gets stored.
	 */
	public static function sanitize( $input ) {
		// options.php has already unslashed the POST; unslashing again would eat backslashes in passwords.
		$input  = is_array( $input ) ? $input : array();
		$stored = self::stored();
		$clean  = $stored;

		// WordPress runs this callback twice when the option does not exist yet (update_option
		// calls add_option, both sanitise): what we just returned passes through unchanged,
		// or the encrypted password would be encrypted again.
		if ( null !== self::$last_clean && $input === self::$last_clean ) {
			return $input;
		}

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
		foreach ( array( 'force_from_email', 'force_from_name', 'auth', 'return_path', 'log_bodies', 'queue' ) as $key ) {
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

		// A constant wins: never overwrite the stored copy with what a locked (disabled) field did not send.
		foreach ( array_keys( self::CONSTANTS ) as $key ) {
			if ( self::is_locked( $key ) ) {
				$clean[ $key ] = $stored[ $key ];
			}
		}

		self::$last_clean = array_intersect_key( $clean, self::defaults() );
		return self::$last_clean;
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
	 * The key that encrypts the password: NATIVE_SMTP_KEY if set, else derived from the site's salts.
	 *
	 * @return string 32 raw bytes.
	 */
	private static function key() {
		if ( defined( 'NATIVE_SMTP_KEY' ) && '' !== (string) NATIVE_SMTP_KEY ) {
			$material = 'constant|' . NATIVE_SMTP_KEY;
		} else {
			$material = 'salts';
			foreach ( array( 'AUTH_KEY', 'SECURE_AUTH_KEY', 'LOGGED_IN_KEY', 'NONCE_KEY', 'AUTH_SALT', 'SECURE_AUTH_SALT' ) as $name ) {
				$material .= '|' . ( defined( $name ) ? constant( $name ) : '' );
			}
			if ( 'salts|||||' === substr( $material, 0, 10 ) && function_exists( 'wp_salt' ) ) {
				// No salts in wp-config.php: WordPress keeps generated ones in the database.
				$material .= '|' . wp_salt( 'auth' ) . wp_salt( 'secure_auth' );
			}
		}
		// Domain-separated so the same salts give a different key than anything else derived from them.
		$key = sodium_crypto_generichash( 'native-smtp password v1|' . $material, '', SODIUM_CRYPTO_SECRETBOX_KEYBYTES );
		sodium_memzero( $material );
		return $key;
	}

	/**
	 * Encrypts a password for storage (XSalsa20-Poly1305, a fresh nonce each time).
	 *
	 * @param string $plain The password.
	 * @return string The stored form, or '' for an empty password.
	 */
	public static function encrypt( $plain ) {
		if ( '' === $plain ) {
			return '';
		}
		$key    = self::key();
		$nonce  = random_bytes( SODIUM_CRYPTO_SECRETBOX_NONCEBYTES );
		$cipher = sodium_crypto_secretbox( $plain, $nonce, $key );
		sodium_memzero( $key );
		return self::CIPHER_PREFIX . base64_encode( $nonce . $cipher ); // phpcs:ignore WordPress.PHP.DiscouragedPHPFunctions.obfuscation_base64_encode -- binary to text, not obfuscation.
	}

	/**
	 * Decrypts a stored password.
	 *
	 * @param string $stored What encrypt() returned.
	 * @return string The password, or '' when it cannot be decrypted (for example the salts changed).
	 */
	public static function decrypt( $stored ) {
		if ( '' === $stored || 0 !== strpos( $stored, self::CIPHER_PREFIX ) ) {
			return '';
		}
		$raw = base64_decode( substr( $stored, strlen( self::CIPHER_PREFIX ) ), true ); // phpcs:ignore WordPress.PHP.DiscouragedPHPFunctions.obfuscation_base64_decode
		if ( false === $raw || strlen( $raw ) < SODIUM_CRYPTO_SECRETBOX_NONCEBYTES + SODIUM_CRYPTO_SECRETBOX_MACBYTES ) {
			return '';
		}
		$key   = self::key();
		$plain = sodium_crypto_secretbox_open(
			substr( $raw, SODIUM_CRYPTO_SECRETBOX_NONCEBYTES ),
			substr( $raw, 0, SODIUM_CRYPTO_SECRETBOX_NONCEBYTES ),
			$key
		);
		sodium_memzero( $key );
		return false === $plain ? '' : $plain;
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
		if ( '' === self::get( 'host' ) ) {
			return false;
		}
		return ! self::get( 'auth' ) || '' !== self::get( 'username' );
	}
}

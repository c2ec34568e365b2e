<?php
/**
 * Secrets at rest: the SMTP password and DKIM private keys, encrypted with a key from
 * NATIVE_SMTP_KEY (when set) or from the site's salts, with a key check value next to each
 * ciphertext so a changed key is told apart from a damaged value.
 *
 * @package Native_SMTP
 */

defined( 'ABSPATH' ) || exit;

/**
 * Encrypts, decrypts, checks and wipes secrets. Works with ext-sodium or WordPress's sodium_compat.
 */
class Native_SMTP_Crypto {

	/** Prefix of the first format: no key check value (still read). */
	const PREFIX_V1 = 'ns1:';

	/** Prefix of the current format: "ns2:<key check value>:<base64 nonce+ciphertext>". */
	const PREFIX_V2 = 'ns2:';

	/** The value WordPress's sample wp-config.php ships in every salt. */
	const SAMPLE_SALT = 'put your unique phrase here';

	/** The salts the key is derived from (LOGGED_IN_* and NONCE_* are left out, as before). */
	const SALT_NAMES = array( 'AUTH_KEY', 'SECURE_AUTH_KEY', 'LOGGED_IN_KEY', 'NONCE_KEY', 'AUTH_SALT', 'SECURE_AUTH_SALT' );

	/**
	 * Whether NATIVE_SMTP_KEY is set in wp-config.php.
	 *
	 * @return bool
	 */
	public static function has_constant_key() {
		return defined( 'NATIVE_SMTP_KEY' ) && '' !== (string) NATIVE_SMTP_KEY;
	}

	/**
	 * The keys that may decrypt a stored secret, the one that encrypts first: NATIVE_SMTP_KEY, then
	 * the salts (so secrets stored before the constant was added still open until they are saved again).
	 *
	 * @return array<string, string> source (constant | salts) => 32 raw bytes.
	 */
	private static function keys() {
		self::load_sodium();
		$keys = array();
		if ( self::has_constant_key() ) {
			$keys['constant'] = self::derive( 'constant|' . NATIVE_SMTP_KEY );
		}
		$material = 'salts';
		foreach ( self::SALT_NAMES as $name ) {
			$material .= '|' . ( defined( $name ) ? constant( $name ) : '' );
		}
		if ( 'salts|||||' === substr( $material, 0, 10 ) && function_exists( 'wp_salt' ) ) {
			// No salts in wp-config.php: WordPress keeps generated ones in the database.
			$material .= '|' . wp_salt( 'auth' ) . wp_salt( 'secure_auth' );
		}
		$keys['salts'] = self::derive( $material );
		self::wipe( $material );
		return $keys;
	}

	/**
	 * Without ext-sodium, WordPress's bundled sodium_compat provides the functions; WordPress loads
	 * it only where it needs it itself, so it is loaded here when the functions are missing.
	 */
	private static function load_sodium() {
		if ( ! function_exists( 'sodium_crypto_secretbox' ) || ! function_exists( 'sodium_memzero' ) ) {
			require_once ABSPATH . WPINC . '/sodium_compat/autoload.php';
		}
	}

	/**
	 * A 32-byte key from key material, domain-separated from anything else derived from the same salts.
	 *
	 * @param string $material Key material.
	 * @return string
	 */
	private static function derive( $material ) {
		return sodium_crypto_generichash( 'native-smtp password v1|' . $material, '', SODIUM_CRYPTO_SECRETBOX_KEYBYTES );
	}

	/**
	 * The key check value of a key: the first 8 bytes of a keyed hash of a fixed text, in hex. It tells
	 * whether a key is the one a secret was encrypted with, and reveals nothing usable about it.
	 *
	 * @param string $key 32 raw bytes.
	 * @return string 16 hex digits.
	 */
	private static function check_value( $key ) {
		return substr( bin2hex( sodium_crypto_generichash( 'native-smtp key check', $key, 16 ) ), 0, 16 );
	}

	/**
	 * Encrypts a secret (XSalsa20-Poly1305, a fresh nonce each time), with the key check value.
	 *
	 * @param string $plain The secret.
	 * @return string The stored form, or '' for an empty secret.
	 */
	public static function encrypt( $plain ) {
		if ( '' === (string) $plain ) {
			return '';
		}
		$keys   = self::keys();
		$key    = reset( $keys );
		$nonce  = random_bytes( SODIUM_CRYPTO_SECRETBOX_NONCEBYTES );
		$cipher = sodium_crypto_secretbox( (string) $plain, $nonce, $key );
		$stored = self::PREFIX_V2 . self::check_value( $key ) . ':' . base64_encode( $nonce . $cipher ); // phpcs:ignore WordPress.PHP.DiscouragedPHPFunctions.obfuscation_base64_encode -- binary to text, not obfuscation.
		self::wipe_all( $keys );
		return $stored;
	}

	/**
	 * Decrypts a stored secret.
	 *
	 * @param string $stored What encrypt() returned.
	 * @return string The secret, or '' when it cannot be decrypted (see status()).
	 */
	public static function decrypt( $stored ) {
		$result = self::open( (string) $stored );
		return $result['plain'];
	}

	/**
	 * What a stored secret is: empty, ok (opens with the encrypting key), old_key (opens only with the
	 * salts while NATIVE_SMTP_KEY is set: save it again), key_changed (encrypted with a key that is no
	 * longer there: the salts or NATIVE_SMTP_KEY changed), damaged.
	 *
	 * @param string $stored The stored form.
	 * @return string
	 */
	public static function status( $stored ) {
		$result = self::open( (string) $stored );
		self::wipe( $result['plain'] );
		return $result['status'];
	}

	/**
	 * Decrypts and classifies.
	 *
	 * @param string $stored The stored form.
	 * @return array{plain: string, status: string}
	 */
	private static function open( $stored ) {
		if ( '' === $stored ) {
			return array(
				'plain'  => '',
				'status' => 'empty',
			);
		}
		$check = '';
		if ( 0 === strpos( $stored, self::PREFIX_V2 ) ) {
			$parts = explode( ':', substr( $stored, strlen( self::PREFIX_V2 ) ), 2 );
			$check = $parts[0];
			$body  = isset( $parts[1] ) ? $parts[1] : '';
		} elseif ( 0 === strpos( $stored, self::PREFIX_V1 ) ) {
			$body = substr( $stored, strlen( self::PREFIX_V1 ) );
		} else {
			return array(
				'plain'  => '',
				'status' => 'damaged',
			);
		}
		$raw = base64_decode( $body, true ); // phpcs:ignore WordPress.PHP.DiscouragedPHPFunctions.obfuscation_base64_decode
		if ( false === $raw || strlen( $raw ) < SODIUM_CRYPTO_SECRETBOX_NONCEBYTES + SODIUM_CRYPTO_SECRETBOX_MACBYTES ) {
			return array(
				'plain'  => '',
				'status' => 'damaged',
			);
		}
		$keys   = self::keys();
		$first  = key( $keys );
		$result = array(
			'plain'  => '',
			'status' => 'key_changed',
		);
		foreach ( $keys as $source => $key ) {
			if ( '' !== $check && ! hash_equals( self::check_value( $key ), $check ) ) {
				continue;
			}
			$plain = sodium_crypto_secretbox_open( substr( $raw, SODIUM_CRYPTO_SECRETBOX_NONCEBYTES ), substr( $raw, 0, SODIUM_CRYPTO_SECRETBOX_NONCEBYTES ), $key );
			if ( false !== $plain ) {
				$result = array(
					'plain'  => $plain,
					'status' => $source === $first ? 'ok' : 'old_key',
				);
				break;
			}
			if ( '' !== $check ) {
				// The right key, and still no plaintext: the value itself was altered.
				$result['status'] = 'damaged';
				break;
			}
		}
		self::wipe_all( $keys );
		return $result;
	}

	/**
	 * Whether the key in use is public: no NATIVE_SMTP_KEY, and the salts it comes from are the
	 * sample text of wp-config-sample.php (anyone can derive it).
	 *
	 * @return bool
	 */
	public static function key_is_public() {
		if ( self::has_constant_key() ) {
			return false;
		}
		foreach ( self::SALT_NAMES as $name ) {
			if ( defined( $name ) && self::SAMPLE_SALT === constant( $name ) ) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Overwrites a secret in memory where PHP allows it, and never throws: sodium_memzero() of
	 * ext-sodium wipes; sodium_compat's throws (PHP code cannot wipe), so without the extension the
	 * variable is only emptied.
	 *
	 * @param mixed $secret The secret (a string); '' afterwards.
	 */
	public static function wipe( &$secret ) {
		if ( is_string( $secret ) && '' !== $secret && extension_loaded( 'sodium' ) && function_exists( 'sodium_memzero' ) ) {
			try {
				sodium_memzero( $secret );
			} catch ( Throwable $ignored ) { // phpcs:ignore Generic.CodeAnalysis.EmptyStatement.DetectedCatch -- emptied below.
			}
		}
		$secret = '';
	}

	/**
	 * wipe() for every value of an array.
	 *
	 * @param array $secrets Secrets.
	 */
	private static function wipe_all( array &$secrets ) {
		foreach ( $secrets as &$secret ) {
			self::wipe( $secret );
		}
		unset( $secret );
		$secrets = array();
	}
}

<?php
/**
 * DKIM: the site's signing keys (made by the extension, stored encrypted), the DNS records to
 * publish, and the `dkim` config that makes the extension sign every wp_mail().
 *
 * What is shown is what is signed: the record name comes from the same domain and selector
 * the Mailer gets, so an admin who changes either sees the new name to publish.
 *
 * @package Native_SMTP
 */

defined( 'ABSPATH' ) || exit;

/**
 * Keys, records and the Mailer's `dkim` config.
 */
class Native_SMTP_Dkim {

	/** Option holding the generated keys (encrypted) and their public records; never autoloaded. */
	const KEYS_OPTION = 'native_smtp_dkim_keys';

	/** The algorithms the extension signs with. */
	const RSA     = 'rsa-sha256';
	const ED25519 = 'ed25519-sha256';

	/** RSA key size: 2048 bits is what mailbox providers expect today and still fits one TXT record set. */
	const RSA_BITS = 2048;

	/**
	 * A wp-config.php constant per algorithm that supplies the private key (PEM or a file path) instead
	 * of a generated one.
	 *
	 * @var array<string, string>
	 */
	const KEY_CONSTANTS = array(
		self::RSA     => 'NATIVE_SMTP_DKIM_RSA_KEY',
		self::ED25519 => 'NATIVE_SMTP_DKIM_ED25519_KEY',
	);

	/**
	 * Hooks the Generate key action.
	 */
	public static function register_hooks() {
		add_action( 'admin_post_native_smtp_dkim_generate', array( __CLASS__, 'handle_generate' ) );
	}

	/**
	 * Whether the extension offers DKIM key generation.
	 *
	 * @return bool
	 */
	public static function available() {
		return class_exists( 'Smtp\Dkim' );
	}

	/**
	 * The algorithms in use, RSA first.
	 *
	 * @return string[]
	 */
	public static function algorithms() {
		$choice = Native_SMTP_Options::get( 'dkim_algorithm' );
		return 'both' === $choice ? array( self::RSA, self::ED25519 ) : array( $choice );
	}

	/**
	 * The stored keys: algorithm => {key (encrypted), record, domain, selector, created}.
	 *
	 * @return array<string, array<string, mixed>>
	 */
	private static function stored_keys() {
		// On multisite the keys are the network's, like every other signing setting.
		$keys = Native_SMTP_Options::get_shared( self::KEYS_OPTION, array() );
		return is_array( $keys ) ? $keys : array();
	}

	/**
	 * The signing domain: the setting, else the domain the key was made for, else the From Email's domain,
	 * else the site's host.
	 *
	 * @return string
	 */
	public static function domain() {
		$domain = Native_SMTP_Options::get( 'dkim_domain' );
		if ( '' !== $domain ) {
			return $domain;
		}
		foreach ( self::stored_keys() as $entry ) {
			if ( ! empty( $entry['domain'] ) ) {
				return (string) $entry['domain'];
			}
		}
		return self::default_domain();
	}

	/**
	 * The From Email's domain, or the site's host without www.
	 *
	 * @return string
	 */
	public static function default_domain() {
		$from = Native_SMTP_Options::get( 'from_email' );
		if ( '' !== $from && false !== strpos( $from, '@' ) ) {
			return Native_SMTP_Options::clean_dkim_name( substr( strrchr( $from, '@' ), 1 ) );
		}
		$host = (string) wp_parse_url( home_url(), PHP_URL_HOST );
		if ( 'www.' === substr( $host, 0, 4 ) ) {
			$host = substr( $host, 4 );
		}
		return Native_SMTP_Options::clean_dkim_name( $host );
	}

	/**
	 * The base selector: the setting, else the one the key was made with, else "wp" + the year. A key
	 * remembers its selector so the default does not move to next year's and break the published record.
	 *
	 * @return string
	 */
	public static function base_selector() {
		$selector = Native_SMTP_Options::get( 'dkim_selector' );
		if ( '' !== $selector ) {
			return $selector;
		}
		foreach ( self::stored_keys() as $entry ) {
			if ( ! empty( $entry['base_selector'] ) ) {
				return (string) $entry['base_selector'];
			}
		}
		return 'wp' . gmdate( 'Y' );
	}

	/**
	 * The selector of one algorithm. With both algorithms the Ed25519 key needs a name of its own
	 * (one DNS name holds one key), so it gets "-ed25519" after the base selector.
	 *
	 * @param string $algorithm rsa-sha256 | ed25519-sha256.
	 * @return string
	 */
	public static function selector( $algorithm ) {
		$base = self::base_selector();
		return ( self::ED25519 === $algorithm && 'both' === Native_SMTP_Options::get( 'dkim_algorithm' ) ) ? $base . '-ed25519' : $base;
	}

	/**
	 * Where the record goes: <selector>._domainkey.<domain>.
	 *
	 * @param string $algorithm Algorithm.
	 * @return string
	 */
	public static function dns_name( $algorithm ) {
		return self::selector( $algorithm ) . '._domainkey.' . self::domain();
	}

	/**
	 * Whether a wp-config.php constant supplies this algorithm's key (Generate key is then off for it).
	 *
	 * @param string $algorithm Algorithm.
	 * @return bool
	 */
	public static function key_locked( $algorithm ) {
		return isset( self::KEY_CONSTANTS[ $algorithm ] ) && defined( self::KEY_CONSTANTS[ $algorithm ] ) && '' !== (string) constant( self::KEY_CONSTANTS[ $algorithm ] );
	}

	/**
	 * Whether a key exists for this algorithm (generated or from a constant).
	 *
	 * @param string $algorithm Algorithm.
	 * @return bool
	 */
	public static function has_key( $algorithm ) {
		if ( self::key_locked( $algorithm ) ) {
			return true;
		}
		$keys = self::stored_keys();
		return ! empty( $keys[ $algorithm ]['key'] );
	}

	/**
	 * The private key (PEM, or a path when a constant gives one), decrypted. The caller wipes it.
	 *
	 * @param string $algorithm Algorithm.
	 * @return string '' when there is none or it cannot be decrypted (the site's salts changed).
	 */
	private static function private_key( $algorithm ) {
		if ( self::key_locked( $algorithm ) ) {
			return (string) constant( self::KEY_CONSTANTS[ $algorithm ] );
		}
		$keys = self::stored_keys();
		return empty( $keys[ $algorithm ]['key'] ) ? '' : Native_SMTP_Options::decrypt( (string) $keys[ $algorithm ]['key'] );
	}

	/**
	 * The TXT value to publish for this algorithm's key ("v=DKIM1; k=...; p=..."), or ''.
	 *
	 * @param string $algorithm Algorithm.
	 * @return string
	 */
	public static function dns_record( $algorithm ) {
		if ( ! self::key_locked( $algorithm ) ) {
			$keys = self::stored_keys();
			return isset( $keys[ $algorithm ]['record'] ) ? (string) $keys[ $algorithm ]['record'] : '';
		}
		if ( ! self::available() ) {
			return '';
		}
		$key = self::private_key( $algorithm );
		try {
			return (string) call_user_func( array( 'Smtp\Dkim', 'dnsRecord' ), $key );
		} catch ( Throwable $e ) {
			return '';
		} finally {
			Native_SMTP_Crypto::wipe( $key );
		}
	}

	/**
	 * Makes a new key pair for one algorithm with the extension and stores the private key encrypted.
	 * The domain and base selector in use are kept with it, so their defaults stay put afterwards.
	 *
	 * @param string $algorithm Algorithm.
	 * @return true|WP_Error
	 */
	public static function generate( $algorithm ) {
		if ( ! self::available() ) {
			return new WP_Error( 'native_smtp_dkim_no_extension', __( 'The smtp PHP extension is not loaded, so no DKIM key can be made.', 'native-smtp' ) );
		}
		if ( ! isset( self::KEY_CONSTANTS[ $algorithm ] ) ) {
			return new WP_Error( 'native_smtp_dkim_algorithm', __( 'Unknown DKIM algorithm.', 'native-smtp' ) );
		}
		if ( self::key_locked( $algorithm ) ) {
			return new WP_Error( 'native_smtp_dkim_locked', __( 'This DKIM key is set in wp-config.php; it cannot be replaced here.', 'native-smtp' ) );
		}
		$domain   = self::domain();
		$selector = self::base_selector();
		$keys     = self::stored_keys();
		if ( ! empty( $keys[ $algorithm ]['key'] ) && (string) $keys[ $algorithm ]['domain'] === $domain && (string) $keys[ $algorithm ]['base_selector'] === $selector ) {
			// A new key under the published name breaks every email in transit and every one sent
			// until DNS changes: a new key gets a new selector, and the old record can stay.
			return new WP_Error(
				'native_smtp_dkim_same_selector',
				sprintf(
					/* translators: 1: the selector in use, 2: a suggested new selector */
					__( 'A key is already in use with the selector "%1$s", and its DNS record may be published. To make a new key, first save a new DKIM Selector (for example "%2$s"), then generate: the old record keeps working until you remove it.', 'native-smtp' ),
					$selector,
					self::suggest_selector( $selector )
				)
			);
		}
		try {
			$pair = call_user_func( array( 'Smtp\Dkim', 'generateKey' ), $algorithm, self::RSA_BITS );
		} catch ( Throwable $e ) {
			return new WP_Error( 'native_smtp_dkim_generate', $e->getMessage() );
		}
		$keys[ $algorithm ] = array(
			'key'           => Native_SMTP_Options::encrypt( $pair['private_key'] ),
			'record'        => (string) $pair['dns_record'],
			'domain'        => $domain,
			'base_selector' => $selector,
			'created'       => time(),
		);
		Native_SMTP_Crypto::wipe( $pair['private_key'] );
		Native_SMTP_Options::update_shared( self::KEYS_OPTION, $keys );
		Native_SMTP_Transport::reset_mailer();
		return true;
	}

	/**
	 * A selector that differs from the current one: "wp" and today's date, or the current one with a
	 * number after it when that is taken.
	 *
	 * @param string $current The selector in use.
	 * @return string
	 */
	public static function suggest_selector( $current ) {
		$suggestion = 'wp' . gmdate( 'Ymd' );
		if ( $suggestion !== $current ) {
			return $suggestion;
		}
		return $current . '-2';
	}

	/**
	 * The Mailer's `dkim` config: a list with one entry per algorithm that has a key, or null when
	 * DKIM is off or no key exists. The keys in it are secrets: the caller wipes them.
	 *
	 * @return array<int, array<string, string>>|null
	 */
	public static function mailer_config() {
		if ( ! Native_SMTP_Options::get( 'dkim_enabled' ) ) {
			return null;
		}
		$signers = array();
		foreach ( self::algorithms() as $algorithm ) {
			$key = self::private_key( $algorithm );
			if ( '' === $key ) {
				continue;
			}
			$signers[] = array(
				'domain'    => self::domain(),
				'selector'  => self::selector( $algorithm ),
				'key'       => $key,
				'algorithm' => $algorithm,
			);
		}
		return $signers ? $signers : null;
	}

	/**
	 * admin-post.php?action=native_smtp_dkim_generate: capability and nonce, then a key for every
	 * algorithm in use, and back to the DKIM tab with a notice.
	 */
	public static function handle_generate() {
		// On multisite the keys are the network's: only the network admin makes them.
		if ( ! current_user_can( is_multisite() ? 'manage_network_options' : 'manage_options' ) ) {
			wp_die( esc_html__( 'Sorry, you are not allowed to manage DKIM keys.', 'native-smtp' ), 403 );
		}
		check_admin_referer( 'native_smtp_dkim_generate' );
		$notice = 'ok';
		foreach ( self::algorithms() as $algorithm ) {
			$result = self::generate( $algorithm );
			if ( is_wp_error( $result ) ) {
				$notice = 'error:' . $result->get_error_message();
				break;
			}
		}
		set_transient( 'native_smtp_dkim_notice_' . get_current_user_id(), $notice, MINUTE_IN_SECONDS );
		wp_safe_redirect( is_multisite() ? network_admin_url( 'settings.php?page=native-smtp&tab=dkim' ) : admin_url( 'options-general.php?page=native-smtp&tab=dkim' ) );
		exit;
	}
}

<?php
/**
 * Connection types: how the plugin reaches the relay. Today one, "smtp" (host, port, encryption,
 * username and password). A later type (an OAuth provider, say) registers itself through the
 * native_smtp_connection_types filter with its fields, its completeness check and the part of the
 * Smtp\Mailer config it contributes; the settings page, the transport and the multisite rules
 * (every connection setting is the network's) then work without changes here.
 *
 * @package Native_SMTP
 */

defined( 'ABSPATH' ) || exit;

/**
 * The registry of connection types.
 */
class Native_SMTP_Connections {

	/**
	 * The connection types: type => {label, fields (setting keys on the settings page, in order),
	 * complete (callable(array $settings): bool), config (callable(array $settings): array, the
	 * connection part of the Mailer config)}.
	 *
	 * @return array<string, array<string, mixed>>
	 */
	public static function types() {
		$types = array(
			'smtp' => array(
				'label'    => __( 'SMTP server', 'native-smtp' ),
				'fields'   => array( 'host', 'encryption', 'port', 'auth', 'username', 'password', 'allow_insecure_auth' ),
				'complete' => array( __CLASS__, 'smtp_complete' ),
				'config'   => array( __CLASS__, 'smtp_config' ),
			),
		);
		/**
		 * Filters the connection types (see Native_SMTP_Connections::types() for the shape). Every
		 * setting a type adds must also be in Native_SMTP_Options::defaults() (the
		 * native_smtp_default_settings filter) and is the network's on multisite.
		 *
		 * @param array $types Types.
		 */
		$builtin = $types;
		$types   = apply_filters( 'native_smtp_connection_types', $types );
		// "smtp" is the fallback of every unknown type: a filter may add types, not remove it.
		return is_array( $types ) ? array_merge( $builtin, $types ) : $builtin;
	}

	/**
	 * Whether a type is registered.
	 *
	 * @param string $type Type.
	 * @return bool
	 */
	public static function exists( $type ) {
		return '' !== (string) $type && isset( self::types()[ $type ] );
	}

	/**
	 * One type's description, "smtp" for an unknown one.
	 *
	 * @param string $type Type.
	 * @return array<string, mixed>
	 */
	public static function get( $type ) {
		$types = self::types();
		return isset( $types[ $type ] ) ? $types[ $type ] : $types['smtp'];
	}

	/**
	 * Whether the settings of this type are complete enough to send.
	 *
	 * @param string $type Type.
	 * @return bool
	 */
	public static function is_complete( $type ) {
		$description = self::get( $type );
		return (bool) call_user_func( $description['complete'], Native_SMTP_Options::all() );
	}

	/**
	 * The connection part of the Mailer config for the current settings.
	 *
	 * @param array $settings Native_SMTP_Options::all().
	 * @return array<string, mixed>
	 */
	public static function config( array $settings ) {
		$description = self::get( (string) $settings['connection'] );
		$config      = call_user_func( $description['config'], $settings );
		return is_array( $config ) ? $config : array();
	}

	/**
	 * "smtp": a host, and a username when authentication is on.
	 *
	 * @param array $settings Settings.
	 * @return bool
	 */
	public static function smtp_complete( array $settings ) {
		if ( '' === (string) $settings['host'] ) {
			return false;
		}
		return empty( $settings['auth'] ) || '' !== (string) $settings['username'];
	}

	/**
	 * "smtp": host, port, encryption and the login. The plugin's None / SSL / TLS are the
	 * extension's none / tls (implicit TLS) / starttls.
	 *
	 * @param array $settings Settings.
	 * @return array<string, mixed>
	 */
	public static function smtp_config( array $settings ) {
		$map    = array(
			'none' => 'none',
			'ssl'  => 'tls',
			'tls'  => 'starttls',
		);
		$config = array(
			'host'       => $settings['host'],
			'port'       => (int) $settings['port'],
			'encryption' => $map[ $settings['encryption'] ],
		);
		if ( $settings['auth'] && '' !== $settings['username'] ) {
			$config['username'] = $settings['username'];
			$config['password'] = $settings['password'];
			$config['auth']     = 'auto';
		}
		if ( ! empty( $settings['allow_insecure_auth'] ) || ( defined( 'NATIVE_SMTP_ALLOW_INSECURE' ) && NATIVE_SMTP_ALLOW_INSECURE ) ) {
			$config['allow_insecure_auth'] = true;
		}
		return $config;
	}
}

<?php
/**
 * Alert webhooks: which URLs are acceptable, the payload each receiver understands (a generic
 * JSON POST, Slack, Discord, Microsoft Teams incoming webhooks), and the POST itself.
 *
 * A webhook URL is a destination an administrator types in, then the server POSTs to it: without
 * care that is a way to make the site reach its own network (SSRF). So: https only, never to an
 * address that is private, reserved or loopback (checked again on every POST by
 * wp_safe_remote_post(), which resolves the name), no user:password@ in it. Plain http goes only to
 * loopback, and only when NATIVE_SMTP_WEBHOOK_ALLOW_LOOPBACK or the native_smtp_webhook_allow_loopback
 * filter says so (a receiver on the same machine, the tests' one).
 *
 * @package Native_SMTP
 */

defined( 'ABSPATH' ) || exit;

/**
 * Webhook URL checks, payload shapes and delivery.
 */
class Native_SMTP_Webhooks {

	/** Payload shapes. */
	const FORMATS = array( 'json', 'slack', 'discord', 'teams' );

	/** At most this many webhooks (each alert POSTs to all of them, one after the other). */
	const MAX = 5;

	/** Seconds a receiver gets to answer: an alert must not hold a request (or cron run) for long. */
	const TIMEOUT = 5;

	/**
	 * Whether plain http to a loopback address is allowed (tests, a relay watcher on the same host).
	 *
	 * @return bool
	 */
	public static function loopback_allowed() {
		$allowed = defined( 'NATIVE_SMTP_WEBHOOK_ALLOW_LOOPBACK' ) && NATIVE_SMTP_WEBHOOK_ALLOW_LOOPBACK;
		/**
		 * Filters whether webhook URLs may point at loopback (127.0.0.0/8, ::1, localhost) over http.
		 *
		 * @param bool $allowed Default: the NATIVE_SMTP_WEBHOOK_ALLOW_LOOPBACK constant, else false.
		 */
		return (bool) apply_filters( 'native_smtp_webhook_allow_loopback', $allowed );
	}

	/**
	 * Whether a host is loopback.
	 *
	 * @param string $host Host, IPv6 in brackets or not.
	 * @return bool
	 */
	public static function is_loopback( $host ) {
		$host = strtolower( trim( (string) $host, '[]' ) );
		if ( 'localhost' === $host || '::1' === $host ) {
			return true;
		}
		return (bool) filter_var( $host, FILTER_VALIDATE_IP, FILTER_FLAG_IPV4 ) && 0 === strpos( $host, '127.' );
	}

	/**
	 * Checks one URL.
	 *
	 * @param string $url URL as typed.
	 * @return string|WP_Error The URL, or why it is refused.
	 */
	public static function validate_url( $url ) {
		$url   = trim( (string) $url );
		$parts = wp_parse_url( $url );
		if ( '' === $url || ! is_array( $parts ) || empty( $parts['scheme'] ) || empty( $parts['host'] ) || preg_match( '/[\s<>"]/', $url ) ) {
			return new WP_Error( 'native_smtp_webhook_url', __( 'This is not a URL.', 'native-smtp' ) );
		}
		if ( isset( $parts['user'] ) || isset( $parts['pass'] ) ) {
			return new WP_Error( 'native_smtp_webhook_url', __( 'A webhook URL must not contain a user name or password.', 'native-smtp' ) );
		}
		$scheme = strtolower( $parts['scheme'] );
		$host   = strtolower( trim( $parts['host'], '[]' ) );
		if ( self::is_loopback( $host ) ) {
			if ( self::loopback_allowed() && in_array( $scheme, array( 'http', 'https' ), true ) ) {
				return $url;
			}
			return new WP_Error( 'native_smtp_webhook_url', __( 'A webhook URL must not point at this server (localhost).', 'native-smtp' ) );
		}
		if ( 'https' !== $scheme ) {
			return new WP_Error( 'native_smtp_webhook_url', __( 'A webhook URL must start with https://.', 'native-smtp' ) );
		}
		if ( filter_var( $host, FILTER_VALIDATE_IP ) && ! filter_var( $host, FILTER_VALIDATE_IP, FILTER_FLAG_NO_PRIV_RANGE | FILTER_FLAG_NO_RES_RANGE ) ) {
			return new WP_Error( 'native_smtp_webhook_url', __( 'A webhook URL must not point at a private or reserved address.', 'native-smtp' ) );
		}
		if ( '.localhost' === substr( $host, -10 ) || '.local' === substr( $host, -6 ) || '.internal' === substr( $host, -9 ) || false === strpos( $host, '.' ) ) {
			return new WP_Error( 'native_smtp_webhook_url', __( 'A webhook URL must name a public host.', 'native-smtp' ) );
		}
		return $url;
	}

	/**
	 * The payload shape a URL's receiver expects, from its host: Slack, Discord, Teams (Office
	 * connectors and Power Automate workflows), else the generic JSON.
	 *
	 * @param string $url URL.
	 * @return string One of FORMATS.
	 */
	public static function detect_format( $url ) {
		$host = strtolower( (string) wp_parse_url( $url, PHP_URL_HOST ) );
		$path = (string) wp_parse_url( $url, PHP_URL_PATH );
		if ( 'hooks.slack.com' === $host ) {
			return 'slack';
		}
		if ( in_array( $host, array( 'discord.com', 'discordapp.com', 'canary.discord.com', 'ptb.discord.com' ), true ) && 0 === strpos( $path, '/api/webhooks/' ) ) {
			return 'discord';
		}
		foreach ( array( '.webhook.office.com', '.logic.azure.com', '.powerplatform.com' ) as $suffix ) {
			if ( substr( $host, -strlen( $suffix ) ) === $suffix ) {
				return 'teams';
			}
		}
		return 'json';
	}

	/**
	 * Reads the settings' text: one webhook a line, "URL" or "format URL" (format: json, slack,
	 * discord, teams; without one it is guessed from the host).
	 *
	 * @param string $text Lines.
	 * @return array{hooks: array<int, array{format: string, url: string}>, errors: string[]}
	 */
	public static function parse( $text ) {
		$hooks  = array();
		$errors = array();
		foreach ( preg_split( '/\R/', (string) $text ) as $line ) {
			$line = trim( $line );
			if ( '' === $line ) {
				continue;
			}
			$format = '';
			if ( preg_match( '/^([a-z]+)\s+(\S+)$/i', $line, $m ) ) {
				$format = strtolower( $m[1] );
				$line   = $m[2];
				if ( ! in_array( $format, self::FORMATS, true ) ) {
					/* translators: %s: the word the admin typed before the URL */
					$errors[] = sprintf( __( 'Unknown webhook format "%s": use json, slack, discord or teams.', 'native-smtp' ), $format );
					continue;
				}
			}
			$valid = self::validate_url( $line );
			if ( is_wp_error( $valid ) ) {
				// The host only: the rest of a webhook URL is its secret.
				$errors[] = sprintf( '%s (%s)', $valid->get_error_message(), self::describe( $line ) );
				continue;
			}
			if ( count( $hooks ) >= self::MAX ) {
				/* translators: %d: how many webhooks are allowed */
				$errors[] = sprintf( __( 'At most %d webhooks; the rest were dropped.', 'native-smtp' ), self::MAX );
				break;
			}
			$hooks[] = array(
				'format' => '' === $format ? self::detect_format( $valid ) : $format,
				'url'    => $valid,
			);
		}
		return array(
			'hooks'  => $hooks,
			'errors' => $errors,
		);
	}

	/**
	 * A webhook as it may be shown or logged: scheme and host, never the path (Slack, Discord and
	 * Teams put the webhook's secret there).
	 *
	 * @param string $url URL.
	 * @return string
	 */
	public static function describe( $url ) {
		$parts = wp_parse_url( (string) $url );
		if ( ! is_array( $parts ) || empty( $parts['host'] ) ) {
			return '?';
		}
		return ( isset( $parts['scheme'] ) ? $parts['scheme'] . '://' : '' ) . $parts['host'] . ( isset( $parts['port'] ) ? ':' . $parts['port'] : '' ) . '/…';
	}

	/**
	 * The body for one receiver.
	 *
	 * @param string $format One of FORMATS.
	 * @param array  $alert  Native_SMTP_Alerts::build()'s alert: kind, title, text, site, site_url, time, details, held_back, log_url.
	 * @return array JSON-ready.
	 */
	public static function payload( $format, array $alert ) {
		$title = (string) $alert['title'];
		$text  = (string) $alert['text'];
		switch ( $format ) {
			case 'slack':
				// Slack's mrkdwn reads <...> as links and mentions (<!channel>): escape what it escapes.
				$escape = static function ( $s ) {
					return str_replace( array( '&', '<', '>' ), array( '&amp;', '&lt;', '&gt;' ), (string) $s );
				};
				return array(
					'text' => '*' . $escape( $title ) . '*' . "\n" . $escape( $text ) . "\n<" . esc_url_raw( $alert['log_url'] ) . '|' . $escape( __( 'Open the email log', 'native-smtp' ) ) . '>',
				);
			case 'discord':
				// Content is at most 2000 characters; no @everyone / role pings from an error text.
				$content = '**' . $title . "**\n" . $text . "\n" . $alert['log_url'];
				return array(
					'content'          => function_exists( 'mb_substr' ) ? mb_substr( $content, 0, 2000 ) : substr( $content, 0, 2000 ),
					'allowed_mentions' => array( 'parse' => array() ),
				);
			case 'teams':
				// An Adaptive Card in a message: what Teams workflows ("Post to a channel when a
				// webhook request is received") and the older Office 365 connectors both accept.
				return array(
					'type'        => 'message',
					'attachments' => array(
						array(
							'contentType' => 'application/vnd.microsoft.card.adaptive',
							'contentUrl'  => null,
							'content'     => array(
								'$schema' => 'http://adaptivecards.io/schemas/adaptive-card.json',
								'type'    => 'AdaptiveCard',
								'version' => '1.4',
								'body'    => array(
									array(
										'type'   => 'TextBlock',
										'size'   => 'Medium',
										'weight' => 'Bolder',
										'text'   => $title,
										'wrap'   => true,
									),
									array(
										'type' => 'TextBlock',
										'text' => $text,
										'wrap' => true,
									),
								),
								'actions' => array(
									array(
										'type'  => 'Action.OpenUrl',
										'title' => __( 'Open the email log', 'native-smtp' ),
										'url'   => $alert['log_url'],
									),
								),
							),
						),
					),
				);
			default:
				return array(
					'event'     => 'native_smtp.alert',
					'kind'      => $alert['kind'],
					'title'     => $title,
					'text'      => $text,
					'site'      => $alert['site'],
					'site_url'  => $alert['site_url'],
					'time'      => $alert['time'],
					'held_back' => (int) $alert['held_back'],
					'details'   => $alert['details'],
					'log_url'   => $alert['log_url'],
				);
		}
	}

	/**
	 * POSTs an alert to one webhook.
	 *
	 * @param array $hook  {format, url}.
	 * @param array $alert The alert.
	 * @return array{ok: bool, code: int, error: string, target: string}
	 */
	public static function post( array $hook, array $alert ) {
		$url    = (string) $hook['url'];
		$result = array(
			'ok'     => false,
			'code'   => 0,
			'error'  => '',
			'target' => self::describe( $url ),
		);
		$valid = self::validate_url( $url );
		if ( is_wp_error( $valid ) ) {
			$result['error'] = $valid->get_error_message();
			return $result;
		}
		$args = array(
			'timeout'     => self::TIMEOUT,
			'redirection' => 0, // A redirect could lead anywhere, an internal address included.
			'headers'     => array( 'Content-Type' => 'application/json; charset=utf-8' ),
			'body'        => wp_json_encode( self::payload( in_array( $hook['format'], self::FORMATS, true ) ? $hook['format'] : 'json', $alert ) ),
			'user-agent'  => 'Native SMTP/' . NATIVE_SMTP_VERSION . '; ' . home_url( '/' ),
		);
		$host = (string) wp_parse_url( $url, PHP_URL_HOST );
		// wp_safe_remote_post() refuses loopback (as it should): only the explicitly allowed
		// loopback receiver goes through the plain call.
		$response = self::is_loopback( $host ) && self::loopback_allowed() ? wp_remote_post( $url, $args ) : wp_safe_remote_post( $url, $args );
		if ( is_wp_error( $response ) ) {
			// WP_Http's messages can quote the URL: keep only the host.
			$result['error'] = str_replace( $url, $result['target'], $response->get_error_message() );
			return $result;
		}
		$result['code'] = (int) wp_remote_retrieve_response_code( $response );
		$result['ok']   = $result['code'] >= 200 && $result['code'] < 300;
		if ( ! $result['ok'] ) {
			/* translators: %d: HTTP status code */
			$result['error'] = sprintf( __( 'The receiver answered HTTP %d.', 'native-smtp' ), $result['code'] );
		}
		return $result;
	}
}

<?php
/**
 * Site Health test: extension loaded, settings complete, last send ok, nothing left waiting in the queue.
 *
 * @package Native_SMTP
 */

defined( 'ABSPATH' ) || exit;

/**
 * Adds the "Native SMTP" test to Tools -> Site Health.
 */
class Native_SMTP_Site_Health {

	/**
	 * Hooks the test in.
	 */
	public static function register_hooks() {
		add_filter( 'site_status_tests', array( __CLASS__, 'add_test' ) );
	}

	/**
	 * site_status_tests filter.
	 *
	 * @param array $tests Site Health tests.
	 * @return array
	 */
	public static function add_test( $tests ) {
		$tests['direct']['native_smtp']         = array(
			'label' => __( 'Native SMTP', 'native-smtp' ),
			'test'  => array( __CLASS__, 'run' ),
		);
		$tests['direct']['native_smtp_secrets'] = array(
			'label' => __( 'Native SMTP secrets', 'native-smtp' ),
			'test'  => array( __CLASS__, 'run_secrets' ),
		);
		$tests['direct']['native_smtp_queue_private'] = array(
			'label' => __( 'Native SMTP queue privacy', 'native-smtp' ),
			'test'  => array( __CLASS__, 'run_queue_private' ),
		);
		return $tests;
	}

	/**
	 * The test's result.
	 *
	 * @return array Site Health result.
	 */
	public static function run() {
		$result = array(
			'label'       => __( 'Email is sent through the smtp extension', 'native-smtp' ),
			'status'      => 'good',
			'badge'       => array(
				'label' => __( 'Email', 'native-smtp' ),
				'color' => 'blue',
			),
			'description' => '',
			'actions'     => sprintf(
				'<p><a href="%s">%s</a></p>',
				esc_url( admin_url( 'options-general.php?page=native-smtp' ) ),
				esc_html__( 'Native SMTP settings', 'native-smtp' )
			),
			'test'        => 'native_smtp',
		);

		if ( ! Native_SMTP_Transport::extension_loaded() ) {
			$result['status']      = 'critical';
			$result['label']       = __( 'The smtp PHP extension is not loaded', 'native-smtp' );
			$result['description'] = '<p>' . esc_html__( 'Native SMTP needs the smtp PHP extension. Until it is installed, WordPress sends email with PHP\'s mail() function.', 'native-smtp' ) . '</p>';
			return $result;
		}
		if ( ! Native_SMTP_Options::is_complete() ) {
			$result['status']      = 'recommended';
			$result['label']       = __( 'Native SMTP settings are incomplete', 'native-smtp' );
			$result['description'] = '<p>' . esc_html__( 'Enter the SMTP Host (and the SMTP Username when Authentication is on) so that email goes through your SMTP server.', 'native-smtp' ) . '</p>';
			return $result;
		}

		$last = get_option( 'native_smtp_last_send' );
		if ( is_array( $last ) && empty( $last['ok'] ) ) {
			$result['status']      = 'critical';
			$result['label']       = __( 'The last email could not be sent', 'native-smtp' );
			$result['description'] = '<p>' . esc_html(
				sprintf(
					/* translators: 1: date and time, 2: the SMTP server's error */
					__( 'The last email, at %1$s, failed: %2$s', 'native-smtp' ),
					wp_date( get_option( 'date_format' ) . ' ' . get_option( 'time_format' ), (int) $last['time'] ),
					(string) $last['error']
				)
			) . '</p>';
			return $result;
		}

		$waiting = self::queue_waiting();
		if ( $waiting ) {
			$result['status']      = 'recommended';
			$result['label']       = __( 'Emails are waiting in the queue', 'native-smtp' );
			$result['description'] = '<p>' . esc_html(
				sprintf(
					/* translators: 1: number of emails, 2: date and time, 3: the SMTP server's last error */
					_n(
						'%1$d email is waiting in the queue: the SMTP server could not take it yet. WordPress tries again every minute. It has waited since %2$s; the last error: %3$s',
						'%1$d emails are waiting in the queue: the SMTP server could not take them yet. WordPress tries again every minute. The oldest has waited since %2$s; its last error: %3$s',
						$waiting['count'],
						'native-smtp'
					),
					$waiting['count'],
					wp_date( get_option( 'date_format' ) . ' ' . get_option( 'time_format' ), $waiting['since'] ),
					$waiting['error']
				)
			) . '</p>';
			$result['actions']    .= sprintf(
				'<p><a href="%s">%s</a></p>',
				esc_url( admin_url( 'options-general.php?page=native-smtp&tab=log' ) ),
				esc_html__( 'Email log', 'native-smtp' )
			);
			return $result;
		}

		$result['description'] = '<p>' . esc_html(
			is_array( $last )
				? sprintf(
					/* translators: %s: date and time */
					__( 'The smtp extension is loaded, the settings are complete and the last email (at %s) was accepted by the server.', 'native-smtp' ),
					wp_date( get_option( 'date_format' ) . ' ' . get_option( 'time_format' ), (int) $last['time'] )
				)
				: __( 'The smtp extension is loaded and the settings are complete. No email has been sent yet.', 'native-smtp' )
		) . '</p>';
		return $result;
	}

	/**
	 * A result skeleton for our tests.
	 *
	 * @param string $test  Test id.
	 * @param string $label Label when good.
	 * @return array
	 */
	private static function result( $test, $label ) {
		return array(
			'label'       => $label,
			'status'      => 'good',
			'badge'       => array(
				'label' => __( 'Security', 'native-smtp' ),
				'color' => 'blue',
			),
			'description' => '',
			'actions'     => sprintf(
				'<p><a href="%s">%s</a></p>',
				esc_url( is_multisite() ? network_admin_url( 'settings.php?page=native-smtp' ) : admin_url( 'options-general.php?page=native-smtp' ) ),
				esc_html__( 'Native SMTP settings', 'native-smtp' )
			),
			'test'        => $test,
		);
	}

	/**
	 * The stored SMTP password and DKIM keys still decrypt, and the key they are encrypted with is
	 * not public.
	 *
	 * @return array Site Health result.
	 */
	public static function run_secrets() {
		$result   = self::result( 'native_smtp_secrets', __( 'Native SMTP\'s stored secrets are readable and protected', 'native-smtp' ) );
		$problems = Native_SMTP_Options::secret_problems();
		if ( $problems ) {
			$result['status']      = 'critical';
			$result['label']       = __( 'Native SMTP\'s stored password or DKIM key can no longer be decrypted', 'native-smtp' );
			$result['description'] = '<p>' . esc_html( Native_SMTP_Admin::secrets_problem_text( $problems ) ) . '</p>';
			return $result;
		}
		if ( Native_SMTP_Crypto::key_is_public() ) {
			$result['status']      = 'critical';
			$result['label']       = __( 'Native SMTP\'s encryption key is public', 'native-smtp' );
			$result['description'] = '<p>' . esc_html(
				sprintf(
					/* translators: 1: the sample salt text, 2: constant name */
					__( 'The salts in wp-config.php are still "%1$s", the text every copy of WordPress ships with, so anyone can compute the key that encrypts the SMTP password and the DKIM keys. Replace the salts with random ones (https://api.wordpress.org/secret-key/1.1/salt/), or define %2$s, then enter the SMTP password again.', 'native-smtp' ),
					Native_SMTP_Crypto::SAMPLE_SALT,
					'NATIVE_SMTP_KEY'
				)
			) . '</p>';
			return $result;
		}
		$result['description'] = '<p>' . esc_html(
			Native_SMTP_Crypto::has_constant_key()
				? __( 'Secrets are encrypted with NATIVE_SMTP_KEY from wp-config.php; changing the WordPress salts does not affect them.', 'native-smtp' )
				: __( 'Secrets are encrypted with a key made from the WordPress salts. Define NATIVE_SMTP_KEY in wp-config.php so that changing the salts does not make them unreadable.', 'native-smtp' )
		) . '</p>';
		return $result;
	}

	/**
	 * Queued mail cannot be downloaded: a probe file in the queue is asked for over HTTP at the URL
	 * it would have; critical when the web server hands it out.
	 *
	 * @return array Site Health result.
	 */
	public static function run_queue_private() {
		$result = self::result( 'native_smtp_queue_private', __( 'Queued emails are private', 'native-smtp' ) );
		if ( ! Native_SMTP_Queue::enabled() ) {
			$result['description'] = '<p>' . esc_html__( 'The queue is off (or the smtp extension is not loaded): no email is kept on disk.', 'native-smtp' ) . '</p>';
			return $result;
		}
		$probe = Native_SMTP_Queue::probe();
		if ( $probe['served'] ) {
			$result['status']      = 'critical';
			$result['label']       = __( 'Queued emails can be downloaded from the web', 'native-smtp' );
			$result['description'] = '<p>' . esc_html(
				sprintf(
					/* translators: 1: folder, 2: URL */
					__( 'The web server serves the files in %1$s: a test file there was downloaded from %2$s. Queued emails hold password-reset links and attachments. Move the queue outside the document root with NATIVE_SMTP_SPOOL_DIR in wp-config.php, or deny access to that folder in the web server configuration (nginx ignores .htaccess files).', 'native-smtp' ),
					Native_SMTP_Queue::dir(),
					$probe['url']
				)
			) . '</p>';
			return $result;
		}
		$result['description'] = '<p>' . esc_html(
			'' === $probe['url']
				? sprintf(
					/* translators: %s: folder */
					__( 'Queued emails are kept in %s, outside the folders the web server serves.', 'native-smtp' ),
					Native_SMTP_Queue::dir()
				)
				: sprintf(
					/* translators: 1: folder, 2: HTTP status or error */
					__( 'Queued emails are kept in %1$s; a test file there could not be downloaded from the web (%2$s).', 'native-smtp' ),
					Native_SMTP_Queue::dir(),
					$probe['code'] > 0 ? 'HTTP ' . $probe['code'] : $probe['error']
				)
		) . '</p>';
		return $result;
	}

	/**
	 * What waits in the queue: how many, and since when and why the oldest waits; null when nothing
	 * does (or the queue is off).
	 *
	 * @return array{count: int, since: int, error: string}|null
	 */
	private static function queue_waiting() {
		if ( ! Native_SMTP_Queue::enabled() ) {
			return null;
		}
		$spool = Native_SMTP_Queue::spool();
		if ( ! $spool ) {
			return null;
		}
		$messages = $spool->messages();
		if ( ! $messages ) {
			return null;
		}
		$oldest = null;
		foreach ( $messages as $message ) {
			if ( null === $oldest || (int) $message['queued_at'] < (int) $oldest['queued_at'] ) {
				$oldest = $message;
			}
		}
		$since = (int) $oldest['queued_at'];
		$error = (string) $oldest['last_error'];
		return array(
			'count' => count( $messages ),
			'since' => $since,
			'error' => $error,
		);
	}
}

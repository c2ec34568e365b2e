<?php
/**
 * Send Test's provider hints: the well-known refusals of each provider in one table, matched by
 * reply code, enhanced status code and reply text, each with the fix that provider documents.
 * The provider is the Mailer choice, or (with Other SMTP) the preset whose host the admin typed.
 *
 * @package Native_SMTP
 */

defined( 'ABSPATH' ) || exit;

/**
 * The refusal table and its matching.
 */
class Native_SMTP_Refusals {

	/**
	 * Hooks in: Send Test's hint.
	 */
	public static function register_hooks() {
		add_filter( 'native_smtp_test_provider_hint', array( __CLASS__, 'filter_hint' ), 10, 2 );
	}

	/**
	 * The table, most specific first: {preset: a preset slug, or '' for any relay; code: reply
	 * code or 0 for any; enhanced: enhanced status code or '' for any; text: a regular expression
	 * on the reply or ''; hint: what to do}.
	 *
	 * @return array<int, array<string, mixed>>
	 */
	public static function table() {
		$rows = array(
			array(
				'preset'   => 'gmail',
				'code'     => 534,
				'enhanced' => '5.7.9',
				'text'     => '',
				'hint'     => __( 'Google wants an app password: turn on 2-Step Verification for the account, create an app password at myaccount.google.com/apppasswords and enter it as the SMTP Password (not the account password).', 'native-smtp' ),
			),
			array(
				'preset'   => 'gmail',
				'code'     => 535,
				'enhanced' => '5.7.8',
				'text'     => '',
				'hint'     => __( 'Google did not accept the username and password: the username is the full address, and the password must be an app password (myaccount.google.com/apppasswords). A Workspace admin may have turned app passwords off.', 'native-smtp' ),
			),
			array(
				'preset'   => 'microsoft',
				'code'     => 535,
				'enhanced' => '5.7.139',
				'text'     => '/SmtpClientAuthentication is disabled|disabled for the (Tenant|Mailbox)/i',
				'hint'     => __( 'Microsoft has SMTP AUTH turned off for this mailbox or for the whole organisation. An admin turns on "Authenticated SMTP" for the mailbox (Microsoft 365 admin center, Users, Mail, Manage email apps) and allows SMTP AUTH for the tenant, or use the OAuth connection instead.', 'native-smtp' ),
			),
			array(
				'preset'   => 'microsoft',
				'code'     => 535,
				'enhanced' => '5.7.139',
				'text'     => '/basic authentication is disabled|did not meet the criteria|security defaults/i',
				'hint'     => __( 'Microsoft refuses password logins for this account (Security defaults or Conditional Access block Basic authentication). A password or app password will not help: use the OAuth connection, or ask the admin to exclude this mailbox.', 'native-smtp' ),
			),
			array(
				'preset'   => 'microsoft',
				'code'     => 535,
				'enhanced' => '5.7.139',
				'text'     => '',
				'hint'     => __( 'Microsoft refused the login: check the mailbox address and password (an app password when multi-factor authentication is on), and that "Authenticated SMTP" is on for the mailbox.', 'native-smtp' ),
			),
			array(
				'preset'   => 'microsoft',
				'code'     => 535,
				'enhanced' => '5.7.3',
				'text'     => '',
				'hint'     => __( 'Microsoft refused the login: either the password is wrong, or SMTP AUTH is turned off for this mailbox. An admin turns on "Authenticated SMTP" (Microsoft 365 admin center, Users, Mail, Manage email apps); if the tenant blocks it, use the OAuth connection.', 'native-smtp' ),
			),
			array(
				'preset'   => 'microsoft',
				'code'     => 0,
				'enhanced' => '5.7.60',
				'text'     => '',
				'hint'     => __( 'Microsoft refused to send as the From address: the mailbox you log in with may only send as itself. Set the From Email to that mailbox (and tick Force), or give it "Send As" permission for the other address.', 'native-smtp' ),
			),
			array(
				'preset'   => 'ses',
				'code'     => 554,
				'enhanced' => '',
				'text'     => '/Email address is not verified/i',
				'hint'     => __( 'Amazon SES is in its sandbox, or the From address is not verified: in the sandbox SES sends only from and to verified identities. Verify the From domain or address (and the recipient) under Identities in the region you chose, or request production access.', 'native-smtp' ),
			),
			array(
				'preset'   => 'ses',
				'code'     => 535,
				'enhanced' => '',
				'text'     => '',
				'hint'     => __( 'Amazon SES refused the SMTP credentials: they are not the IAM access key and secret, they belong to one region, and they must be created under SMTP settings in the region chosen here.', 'native-smtp' ),
			),
			array(
				'preset'   => 'sendgrid',
				'code'     => 550,
				'enhanced' => '',
				'text'     => '/verified Sender Identity/i',
				'hint'     => __( 'SendGrid sends only from a verified sender: verify the From Email (Single Sender Verification) or authenticate its domain under Sender Authentication, then send again.', 'native-smtp' ),
			),
			array(
				'preset'   => 'sendgrid',
				'code'     => 535,
				'enhanced' => '',
				'text'     => '',
				'hint'     => __( 'SendGrid refused the API key: the username must be the word "apikey", and the password an API key with the "Mail Send" permission that has not been deleted.', 'native-smtp' ),
			),
			array(
				'preset'   => '',
				'code'     => 0,
				'enhanced' => '',
				'text'     => '/^(550|551|553|554)[ -].*(sender|from address|not owned|owned by|not allowed to send|send as|sendas|not authori[sz]ed to send|not permitted)/i',
				'hint'     => __( 'The relay refused the From address: it only sends from addresses or domains that belong to your account. Set the From Email to such an address and tick Force, or add and verify the domain with your provider.', 'native-smtp' ),
			),
		);
		/**
		 * Filters the provider refusal table (shape: see Native_SMTP_Refusals::table()).
		 *
		 * @param array $rows Rows, most specific first.
		 */
		$filtered = apply_filters( 'native_smtp_refusals', $rows );
		return is_array( $filtered ) ? $filtered : $rows;
	}

	/**
	 * The provider behind the current settings: the Mailer choice, or with Other SMTP the preset
	 * whose host the admin typed ('' when none).
	 *
	 * @return string
	 */
	public static function provider() {
		$preset = (string) Native_SMTP_Options::get( 'preset' );
		if ( Native_SMTP_Presets::OTHER !== $preset && null !== Native_SMTP_Presets::get( $preset ) ) {
			return $preset;
		}
		$host = strtolower( (string) Native_SMTP_Options::get( 'host' ) );
		foreach ( Native_SMTP_Presets::script_data() as $slug => $data ) {
			if ( ! empty( $data['hosts'] ) && in_array( $host, array_map( 'strtolower', $data['hosts'] ), true ) ) {
				return (string) $slug;
			}
		}
		return '';
	}

	/**
	 * The first row that matches a refusal, or null.
	 *
	 * @param string $provider Preset slug or ''.
	 * @param int    $code     Reply code.
	 * @param string $enhanced Enhanced status code ("5.7.9"), or ''.
	 * @param string $reply    The server's reply (code, enhanced code, text).
	 * @return array<string, mixed>|null
	 */
	public static function match( $provider, $code, $enhanced, $reply ) {
		$code     = (int) $code;
		$reply    = trim( (string) $reply );
		$enhanced = (string) $enhanced;
		if ( '' === $enhanced && preg_match( '/^\d{3}[ -]([245]\.\d{1,3}\.\d{1,3})\b/', $reply, $m ) ) {
			$enhanced = $m[1];
		}
		if ( 0 === $code && preg_match( '/^([245]\d\d)\b/', $reply, $m ) ) {
			$code = (int) $m[1];
		}
		foreach ( self::table() as $row ) {
			if ( ! is_array( $row ) || empty( $row['hint'] ) ) {
				continue;
			}
			$row_preset = isset( $row['preset'] ) ? (string) $row['preset'] : '';
			if ( '' !== $row_preset && $row_preset !== $provider ) {
				continue;
			}
			if ( ! empty( $row['code'] ) && (int) $row['code'] !== $code ) {
				continue;
			}
			if ( ! empty( $row['enhanced'] ) && (string) $row['enhanced'] !== $enhanced ) {
				continue;
			}
			if ( ! empty( $row['text'] ) && ! preg_match( (string) $row['text'], $reply ) ) {
				continue;
			}
			return $row;
		}
		return null;
	}

	/**
	 * The server's reply inside an error text: from its reply code on ("... failed: 534 5.7.9 ...").
	 *
	 * @param string $text Error text.
	 * @param int    $code The reply code, when known.
	 * @return string
	 */
	public static function reply_in( $text, $code ) {
		$text = (string) $text;
		if ( $code > 0 ) {
			$at = strpos( $text, (string) (int) $code . ' ' );
			$at = false === $at ? strpos( $text, (int) $code . '-' ) : $at;
			if ( false !== $at ) {
				return substr( $text, $at );
			}
		}
		return preg_match( '/\b([245]\d\d[ -].*)$/s', $text, $m ) ? $m[1] : $text;
	}

	/**
	 * native_smtp_test_provider_hint: a provider's hint replaces the generic one when a row matches.
	 *
	 * @param string $hint   The generic hint.
	 * @param array  $result What Native_SMTP_Admin::send_test() returned.
	 * @return string
	 */
	public static function filter_hint( $hint, $result ) {
		// Only for the SMTP connection: another connection type (OAuth) gives its own hints.
		if ( ! is_array( $result ) || ! empty( $result['ok'] ) || 'smtp' !== Native_SMTP_Options::get( 'connection' ) ) {
			return $hint;
		}
		$code  = isset( $result['code'] ) ? (int) $result['code'] : 0;
		$reply = self::reply_in( isset( $result['reply'] ) && '' !== $result['reply'] ? $result['reply'] : ( isset( $result['error'] ) ? $result['error'] : '' ), $code );
		$row   = self::match( self::provider(), $code, isset( $result['enhanced'] ) ? (string) $result['enhanced'] : '', $reply );
		if ( null === $row ) {
			return $hint;
		}
		$preset = '' !== (string) $row['preset'] ? Native_SMTP_Presets::get( (string) $row['preset'] ) : null;
		if ( null === $preset ) {
			return (string) $row['hint'];
		}
		return sprintf(
			/* translators: 1: provider name, 2: what to do */
			__( '%1$s: %2$s', 'native-smtp' ),
			$preset['label'],
			$row['hint']
		);
	}
}

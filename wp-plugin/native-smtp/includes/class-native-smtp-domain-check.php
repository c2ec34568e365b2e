<?php
/**
 * The domain check in WordPress: what to check (the From domain, the SMTP Host, the DKIM keys),
 * a short cache, the translated results with a fix each, the Send Test section and the Site Health test.
 *
 * DNS lookups go through PHP's dns_get_record(), which has no timeout of its own: it is bounded by
 * the system resolver's `options timeout:N attempts:N` in /etc/resolv.conf (glibc's defaults are
 * 5 s and 2 attempts per name server; the RES_OPTIONS environment variable overrides them), and
 * the checker stops asking after one lookup timed out. Still, a check may wait that long, so the
 * check never runs while a page is built for anyone else: only when an admin asks (Send Test, the
 * Check domain button) and in Site Health's asynchronous tests, which the browser fetches from the
 * REST API after the page has loaded. Results are cached for ten minutes. A DNS failure is reported
 * as a warning; nothing here ever stops an email from being sent.
 *
 * @package Native_SMTP
 */

defined( 'ABSPATH' ) || exit;

require_once __DIR__ . '/class-native-smtp-domain-checker.php';

/**
 * Runs Native_SMTP_Domain_Checker for the site's settings and shows what it found.
 */
class Native_SMTP_Domain_Check {

	/** How long a result is reused. */
	const CACHE_TTL = 10 * MINUTE_IN_SECONDS;

	/** Prefix of the result transients. */
	const CACHE_PREFIX = 'native_smtp_domain_check_';

	/** The REST route the asynchronous Site Health test fetches. */
	const REST_NAMESPACE = 'native-smtp/v1';
	const REST_ROUTE     = '/domain-check';

	/**
	 * Hooks the Site Health test, its REST route and the Send Test section.
	 */
	public static function register_hooks() {
		add_filter( 'site_status_tests', array( __CLASS__, 'add_test' ) );
		add_action( 'rest_api_init', array( __CLASS__, 'register_route' ) );
		add_action( 'native_smtp_after_test_tab', array( __CLASS__, 'render_test_section' ) );
	}

	/**
	 * What is checked: the From domain, the relay, the envelope domain and what DKIM signs with.
	 *
	 * @return array Input for Native_SMTP_Domain_Checker::check().
	 */
	public static function input() {
		$from = Native_SMTP_Options::get( 'from_email' );
		if ( '' === $from || false === strpos( $from, '@' ) ) {
			$from = (string) get_option( 'admin_email' );
		}
		$domain = false !== strpos( $from, '@' ) ? substr( strrchr( $from, '@' ), 1 ) : '';
		$dkim   = array();
		$signs  = (bool) Native_SMTP_Options::get( 'dkim_enabled' );
		if ( $signs ) {
			foreach ( Native_SMTP_Dkim::algorithms() as $algorithm ) {
				if ( ! Native_SMTP_Dkim::has_key( $algorithm ) ) {
					continue;
				}
				$dkim[] = array(
					'selector'  => Native_SMTP_Dkim::selector( $algorithm ),
					'domain'    => Native_SMTP_Dkim::domain(),
					'algorithm' => $algorithm,
					'record'    => Native_SMTP_Dkim::dns_record( $algorithm ),
				);
			}
		}
		// The extension's MAIL FROM is PHPMailer's Sender, else the From address (Native_SMTP_PHPMailer),
		// and the Return-Path setting makes Sender the From address: either way the From domain,
		// unless another plugin sets Sender (then the filter below says so).
		$input = array(
			'from_domain'     => Native_SMTP_Domain_Checker::clean_domain( $domain ),
			'relay_host'      => (string) Native_SMTP_Options::get( 'host' ),
			'envelope_domain' => Native_SMTP_Domain_Checker::clean_domain( $domain ),
			'dkim_enabled'    => $signs,
			'dkim'            => $dkim,
		);
		/**
		 * Filters what the domain check looks at.
		 *
		 * @param array $input from_domain, relay_host, envelope_domain, dkim_enabled, dkim.
		 */
		return apply_filters( 'native_smtp_domain_check_input', $input );
	}

	/**
	 * The transient a result is cached in: one per input, so changed settings are checked anew.
	 *
	 * @param array $input What input() returned.
	 * @return string
	 */
	public static function cache_key( array $input ) {
		return self::CACHE_PREFIX . md5( (string) wp_json_encode( $input ) );
	}

	/**
	 * The findings for the current settings, from the cache when they are fresh.
	 *
	 * @param bool $fresh Ignore the cache (the admin pressed Check domain).
	 * @return array{time: int, input: array, findings: array}
	 */
	public static function run( $fresh = false ) {
		$input = self::input();
		$key   = self::cache_key( $input );
		if ( ! $fresh ) {
			$cached = get_transient( $key );
			if ( is_array( $cached ) && isset( $cached['findings'] ) ) {
				return $cached;
			}
		}
		$checker = new Native_SMTP_Domain_Checker();
		$result  = array(
			'time'     => time(),
			'input'    => array(
				'from_domain' => $input['from_domain'],
				'relay_host'  => $input['relay_host'],
			),
			'findings' => $checker->check( $input ),
		);
		set_transient( $key, $result, self::CACHE_TTL );
		return $result;
	}

	/**
	 * The worst status among findings, in Site Health's terms (a DNS failure counts as recommended).
	 *
	 * @param array $findings Findings.
	 * @return string good | recommended | critical
	 */
	public static function overall( array $findings ) {
		$worst = 'good';
		foreach ( $findings as $finding ) {
			if ( 'critical' === $finding['status'] ) {
				return 'critical';
			}
			if ( 'good' !== $finding['status'] ) {
				$worst = 'recommended';
			}
		}
		return $worst;
	}

	/**
	 * The heading of each check.
	 *
	 * @param string $check spf | dkim | dmarc | mx | domain.
	 * @return string
	 */
	private static function check_label( $check ) {
		$labels = array(
			'spf'    => __( 'SPF', 'native-smtp' ),
			'dkim'   => __( 'DKIM', 'native-smtp' ),
			'dmarc'  => __( 'DMARC', 'native-smtp' ),
			'mx'     => __( 'MX', 'native-smtp' ),
			'domain' => __( 'From domain', 'native-smtp' ),
		);
		return isset( $labels[ $check ] ) ? $labels[ $check ] : $check;
	}

	/**
	 * The status in words.
	 *
	 * @param string $status good | recommended | critical | unknown.
	 * @return string
	 */
	private static function status_label( $status ) {
		switch ( $status ) {
			case 'good':
				return __( 'OK', 'native-smtp' );
			case 'critical':
				return __( 'Problem', 'native-smtp' );
			case 'unknown':
				return __( 'Could not check', 'native-smtp' );
			default:
				return __( 'Recommended', 'native-smtp' );
		}
	}

	/**
	 * What was found, in one sentence, and the one-line fix ('' when there is nothing to fix).
	 *
	 * @param array $finding A finding.
	 * @return array{0: string, 1: string}
	 */
	public static function describe( array $finding ) {
		$d = $finding['data'];
		switch ( $finding['code'] ) {
			case 'no_domain':
				return array(
					__( 'There is no From domain to check.', 'native-smtp' ),
					__( 'Enter the From Email in the settings.', 'native-smtp' ),
				);
			case 'dns_error':
				return array(
					/* translators: 1: DNS name, 2: the resolver's error */
					sprintf( __( 'The DNS lookup of %1$s failed: %2$s', 'native-smtp' ), $d['name'], $d['error'] ),
					__( 'Try again in a few minutes; if it keeps failing, check the server\'s DNS resolver (/etc/resolv.conf). Sending is not affected.', 'native-smtp' ),
				);
			case 'spf_missing':
				return array(
					/* translators: %s: domain */
					sprintf( __( '%s has no SPF record.', 'native-smtp' ), $d['domain'] ),
					/* translators: %s: the TXT record to publish */
					sprintf( __( 'Publish a TXT record on your domain: %s', 'native-smtp' ), self::spf_suggestion( $d ) ),
				);
			case 'spf_multiple':
				return array(
					/* translators: %s: domain */
					sprintf( __( '%s has more than one SPF record, so every SPF check fails (permerror).', 'native-smtp' ), $d['domain'] ),
					__( 'Merge them into a single "v=spf1 ..." TXT record.', 'native-smtp' ),
				);
			case 'spf_too_many_lookups':
				return array(
					/* translators: %d: the DNS lookup limit (10) */
					sprintf( __( 'The SPF record needs more than %d DNS lookups (include:, a, mx, exists, redirect=), so receivers fail it with permerror.', 'native-smtp' ), Native_SMTP_Domain_Checker::SPF_LOOKUP_LIMIT ),
					__( 'Remove include: entries you no longer use, or replace a and mx with ip4:/ip6: ranges.', 'native-smtp' ),
				);
			case 'spf_permerror':
				return array(
					/* translators: %s: the SPF record */
					sprintf( __( 'The SPF record is broken (permerror): %s', 'native-smtp' ), isset( $d['record'] ) ? $d['record'] : '' ),
					__( 'Fix its syntax, and check that every include: points at a domain that has an SPF record.', 'native-smtp' ),
				);
			case 'spf_includes_provider':
				return array(
					/* translators: 1: provider name, 2: SPF include domain */
					sprintf( __( 'SPF authorises %1$s (include:%2$s).', 'native-smtp' ), $d['provider'], $d['include'] ),
					'',
				);
			case 'spf_missing_provider':
				return array(
					/* translators: 1: SMTP host, 2: provider name */
					sprintf( __( 'SPF does not authorise your relay %1$s (%2$s).', 'native-smtp' ), $d['relay'], $d['provider'] ),
					/* translators: %s: SPF include domain */
					sprintf( __( 'Add include:%s to your SPF record.', 'native-smtp' ), $d['include'] ),
				);
			case 'spf_no_relay':
				return array(
					__( 'An SPF record exists, but no SMTP Host is set to check it against.', 'native-smtp' ),
					__( 'Enter the SMTP Host in the settings.', 'native-smtp' ),
				);
			case 'relay_unresolved':
				return array(
					/* translators: %s: SMTP host */
					sprintf( __( 'The SMTP Host %s has no IP address in DNS, so SPF cannot be checked against it.', 'native-smtp' ), $d['relay'] ),
					__( 'Check the SMTP Host in the settings.', 'native-smtp' ),
				);
			case 'spf_relay_not_covered':
				return array(
					/* translators: 1: SMTP host, 2: its IP addresses */
					sprintf( __( 'SPF does not cover your relay %1$s (%2$s).', 'native-smtp' ), $d['relay'], implode( ', ', $d['missing'] ) ),
					/* translators: %s: mechanisms such as ip4:192.0.2.1 */
					sprintf( __( 'Add %s to your SPF record (or the include: your email provider documents).', 'native-smtp' ), self::ip_mechanisms( $d['missing'] ) ),
				);
			case 'spf_covers_relay':
				return array(
					/* translators: %s: SMTP host */
					sprintf( __( 'SPF covers your relay %s.', 'native-smtp' ), $d['relay'] ),
					'',
				);
			case 'dkim_off':
				return array(
					__( 'Emails are not DKIM-signed by this site.', 'native-smtp' ),
					__( 'Turn on DKIM signing in the DKIM tab, generate a key and publish its record (or check that your relay signs for your domain).', 'native-smtp' ),
				);
			case 'dkim_no_key':
				return array(
					__( 'DKIM signing is on, but there is no key yet.', 'native-smtp' ),
					__( 'Generate a key in the DKIM tab and publish its record.', 'native-smtp' ),
				);
			case 'dkim_missing':
				return array(
					/* translators: %s: DNS name */
					sprintf( __( 'No DKIM record is published at %s.', 'native-smtp' ), $d['name'] ),
					/* translators: 1: DNS name, 2: TXT record */
					sprintf( __( 'Publish a TXT record at %1$s: %2$s', 'native-smtp' ), $d['name'], $d['record'] ),
				);
			case 'dkim_revoked':
				return array(
					/* translators: %s: DNS name */
					sprintf( __( 'The DKIM record at %s is revoked (empty p=).', 'native-smtp' ), $d['name'] ),
					/* translators: %s: DNS name */
					sprintf( __( 'Replace the TXT record at %s with the one shown in the DKIM tab.', 'native-smtp' ), $d['name'] ),
				);
			case 'dkim_mismatch':
				return array(
					/* translators: %s: DNS name */
					sprintf( __( 'The DKIM record at %s holds a different key than the one this site signs with, so signatures fail.', 'native-smtp' ), $d['name'] ),
					/* translators: %s: DNS name */
					sprintf( __( 'Replace the TXT record at %s with the one shown in the DKIM tab.', 'native-smtp' ), $d['name'] ),
				);
			case 'dkim_ok':
				return array(
					/* translators: %s: DNS name */
					sprintf( __( 'The DKIM record at %s matches the signing key.', 'native-smtp' ), $d['name'] ),
					'',
				);
			case 'dmarc_missing':
				return array(
					/* translators: %s: domain */
					sprintf( __( '%s has no DMARC record.', 'native-smtp' ), $d['domain'] ),
					/* translators: %s: DNS name */
					sprintf( __( 'Publish a TXT record at %s: v=DMARC1; p=none (then move to p=quarantine once reports look right).', 'native-smtp' ), $d['name'] ),
				);
			case 'dmarc_invalid':
				return array(
					/* translators: %s: DMARC record */
					sprintf( __( 'The DMARC record has no valid p= policy: %s', 'native-smtp' ), $d['record'] ),
					__( 'Set p=none, p=quarantine or p=reject.', 'native-smtp' ),
				);
			case 'dmarc_not_aligned':
				return array(
					/* translators: 1: policy, 2: From domain */
					sprintf( __( 'DMARC (p=%1$s) will fail: neither a passing DKIM signature nor a passing SPF check is aligned with %2$s.', 'native-smtp' ), $d['policy'], $d['domain'] ),
					self::alignment_fix( $d ),
				);
			case 'dmarc_policy_none':
				return array(
					__( 'DMARC is published with p=none: receivers report but do not act on failures.', 'native-smtp' ),
					__( 'Once the reports show your mail passing, change it to p=quarantine or p=reject.', 'native-smtp' ),
				);
			case 'dmarc_ok':
				return array(
					/* translators: 1: policy, 2: which checks are aligned, e.g. "DKIM, SPF" */
					sprintf( __( 'DMARC p=%1$s; aligned with the From domain: %2$s.', 'native-smtp' ), $d['policy'], implode( ', ', array_filter( array( $d['dkim_aligned'] ? 'DKIM' : '', $d['spf_aligned'] ? 'SPF' : '' ) ) ) ),
					'',
				);
			case 'mx_missing':
				return array(
					/* translators: %s: domain */
					sprintf( __( '%s has no MX record, so replies and bounces cannot reach it and some receivers refuse its mail.', 'native-smtp' ), $d['domain'] ),
					__( 'Add an MX record pointing at the server that receives your domain\'s email.', 'native-smtp' ),
				);
			case 'mx_null':
				return array(
					/* translators: %s: domain */
					sprintf( __( '%s publishes a null MX ("0 ."): it says it takes no email, and receivers may refuse mail from it.', 'native-smtp' ), $d['domain'] ),
					__( 'Use a From Email on a domain that receives email.', 'native-smtp' ),
				);
			case 'mx_ok':
				return array(
					/* translators: %s: mail servers */
					sprintf( __( 'MX: %s.', 'native-smtp' ), implode( ', ', $d['hosts'] ) ),
					'',
				);
		}
		return array( $finding['code'], '' );
	}

	/**
	 * A complete SPF record to start from.
	 *
	 * @param array $d SPF finding data.
	 * @return string
	 */
	private static function spf_suggestion( array $d ) {
		if ( '' !== $d['include'] ) {
			return 'v=spf1 include:' . $d['include'] . ' -all';
		}
		if ( '' !== $d['relay'] && filter_var( $d['relay'], FILTER_VALIDATE_IP ) ) {
			return 'v=spf1 ' . self::ip_mechanisms( array( $d['relay'] ) ) . ' -all';
		}
		return 'v=spf1 mx -all';
	}

	/**
	 * "ip4:192.0.2.1 ip6:2001:db8::1".
	 *
	 * @param string[] $ips Addresses.
	 * @return string
	 */
	private static function ip_mechanisms( array $ips ) {
		$out = array();
		foreach ( $ips as $ip ) {
			$out[] = ( false !== strpos( $ip, ':' ) ? 'ip6:' : 'ip4:' ) . $ip;
		}
		return implode( ' ', $out );
	}

	/**
	 * The fix for a DMARC alignment failure.
	 *
	 * @param array $d DMARC finding data.
	 * @return string
	 */
	private static function alignment_fix( array $d ) {
		if ( $d['dkim_misaligned'] ) {
			/* translators: 1: DKIM domain, 2: From domain */
			return sprintf( __( 'Sign with the From domain: the DKIM domain is %1$s, the From domain %2$s (set the DKIM domain in the DKIM tab, or use adkim=r in DMARC for a subdomain).', 'native-smtp' ), implode( ', ', $d['dkim_domains'] ), $d['domain'] );
		}
		if ( $d['spf_misaligned'] ) {
			/* translators: 1: envelope sender domain, 2: From domain */
			return sprintf( __( 'The envelope sender\'s domain %1$s differs from the From domain %2$s: turn on Return-Path in the settings, or fix DKIM.', 'native-smtp' ), $d['envelope'], $d['domain'] );
		}
		return __( 'Fix the SPF and DKIM results above: DMARC passes once either of them passes.', 'native-smtp' );
	}

	/**
	 * The results as an HTML table.
	 *
	 * @param array $run What run() returned.
	 * @return string
	 */
	public static function render( array $run ) {
		$html  = '<p class="native-smtp-domain-check-subject">' . esc_html(
			sprintf(
				/* translators: 1: domain, 2: SMTP host */
				__( 'From domain: %1$s; SMTP Host: %2$s', 'native-smtp' ),
				'' !== $run['input']['from_domain'] ? $run['input']['from_domain'] : '-',
				'' !== $run['input']['relay_host'] ? $run['input']['relay_host'] : '-'
			)
		) . '</p>';
		$html .= '<table class="widefat striped native-smtp-domain-check"><thead><tr><th scope="col">' . esc_html__( 'Check', 'native-smtp' ) . '</th><th scope="col">' . esc_html__( 'Result', 'native-smtp' ) . '</th><th scope="col">' . esc_html__( 'What was found', 'native-smtp' ) . '</th><th scope="col">' . esc_html__( 'How to fix it', 'native-smtp' ) . '</th></tr></thead><tbody>';
		$colors = array(
			'good'        => '#00a32a',
			'critical'    => '#d63638',
			'recommended' => '#dba617',
			'unknown'     => '#dba617',
		);
		foreach ( $run['findings'] as $finding ) {
			list( $found, $fix ) = self::describe( $finding );
			$html               .= sprintf(
				'<tr class="native-smtp-check-%1$s" data-check="%1$s" data-status="%2$s" data-code="%3$s"><td><strong>%4$s</strong></td><td><span style="color:%5$s;font-weight:600">%6$s</span></td><td>%7$s</td><td>%8$s</td></tr>',
				esc_attr( $finding['check'] ),
				esc_attr( $finding['status'] ),
				esc_attr( $finding['code'] ),
				esc_html( self::check_label( $finding['check'] ) ),
				esc_attr( $colors[ $finding['status'] ] ),
				esc_html( self::status_label( $finding['status'] ) ),
				esc_html( $found ),
				'' !== $fix ? '<code style="white-space:normal">' . esc_html( $fix ) . '</code>' : ''
			);
		}
		$html .= '</tbody></table>';
		$html .= '<p class="description">' . esc_html(
			sprintf(
				/* translators: %s: date and time */
				__( 'Checked at %s; results are kept for 10 minutes. DNS changes can take a while to be seen everywhere.', 'native-smtp' ),
				wp_date( get_option( 'date_format' ) . ' ' . get_option( 'time_format' ), (int) $run['time'] )
			)
		) . '</p>';
		return $html;
	}

	/**
	 * The Send Test tab's "Domain check" section: results after a test was sent or Check domain was
	 * pressed, and the Check domain button.
	 */
	public static function render_test_section() {
		if ( ! current_user_can( 'manage_options' ) ) {
			return;
		}
		$run = null;
		// phpcs:ignore WordPress.Security.NonceVerification.Missing -- Send Test's nonce was verified by the tab; Check domain's below.
		if ( isset( $_POST['native_smtp_check_domain'] ) ) {
			check_admin_referer( 'native_smtp_check_domain' );
			$run = self::run( true );
		} elseif ( isset( $_POST['native_smtp_send_test'] ) ) { // phpcs:ignore WordPress.Security.NonceVerification.Missing
			$run = self::run();
		}
		echo '<h2 id="native-smtp-domain-check-title">' . esc_html__( 'Domain check', 'native-smtp' ) . '</h2>';
		echo '<p>' . esc_html__( 'Checks that the From domain\'s DNS lets receivers trust mail from your SMTP server: SPF, DKIM, DMARC and MX.', 'native-smtp' ) . '</p>';
		echo '<div id="native-smtp-domain-check">';
		if ( null !== $run ) {
			echo self::render( $run ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- render() escapes every part.
		}
		echo '</div>';
		echo '<form method="post" action="' . esc_url( admin_url( 'options-general.php?page=native-smtp&tab=test' ) ) . '" id="native-smtp-check-domain-form">';
		wp_nonce_field( 'native_smtp_check_domain' );
		submit_button( __( 'Check domain', 'native-smtp' ), 'secondary', 'native_smtp_check_domain', false, array( 'id' => 'native-smtp-check-domain' ) );
		echo '</form>';
	}

	/**
	 * site_status_tests filter: an asynchronous test, so its DNS lookups never hold up the page.
	 *
	 * @param array $tests Site Health tests.
	 * @return array
	 */
	public static function add_test( $tests ) {
		$tests['async']['native_smtp_domain'] = array(
			'label'             => __( 'Email domain (SPF, DKIM, DMARC, MX)', 'native-smtp' ),
			'test'              => rest_url( self::REST_NAMESPACE . self::REST_ROUTE ),
			'has_rest'          => true,
			'async_direct_test' => array( __CLASS__, 'site_health_result' ),
		);
		return $tests;
	}

	/**
	 * The REST route behind the asynchronous test.
	 */
	public static function register_route() {
		register_rest_route(
			self::REST_NAMESPACE,
			self::REST_ROUTE,
			array(
				'methods'             => 'GET',
				'callback'            => array( __CLASS__, 'site_health_result' ),
				'permission_callback' => static function () {
					return current_user_can( 'view_site_health_checks' );
				},
			)
		);
	}

	/**
	 * The Site Health result.
	 *
	 * @return array
	 */
	public static function site_health_result() {
		$run    = self::run();
		$status = self::overall( $run['findings'] );
		$labels = array(
			/* translators: %s: domain */
			'good'        => __( 'The email domain %s is set up for your SMTP server', 'native-smtp' ),
			/* translators: %s: domain */
			'recommended' => __( 'The email domain %s could be set up better', 'native-smtp' ),
			/* translators: %s: domain */
			'critical'    => __( 'The email domain %s is not set up for your SMTP server: mail may land in spam', 'native-smtp' ),
		);
		return array(
			'label'       => sprintf( $labels[ $status ], '' !== $run['input']['from_domain'] ? $run['input']['from_domain'] : '-' ),
			'status'      => $status,
			'badge'       => array(
				'label' => __( 'Email', 'native-smtp' ),
				'color' => 'blue',
			),
			'description' => self::render( $run ),
			'actions'     => sprintf(
				'<p><a href="%s">%s</a></p>',
				esc_url( admin_url( 'options-general.php?page=native-smtp&tab=test' ) ),
				esc_html__( 'Check the domain again on the Send Test tab', 'native-smtp' )
			),
			'test'        => 'native_smtp_domain',
		);
	}
}

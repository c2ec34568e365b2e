<?php
/**
 * The domain check's logic, in plain PHP (no WordPress function is called here, so it runs in any
 * PHP process): SPF covering the relay (RFC 7208, with its 10-lookup limit), the DKIM records of
 * the selectors the plugin signs with against the keys it holds, DMARC and its alignment, MX.
 *
 * It returns findings as codes and data; Native_SMTP_Domain_Check turns them into translated text.
 *
 * @package Native_SMTP
 */

defined( 'ABSPATH' ) || exit;

/**
 * Checks one From domain's DNS against the relay and DKIM keys in use.
 */
class Native_SMTP_Domain_Checker {

	/** RFC 7208 4.6.4: at most 10 terms that cause DNS lookups per SPF evaluation. */
	const SPF_LOOKUP_LIMIT = 10;

	/** RFC 7208 4.6.4: at most 10 MX (or A) names looked up for one mx mechanism. */
	const SPF_MX_LIMIT = 10;

	/**
	 * Well-known relays: a pattern of the SMTP host => [provider name, the SPF domain to include].
	 * A provider's submission host is not the address its mail leaves from, so for these the SPF
	 * record must include the provider's domain; matching the host's own IP would prove nothing.
	 *
	 * @var array<string, array{0: string, 1: string}>
	 */
	const PROVIDERS = array(
		'/^(smtp|smtp-relay|aspmx\.l)\.(gmail|googlemail|google)\.com$/' => array( 'Google', '_spf.google.com' ),
		'/^(smtp\.office365\.com|smtp-mail\.outlook\.com|.+\.mail\.protection\.outlook\.com)$/' => array( 'Microsoft 365', 'spf.protection.outlook.com' ),
		'/^smtp\.sendgrid\.net$/'                         => array( 'SendGrid', 'sendgrid.net' ),
		'/^smtp\.(eu\.)?mailgun\.org$/'                   => array( 'Mailgun', 'mailgun.org' ),
		'/^email-smtp(-fips)?\.[a-z0-9-]+\.amazonaws\.com$/' => array( 'Amazon SES', 'amazonses.com' ),
		'/^smtp-relay\.(brevo|sendinblue)\.com$/'         => array( 'Brevo', 'spf.brevo.com' ),
		'/^smtp(-broadcasts)?\.postmarkapp\.com$/'        => array( 'Postmark', 'spf.mtasv.net' ),
		'/^mail(-eu)?\.smtp2go\.com$/'                    => array( 'SMTP2GO', 'spf.smtp2go.com' ),
		'/^in(-v3)?\.mailjet\.com$/'                      => array( 'Mailjet', 'spf.mailjet.com' ),
		'/^smtp(pro)?\.zoho\.com$/'                       => array( 'Zoho', 'zoho.com' ),
		'/^smtp(pro)?\.zoho\.eu$/'                        => array( 'Zoho', 'zoho.eu' ),
		'/^smtp(pro)?\.zoho\.in$/'                        => array( 'Zoho', 'zoho.in' ),
		'/^smtp(pro)?\.zoho\.com\.au$/'                   => array( 'Zoho', 'zoho.com.au' ),
	);

	/**
	 * Older names of a provider's SPF domain that still work as its include.
	 *
	 * @var array<string, string[]>
	 */
	const PROVIDER_ALIASES = array(
		'spf.brevo.com' => array( 'spf.sendinblue.com' ),
	);

	/**
	 * Public suffixes of two labels common enough to matter for the organizational domain
	 * (DMARC relaxed alignment). Without the full Public Suffix List this is an approximation:
	 * anything else is taken to be a one-label suffix.
	 *
	 * @var string[]
	 */
	const TWO_LABEL_SUFFIXES = array( 'co.uk', 'org.uk', 'ac.uk', 'gov.uk', 'com.au', 'net.au', 'org.au', 'com.vn', 'net.vn', 'org.vn', 'edu.vn', 'gov.vn', 'co.jp', 'ne.jp', 'com.br', 'co.nz', 'co.in', 'com.cn', 'co.za', 'com.sg', 'com.mx' );

	/**
	 * Answers already fetched in this check: "type name" => records|false.
	 *
	 * @var array<string, array|false>
	 */
	private $answers = array();

	/**
	 * The last resolver error text, per "type name".
	 *
	 * @var array<string, string>
	 */
	private $errors = array();

	/**
	 * Set once a lookup failed after waiting out the resolver's timeout: the remaining lookups are
	 * reported as failed at once, so a resolver that does not answer costs one timeout, not one per
	 * name (a check makes 10 to 30 lookups).
	 *
	 * @var string
	 */
	private $resolver_down = '';

	/**
	 * DNS lookups spent in the SPF evaluation under way.
	 *
	 * @var int
	 */
	private $spf_lookups = 0;

	/**
	 * Runs every check.
	 *
	 * @param array $input {
	 *     @type string $from_domain     The From Email's domain.
	 *     @type string $relay_host      The SMTP Host (name or IP literal).
	 *     @type string $envelope_domain The domain of MAIL FROM (the Return-Path).
	 *     @type bool   $dkim_enabled    Whether the plugin signs.
	 *     @type array  $dkim            List of {selector, domain, algorithm, record}: what the plugin signs with
	 *                                   and the record it expects to be published.
	 * }
	 * @return array<int, array{check: string, status: string, code: string, data: array}>
	 */
	public function check( array $input ) {
		$from     = self::clean_domain( isset( $input['from_domain'] ) ? $input['from_domain'] : '' );
		$relay    = strtolower( trim( (string) ( isset( $input['relay_host'] ) ? $input['relay_host'] : '' ) ) );
		$envelope = self::clean_domain( isset( $input['envelope_domain'] ) && '' !== $input['envelope_domain'] ? $input['envelope_domain'] : $from );
		if ( '' === $from ) {
			return array( self::finding( 'domain', 'critical', 'no_domain' ) );
		}

		$findings   = array();
		$spf        = $this->check_spf( $from, $relay );
		$findings[] = $spf;
		$dkim       = $this->check_dkim( ! empty( $input['dkim_enabled'] ), isset( $input['dkim'] ) ? (array) $input['dkim'] : array() );
		$findings   = array_merge( $findings, $dkim );
		$findings[] = $this->check_dmarc( $from, $envelope, $spf, $dkim );
		$findings[] = $this->check_mx( $from );
		return $findings;
	}

	/**
	 * One finding.
	 *
	 * @param string $check  spf | dkim | dmarc | mx | domain.
	 * @param string $status good | recommended | critical | unknown (the DNS did not answer).
	 * @param string $code   What was found.
	 * @param array  $data   The details the message needs.
	 * @return array{check: string, status: string, code: string, data: array}
	 */
	private static function finding( $check, $status, $code, array $data = array() ) {
		return array(
			'check'  => $check,
			'status' => $status,
			'code'   => $code,
			'data'   => $data,
		);
	}

	/**
	 * Lower case, no trailing dot, nothing but a hostname.
	 *
	 * @param mixed $domain A domain.
	 * @return string '' when it is not one.
	 */
	public static function clean_domain( $domain ) {
		$domain = rtrim( strtolower( trim( (string) $domain ) ), '.' );
		return preg_match( '/^(?=.{1,253}$)([a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/', $domain ) ? $domain : '';
	}

	/**
	 * The organizational domain (RFC 7489 3.2), approximated without the Public Suffix List.
	 *
	 * @param string $domain A domain.
	 * @return string
	 */
	public static function org_domain( $domain ) {
		$labels = explode( '.', $domain );
		$keep   = 2;
		if ( count( $labels ) >= 3 && in_array( implode( '.', array_slice( $labels, -2 ) ), self::TWO_LABEL_SUFFIXES, true ) ) {
			$keep = 3;
		}
		return implode( '.', array_slice( $labels, -$keep ) );
	}

	/**
	 * The known provider of a relay host: [name, SPF include domain], or null.
	 *
	 * @param string $host SMTP host.
	 * @return array{0: string, 1: string}|null
	 */
	public static function provider( $host ) {
		foreach ( self::PROVIDERS as $pattern => $provider ) {
			if ( preg_match( $pattern, strtolower( $host ) ) ) {
				return $provider;
			}
		}
		return null;
	}

	/**
	 * A DNS query through PHP's resolver (dns_get_record(), which uses the system's resolv.conf).
	 *
	 * @param string $name Name.
	 * @param int    $type DNS_TXT, DNS_A, DNS_AAAA or DNS_MX.
	 * @return array|false The records (empty: the name or type does not exist), false when the DNS failed.
	 */
	protected function query( $name, $type ) {
		$key = $type . ' ' . $name;
		if ( array_key_exists( $key, $this->answers ) ) {
			return $this->answers[ $key ];
		}
		if ( '' !== $this->resolver_down ) {
			$this->errors[ $key ]  = $this->resolver_down;
			$this->answers[ $key ] = false;
			return false;
		}
		$error   = '';
		$started = microtime( true );
		// dns_get_record() warns on SERVFAIL or a timeout; that is a finding here, not a PHP warning.
		set_error_handler( // phpcs:ignore WordPress.PHP.DevelopmentFunctions.error_log_set_error_handler
			static function ( $errno, $message ) use ( &$error ) {
				$error = $message;
				return true;
			}
		);
		try {
			$records = dns_get_record( $name, $type );
		} finally {
			restore_error_handler();
		}
		if ( false === $records ) {
			$this->errors[ $key ] = '' !== $error ? preg_replace( '/^dns_get_record\(\): /', '', $error ) : 'DNS query failed';
			// resolv.conf's smallest timeout is 1 s: a failure that slow is a timeout, not a refusal.
			if ( microtime( true ) - $started >= 1.0 ) {
				$this->resolver_down = $this->errors[ $key ] . ' (the DNS resolver did not answer in time)';
			}
		}
		$this->answers[ $key ] = $records;
		return $records;
	}

	/**
	 * The TXT strings of a name, each record's strings joined (RFC 7208 3.3).
	 *
	 * @param string $name Name.
	 * @return string[]|false
	 */
	private function txt( $name ) {
		$records = $this->query( $name, DNS_TXT );
		if ( false === $records ) {
			return false;
		}
		$texts = array();
		foreach ( $records as $record ) {
			if ( isset( $record['entries'] ) && is_array( $record['entries'] ) ) {
				$texts[] = implode( '', $record['entries'] );
			} elseif ( isset( $record['txt'] ) ) {
				$texts[] = (string) $record['txt'];
			}
		}
		return $texts;
	}

	/**
	 * The A and AAAA addresses of a name.
	 *
	 * @param string $name Name.
	 * @return string[]|false
	 */
	private function addresses( $name ) {
		$ips = array();
		foreach ( array( DNS_A => 'ip', DNS_AAAA => 'ipv6' ) as $type => $field ) {
			$records = $this->query( $name, $type );
			if ( false === $records ) {
				return false;
			}
			foreach ( $records as $record ) {
				if ( isset( $record[ $field ] ) ) {
					$ips[] = (string) $record[ $field ];
				}
			}
		}
		return $ips;
	}

	/**
	 * The error text of the last failed query for a name, whatever its type.
	 *
	 * @param string $name Name.
	 * @return string
	 */
	private function error_for( $name ) {
		foreach ( $this->errors as $key => $error ) {
			if ( substr( $key, strpos( $key, ' ' ) + 1 ) === $name ) {
				return $error;
			}
		}
		return 'DNS query failed';
	}

	/**
	 * SPF: one record, within the lookup limit, and passing for the relay.
	 *
	 * @param string $domain From domain.
	 * @param string $relay  SMTP host.
	 * @return array Finding.
	 */
	private function check_spf( $domain, $relay ) {
		$records = $this->spf_records( $domain );
		if ( false === $records ) {
			return self::finding( 'spf', 'unknown', 'dns_error', array( 'name' => $domain, 'error' => $this->error_for( $domain ) ) );
		}
		$provider = self::provider( $relay );
		$data     = array(
			'domain'   => $domain,
			'relay'    => $relay,
			'provider' => $provider ? $provider[0] : '',
			'include'  => $provider ? $provider[1] : '',
		);
		if ( ! $records ) {
			return self::finding( 'spf', 'critical', 'spf_missing', $data );
		}
		if ( count( $records ) > 1 ) {
			return self::finding( 'spf', 'critical', 'spf_multiple', $data );
		}
		$data['record'] = $records[0];

		// The whole tree, as a receiver that reaches the end of the record walks it.
		$this->spf_lookups = 0;
		$includes          = array();
		$walk              = $this->spf_walk( $domain, $includes, 0 );
		$data['lookups']   = $this->spf_lookups;
		if ( 'temperror' === $walk['result'] ) {
			return self::finding( 'spf', 'unknown', 'dns_error', array( 'name' => $walk['name'], 'error' => $this->error_for( $walk['name'] ) ) );
		}
		if ( 'permerror' === $walk['result'] ) {
			$data['reason'] = $walk['reason'];
			return self::finding( 'spf', 'critical', 'too_many_lookups' === $walk['reason'] ? 'spf_too_many_lookups' : 'spf_permerror', $data );
		}

		if ( $provider ) {
			$accepted = array_merge( array( $provider[1] ), isset( self::PROVIDER_ALIASES[ $provider[1] ] ) ? self::PROVIDER_ALIASES[ $provider[1] ] : array() );
			if ( array_intersect( $accepted, $includes ) ) {
				return self::finding( 'spf', 'good', 'spf_includes_provider', $data );
			}
			return self::finding( 'spf', 'critical', 'spf_missing_provider', $data );
		}

		if ( '' === $relay ) {
			return self::finding( 'spf', 'recommended', 'spf_no_relay', $data );
		}
		$ips = filter_var( $relay, FILTER_VALIDATE_IP ) ? array( $relay ) : $this->addresses( $relay );
		if ( false === $ips ) {
			return self::finding( 'spf', 'unknown', 'dns_error', array( 'name' => $relay, 'error' => $this->error_for( $relay ) ) );
		}
		if ( ! $ips ) {
			return self::finding( 'spf', 'unknown', 'relay_unresolved', $data );
		}
		$data['ips'] = $ips;
		$missing     = array();
		foreach ( $ips as $ip ) {
			$this->spf_lookups = 0;
			$result            = $this->check_host( $ip, $domain, 0 );
			if ( 'temperror' === $result ) {
				return self::finding( 'spf', 'unknown', 'dns_error', array( 'name' => $domain, 'error' => 'DNS query failed' ) );
			}
			if ( 'permerror' === $result ) {
				$data['reason'] = 'permerror';
				return self::finding( 'spf', 'critical', $this->spf_lookups > self::SPF_LOOKUP_LIMIT ? 'spf_too_many_lookups' : 'spf_permerror', $data );
			}
			if ( 'pass' !== $result ) {
				$missing[]       = $ip;
				$data['result'] = $result;
			}
		}
		if ( $missing ) {
			$data['missing'] = $missing;
			return self::finding( 'spf', 'critical', 'spf_relay_not_covered', $data );
		}
		return self::finding( 'spf', 'good', 'spf_covers_relay', $data );
	}

	/**
	 * The "v=spf1" records of a name.
	 *
	 * @param string $domain Name.
	 * @return string[]|false
	 */
	private function spf_records( $domain ) {
		$texts = $this->txt( $domain );
		if ( false === $texts ) {
			return false;
		}
		$spf = array();
		foreach ( $texts as $text ) {
			// RFC 7208 4.5: exactly "v=spf1", then a space or the end.
			if ( preg_match( '/^v=spf1( |$)/i', $text ) ) {
				$spf[] = trim( $text );
			}
		}
		return $spf;
	}

	/**
	 * Splits an SPF record into terms: [qualifier, name, value] for mechanisms, [null, name, value]
	 * for modifiers.
	 *
	 * @param string $record The record.
	 * @return array<int, array{0: string|null, 1: string, 2: string}>|null null on a syntax error.
	 */
	private static function spf_terms( $record ) {
		$terms = array();
		foreach ( preg_split( '/ +/', trim( substr( $record, 6 ) ), -1, PREG_SPLIT_NO_EMPTY ) as $term ) {
			if ( preg_match( '/^([a-z][a-z0-9_.-]*)=(.*)$/i', $term, $m ) ) {
				$terms[] = array( null, strtolower( $m[1] ), $m[2] );
				continue;
			}
			if ( ! preg_match( '/^([+?~-]?)(all|include|a|mx|ptr|ip4|ip6|exists)(?:([:\/])(.*))?$/i', $term, $m ) ) {
				return null;
			}
			$value   = isset( $m[3] ) ? ( '/' === $m[3] ? '/' . $m[4] : $m[4] ) : '';
			$terms[] = array( '' === $m[1] ? '+' : $m[1], strtolower( $m[2] ), $value );
		}
		return $terms;
	}

	/**
	 * Counts one DNS-querying term; false once over the limit.
	 *
	 * @return bool
	 */
	private function spend_lookup() {
		++$this->spf_lookups;
		return $this->spf_lookups <= self::SPF_LOOKUP_LIMIT;
	}

	/**
	 * Walks every include: and redirect= of a record (as a receiver that reaches the end does),
	 * counting lookups and collecting the included domains.
	 *
	 * @param string   $domain   The record's name.
	 * @param string[] $includes Collected include and redirect targets.
	 * @param int      $depth    Recursion depth (loops end at the lookup limit anyway).
	 * @return array{result: string, reason?: string, name?: string} result: ok | temperror | permerror.
	 */
	private function spf_walk( $domain, array &$includes, $depth ) {
		$records = $this->spf_records( $domain );
		if ( false === $records ) {
			return array(
				'result' => 'temperror',
				'name'   => $domain,
			);
		}
		if ( 1 !== count( $records ) ) {
			return array(
				'result' => 'permerror',
				'reason' => $records ? 'multiple' : 'include_without_spf',
				'name'   => $domain,
			);
		}
		$terms = self::spf_terms( $records[0] );
		if ( null === $terms ) {
			return array(
				'result' => 'permerror',
				'reason' => 'syntax',
				'name'   => $domain,
			);
		}
		$redirect = null;
		$has_all  = false;
		foreach ( $terms as $term ) {
			list( $qualifier, $name, $value ) = $term;
			if ( null === $qualifier ) {
				if ( 'redirect' === $name ) {
					$redirect = $value;
				}
				continue;
			}
			if ( 'all' === $name ) {
				$has_all = true;
			}
			if ( in_array( $name, array( 'a', 'mx', 'ptr', 'exists', 'include' ), true ) && ! $this->spend_lookup() ) {
				return array(
					'result' => 'permerror',
					'reason' => 'too_many_lookups',
				);
			}
			if ( 'include' === $name ) {
				$target     = strtolower( rtrim( $value, '.' ) );
				$includes[] = $target;
				if ( false !== strpos( $target, '%' ) ) {
					continue; // A macro: its expansion depends on the message, so it cannot be followed here.
				}
				$sub = $this->spf_walk( $target, $includes, $depth + 1 );
				if ( 'ok' !== $sub['result'] ) {
					return $sub;
				}
			}
		}
		// RFC 7208 6.1: redirect= is ignored when the record has an "all".
		if ( null !== $redirect && ! $has_all ) {
			if ( ! $this->spend_lookup() ) {
				return array(
					'result' => 'permerror',
					'reason' => 'too_many_lookups',
				);
			}
			$target     = strtolower( rtrim( $redirect, '.' ) );
			$includes[] = $target;
			if ( false === strpos( $target, '%' ) ) {
				return $this->spf_walk( $target, $includes, $depth + 1 );
			}
		}
		return array( 'result' => 'ok' );
	}

	/**
	 * RFC 7208 check_host() for one address, without the sender-dependent parts (macros, ptr).
	 *
	 * @param string $ip     Address of the relay.
	 * @param string $domain Domain whose record is evaluated.
	 * @param int    $depth  Recursion depth.
	 * @return string pass | fail | softfail | neutral | none | temperror | permerror.
	 */
	private function check_host( $ip, $domain, $depth ) {
		$records = $this->spf_records( $domain );
		if ( false === $records ) {
			return 'temperror';
		}
		if ( ! $records ) {
			return 'none';
		}
		if ( count( $records ) > 1 ) {
			return 'permerror';
		}
		$terms = self::spf_terms( $records[0] );
		if ( null === $terms ) {
			return 'permerror';
		}
		$results  = array(
			'+' => 'pass',
			'-' => 'fail',
			'~' => 'softfail',
			'?' => 'neutral',
		);
		$redirect = null;
		foreach ( $terms as $term ) {
			list( $qualifier, $name, $value ) = $term;
			if ( null === $qualifier ) {
				if ( 'redirect' === $name ) {
					$redirect = strtolower( rtrim( $value, '.' ) );
				}
				continue;
			}
			$match = $this->spf_match( $ip, $domain, $name, $value, $depth );
			if ( is_string( $match ) ) {
				return $match; // temperror or permerror.
			}
			if ( $match ) {
				return $results[ $qualifier ];
			}
		}
		if ( null !== $redirect && false === strpos( $redirect, '%' ) ) {
			if ( ! $this->spend_lookup() ) {
				return 'permerror';
			}
			$result = $this->check_host( $ip, $redirect, $depth + 1 );
			return 'none' === $result ? 'permerror' : $result;
		}
		return 'neutral';
	}

	/**
	 * Whether one mechanism matches the address.
	 *
	 * @param string $ip     Address.
	 * @param string $domain Current domain.
	 * @param string $name   Mechanism.
	 * @param string $value  Its argument (":domain", "/cidr" already split off as "/..." or "domain/cidr").
	 * @param int    $depth  Recursion depth.
	 * @return bool|string true/false, or 'temperror' / 'permerror'.
	 */
	private function spf_match( $ip, $domain, $name, $value, $depth ) {
		switch ( $name ) {
			case 'all':
				return true;
			case 'ip4':
			case 'ip6':
				return self::in_cidr( $ip, $value );
			case 'include':
				if ( ! $this->spend_lookup() ) {
					return 'permerror';
				}
				$target = strtolower( rtrim( $value, '.' ) );
				if ( false !== strpos( $target, '%' ) ) {
					return false;
				}
				$result = $this->check_host( $ip, $target, $depth + 1 );
				if ( 'temperror' === $result || 'permerror' === $result ) {
					return $result;
				}
				return 'none' === $result ? 'permerror' : 'pass' === $result;
			case 'a':
			case 'mx':
				if ( ! $this->spend_lookup() ) {
					return 'permerror';
				}
				list( $target, $cidr4, $cidr6 ) = self::split_domain_cidr( $value, $domain );
				if ( false !== strpos( $target, '%' ) ) {
					return false;
				}
				$hosts = array( $target );
				if ( 'mx' === $name ) {
					$mx = $this->query( $target, DNS_MX );
					if ( false === $mx ) {
						return 'temperror';
					}
					$hosts = array();
					foreach ( array_slice( $mx, 0, self::SPF_MX_LIMIT ) as $record ) {
						$hosts[] = (string) $record['target'];
					}
				}
				foreach ( $hosts as $host ) {
					$ips = $this->addresses( $host );
					if ( false === $ips ) {
						return 'temperror';
					}
					foreach ( $ips as $candidate ) {
						$is_v6 = false !== strpos( $candidate, ':' );
						if ( self::in_cidr( $ip, $candidate . '/' . ( $is_v6 ? $cidr6 : $cidr4 ) ) ) {
							return true;
						}
					}
				}
				return false;
			case 'exists':
				if ( ! $this->spend_lookup() ) {
					return 'permerror';
				}
				if ( false !== strpos( $value, '%' ) ) {
					return false;
				}
				$found = $this->query( strtolower( $value ), DNS_A );
				return false === $found ? 'temperror' : (bool) $found;
			default: // ptr: deprecated (RFC 7208 5.5) and sender-dependent; counted, never matched here.
				return $this->spend_lookup() ? false : 'permerror';
		}
	}

	/**
	 * "domain/24//64", ":domain", "/24" or "" => [domain, cidr4, cidr6].
	 *
	 * @param string $value   Mechanism argument.
	 * @param string $current The domain whose record it is (the default target).
	 * @return array{0: string, 1: int, 2: int}
	 */
	private static function split_domain_cidr( $value, $current ) {
		$cidr4 = 32;
		$cidr6 = 128;
		if ( preg_match( '#^(.*?)(?:/(\d{1,2}))?(?://(\d{1,3}))?$#', $value, $m ) ) {
			$value = $m[1];
			if ( isset( $m[2] ) && '' !== $m[2] ) {
				$cidr4 = min( 32, (int) $m[2] );
			}
			if ( isset( $m[3] ) && '' !== $m[3] ) {
				$cidr6 = min( 128, (int) $m[3] );
			}
		}
		$target = '' === $value ? $current : strtolower( rtrim( $value, '.' ) );
		return array( $target, $cidr4, $cidr6 );
	}

	/**
	 * Whether an address lies in a network ("192.0.2.0/24", "2001:db8::/32", or a single address).
	 *
	 * @param string $ip   Address.
	 * @param string $cidr Network.
	 * @return bool
	 */
	public static function in_cidr( $ip, $cidr ) {
		$parts = explode( '/', $cidr, 2 );
		$net   = @inet_pton( $parts[0] ); // phpcs:ignore WordPress.PHP.NoSilencedErrors.Discouraged -- a malformed network in someone's record is a non-match.
		$addr  = @inet_pton( $ip ); // phpcs:ignore WordPress.PHP.NoSilencedErrors.Discouraged
		if ( false === $net || false === $addr || strlen( $net ) !== strlen( $addr ) ) {
			return false;
		}
		$bits = isset( $parts[1] ) && '' !== $parts[1] ? (int) $parts[1] : strlen( $net ) * 8;
		$bits = max( 0, min( $bits, strlen( $net ) * 8 ) );
		$full = intdiv( $bits, 8 );
		if ( substr( $net, 0, $full ) !== substr( $addr, 0, $full ) ) {
			return false;
		}
		$rest = $bits % 8;
		if ( 0 === $rest ) {
			return true;
		}
		$mask = ( 0xff << ( 8 - $rest ) ) & 0xff;
		return ( ord( $net[ $full ] ) & $mask ) === ( ord( $addr[ $full ] ) & $mask );
	}

	/**
	 * The tags of a DKIM or DMARC record ("k=v; k=v").
	 *
	 * @param string $record Record.
	 * @return array<string, string>
	 */
	public static function tags( $record ) {
		$tags = array();
		foreach ( explode( ';', $record ) as $pair ) {
			$eq = strpos( $pair, '=' );
			if ( false === $eq ) {
				continue;
			}
			$tags[ strtolower( trim( substr( $pair, 0, $eq ) ) ) ] = preg_replace( '/\s+/', '', substr( $pair, $eq + 1 ) );
		}
		return $tags;
	}

	/**
	 * DKIM: each selector's record is published and holds the public part of the key the plugin signs with.
	 *
	 * @param bool  $enabled Whether the plugin signs.
	 * @param array $signers List of {selector, domain, algorithm, record}.
	 * @return array<int, array> Findings.
	 */
	private function check_dkim( $enabled, array $signers ) {
		if ( ! $enabled || ! $signers ) {
			return array( self::finding( 'dkim', 'recommended', $enabled ? 'dkim_no_key' : 'dkim_off' ) );
		}
		$findings = array();
		foreach ( $signers as $signer ) {
			$name     = $signer['selector'] . '._domainkey.' . $signer['domain'];
			$expected = self::tags( (string) $signer['record'] );
			$data     = array(
				'name'      => $name,
				'selector'  => (string) $signer['selector'],
				'domain'    => (string) $signer['domain'],
				'algorithm' => (string) $signer['algorithm'],
				'record'    => (string) $signer['record'],
			);
			$texts    = $this->txt( $name );
			if ( false === $texts ) {
				$findings[] = self::finding( 'dkim', 'unknown', 'dns_error', array( 'name' => $name, 'error' => $this->error_for( $name ) ) );
				continue;
			}
			$published = null;
			foreach ( $texts as $text ) {
				$tags = self::tags( $text );
				if ( isset( $tags['p'] ) && ( ! isset( $tags['v'] ) || 'DKIM1' === $tags['v'] ) ) {
					$published = $tags;
					break;
				}
			}
			if ( null === $published ) {
				$findings[] = self::finding( 'dkim', 'critical', 'dkim_missing', $data );
			} elseif ( '' === $published['p'] ) {
				$findings[] = self::finding( 'dkim', 'critical', 'dkim_revoked', $data );
			} elseif ( ! isset( $expected['p'] ) || ! hash_equals( $expected['p'], $published['p'] ) ) {
				$findings[] = self::finding( 'dkim', 'critical', 'dkim_mismatch', $data );
			} else {
				$findings[] = self::finding( 'dkim', 'good', 'dkim_ok', $data );
			}
		}
		return $findings;
	}

	/**
	 * DMARC: a record (on the From domain or its organizational domain), its policy, and whether mail
	 * from this site can pass it: DKIM or SPF that passes and is aligned with the From domain.
	 *
	 * @param string $from     From domain.
	 * @param string $envelope MAIL FROM domain.
	 * @param array  $spf      The SPF finding.
	 * @param array  $dkim     The DKIM findings.
	 * @return array Finding.
	 */
	private function check_dmarc( $from, $envelope, array $spf, array $dkim ) {
		$org    = self::org_domain( $from );
		$record = null;
		$where  = '';
		foreach ( array_unique( array( $from, $org ) ) as $domain ) {
			$texts = $this->txt( '_dmarc.' . $domain );
			if ( false === $texts ) {
				return self::finding( 'dmarc', 'unknown', 'dns_error', array( 'name' => '_dmarc.' . $domain, 'error' => $this->error_for( '_dmarc.' . $domain ) ) );
			}
			foreach ( $texts as $text ) {
				if ( preg_match( '/^v\s*=\s*DMARC1\s*(;|$)/', $text ) ) {
					$record = $text;
					$where  = $domain;
					break 2;
				}
			}
		}
		$data = array(
			'domain' => $from,
			'name'   => '_dmarc.' . $from,
		);
		if ( null === $record ) {
			return self::finding( 'dmarc', 'critical', 'dmarc_missing', $data );
		}
		$tags           = self::tags( $record );
		$policy         = isset( $tags['p'] ) ? strtolower( $tags['p'] ) : '';
		$data['record'] = $record;
		$data['policy'] = $policy;
		$data['name']   = '_dmarc.' . $where;
		$data['adkim']  = isset( $tags['adkim'] ) && 's' === strtolower( $tags['adkim'] ) ? 's' : 'r';
		$data['aspf']   = isset( $tags['aspf'] ) && 's' === strtolower( $tags['aspf'] ) ? 's' : 'r';
		if ( ! in_array( $policy, array( 'none', 'quarantine', 'reject' ), true ) ) {
			return self::finding( 'dmarc', 'critical', 'dmarc_invalid', $data );
		}

		$aligned = function ( $domain, $mode ) use ( $from ) {
			return 's' === $mode ? $domain === $from : self::org_domain( $domain ) === self::org_domain( $from );
		};
		$dkim_aligned = false;
		$dkim_domains = array();
		foreach ( $dkim as $finding ) {
			if ( isset( $finding['data']['domain'] ) ) {
				$dkim_domains[] = $finding['data']['domain'];
				if ( 'good' === $finding['status'] && $aligned( $finding['data']['domain'], $data['adkim'] ) ) {
					$dkim_aligned = true;
				}
			}
		}
		$spf_aligned              = 'good' === $spf['status'] && $aligned( $envelope, $data['aspf'] );
		$data['dkim_domains']     = array_values( array_unique( $dkim_domains ) );
		$data['envelope']         = $envelope;
		$data['dkim_aligned']     = $dkim_aligned;
		$data['spf_aligned']      = $spf_aligned;
		$data['dkim_misaligned']  = false;
		foreach ( $data['dkim_domains'] as $domain ) {
			if ( ! $aligned( $domain, $data['adkim'] ) ) {
				$data['dkim_misaligned'] = true;
			}
		}
		$data['spf_misaligned'] = ! $aligned( $envelope, $data['aspf'] );

		if ( ! $dkim_aligned && ! $spf_aligned ) {
			return self::finding( 'dmarc', 'critical', 'dmarc_not_aligned', $data );
		}
		if ( 'none' === $policy ) {
			return self::finding( 'dmarc', 'recommended', 'dmarc_policy_none', $data );
		}
		return self::finding( 'dmarc', 'good', 'dmarc_ok', $data );
	}

	/**
	 * MX: the From domain takes replies and bounces (and receivers check it exists).
	 *
	 * @param string $domain From domain.
	 * @return array Finding.
	 */
	private function check_mx( $domain ) {
		$records = $this->query( $domain, DNS_MX );
		if ( false === $records ) {
			return self::finding( 'mx', 'unknown', 'dns_error', array( 'name' => $domain, 'error' => $this->error_for( $domain ) ) );
		}
		$hosts = array();
		foreach ( $records as $record ) {
			$hosts[] = rtrim( (string) $record['target'], '.' );
		}
		$data = array(
			'domain' => $domain,
			'hosts'  => $hosts,
		);
		if ( ! $hosts ) {
			return self::finding( 'mx', 'critical', 'mx_missing', $data );
		}
		if ( array( '' ) === $hosts ) {
			return self::finding( 'mx', 'critical', 'mx_null', $data ); // RFC 7505 "0 .": the domain takes no mail.
		}
		return self::finding( 'mx', 'good', 'mx_ok', $data );
	}
}

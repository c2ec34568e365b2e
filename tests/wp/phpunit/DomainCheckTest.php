<?php
/**
 * The domain check against a real DNS server: dnsmasq serves test zones on 127.0.0.1:53 inside a
 * network namespace of its own, and the check runs in a PHP process inside the same namespace,
 * where `ip netns exec` bind-mounts /etc/netns/<name>/resolv.conf over /etc/resolv.conf. So PHP's
 * dns_get_record() reaches the server through the ordinary system resolver; the plugin has no
 * test-only path. MariaDB is reached over its unix socket, which a network namespace does not hide.
 *
 * Zones: good.test (SPF covering the relay through an include, DKIM matching the key, DMARC
 * p=reject strict DKIM alignment, MX), broken.test (SPF needing 11 lookups, DKIM record of another
 * key, no DMARC, no MX), norelay.test (SPF without the relay, DMARC that nothing aligns with).
 */

defined( 'ABSPATH' ) || exit;

final class DomainCheckTest extends NativeSmtpTestCase {

	/** @var string|null network namespace name */
	private static $netns = null;

	/** @var resource|null dnsmasq */
	private static $dns = null;

	/** @var string why the DNS rig could not start ('' when it runs) */
	private static $rig_error = '';

	/** @var array{good: array, other: array} DKIM key pairs made by the extension */
	private static $keys = array();

	/** @var string */
	private static $dir = '';

	/** @var mixed the DKIM keys option before the test */
	private $saved_keys;

	public static function setUpBeforeClass(): void {
		if ( ! class_exists( 'Smtp\Dkim' ) ) {
			self::$rig_error = 'the smtp extension is not loaded';
			return;
		}
		if ( 0 !== posix_geteuid() ) {
			self::$rig_error = 'network namespaces need root';
			return;
		}
		foreach ( array( '/usr/sbin/ip', '/usr/sbin/dnsmasq' ) as $tool ) {
			if ( ! is_executable( $tool ) ) {
				self::$rig_error = $tool . ' is missing: scripts/deps.sh wp installs it';
				return;
			}
		}
		self::$keys = array(
			'good'  => Smtp\Dkim::generateKey( 'rsa-sha256', 2048 ),
			'other' => Smtp\Dkim::generateKey( 'rsa-sha256', 2048 ),
		);
		self::$netns = 'nsmtp-dc' . getmypid();
		self::$dir   = sys_get_temp_dir() . '/' . self::$netns;
		@mkdir( self::$dir, 0700, true );
		self::sh( array( 'ip', 'netns', 'add', self::$netns ) );
		self::sh( array( 'ip', 'netns', 'exec', self::$netns, 'ip', 'link', 'set', 'lo', 'up' ) );
		@mkdir( '/etc/netns/' . self::$netns, 0755, true );
		// One try of one second: a lookup the server cannot answer fails fast instead of taking 10 s.
		file_put_contents( '/etc/netns/' . self::$netns . '/resolv.conf', "nameserver 127.0.0.1\noptions timeout:1 attempts:1\n" );

		file_put_contents( self::$dir . '/dnsmasq.conf', self::zones() );
		self::$dns = proc_open(
			array(
				'ip', 'netns', 'exec', self::$netns, '/usr/sbin/dnsmasq', '--keep-in-foreground', '--conf-file=' . self::$dir . '/dnsmasq.conf',
				'--no-resolv', '--no-hosts', '--no-poll', '--port=53', '--listen-address=127.0.0.1', '--bind-interfaces',
				'--user=root', '--group=root', '--pid-file=', '--log-queries', '--log-facility=' . self::$dir . '/dnsmasq.log',
			),
			array( array( 'file', '/dev/null', 'r' ), array( 'file', self::$dir . '/dnsmasq.out', 'w' ), array( 'file', self::$dir . '/dnsmasq.out', 'a' ) ),
			$pipes
		);
		// Ready when the server answers (through the namespace's resolv.conf, like the check).
		$deadline = microtime( true ) + 10;
		do {
			usleep( 100000 );
			$out = self::sh( array( 'ip', 'netns', 'exec', self::$netns, PHP_BINARY, '-r', 'echo json_encode(@dns_get_record("good.test", DNS_MX));' ), false );
		} while ( false === strpos( $out, 'mx.good.test' ) && microtime( true ) < $deadline );
		if ( false === strpos( $out, 'mx.good.test' ) ) {
			self::$rig_error = 'dnsmasq did not answer: ' . $out . ' ' . @file_get_contents( self::$dir . '/dnsmasq.out' );
		}
	}

	public static function tearDownAfterClass(): void {
		if ( is_resource( self::$dns ) ) {
			proc_terminate( self::$dns );
			proc_close( self::$dns );
		}
		if ( null !== self::$netns ) {
			self::sh( array( 'ip', 'netns', 'del', self::$netns ), false );
			@unlink( '/etc/netns/' . self::$netns . '/resolv.conf' );
			@rmdir( '/etc/netns/' . self::$netns );
			@rmdir( '/etc/netns' ); // Only when empty: other namespaces' files stay.
			foreach ( glob( self::$dir . '/*' ) ?: array() as $file ) {
				@unlink( $file );
			}
			@rmdir( self::$dir );
		}
		foreach ( self::$keys as $pair ) {
			sodium_memzero( $pair['private_key'] );
		}
	}

	/** Runs a command; throws on failure when $check. */
	private static function sh( array $argv, bool $check = true ): string {
		$proc = proc_open( $argv, array( array( 'file', '/dev/null', 'r' ), array( 'pipe', 'w' ), array( 'pipe', 'w' ) ), $pipes );
		$out  = stream_get_contents( $pipes[1] ) . stream_get_contents( $pipes[2] );
		fclose( $pipes[1] );
		fclose( $pipes[2] );
		$rc = proc_close( $proc );
		if ( $check && 0 !== $rc ) {
			throw new RuntimeException( implode( ' ', $argv ) . " failed ($rc): $out" );
		}
		return $out;
	}

	/** A TXT value as dnsmasq strings of at most 255 bytes (RFC 1035 character-strings). */
	private static function txt( string $name, string $value ): string {
		$parts = array();
		foreach ( str_split( $value, 255 ) as $chunk ) {
			$parts[] = '"' . $chunk . '"';
		}
		return 'txt-record=' . $name . ',' . implode( ',', $parts ) . "\n";
	}

	/** The zones, as dnsmasq configuration. */
	private static function zones(): string {
		$c  = "local=/test/\n"; // Authoritative for .test: unknown names are NXDOMAIN, never forwarded.
		$c .= "host-record=relay.good.test,192.0.2.25,2001:db8::25\n";
		$c .= "host-record=mx.good.test,192.0.2.30\n";
		// good.test.
		$c .= self::txt( 'good.test', 'v=spf1 mx include:_spf.good.test -all' );
		$c .= self::txt( '_spf.good.test', 'v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 -all' );
		$c .= self::txt( 's1._domainkey.good.test', self::$keys['good']['dns_record'] );
		$c .= self::txt( '_dmarc.good.test', 'v=DMARC1; p=reject; adkim=s; aspf=r; rua=mailto:dmarc@good.test' );
		$c .= "mx-host=good.test,mx.good.test,10\n";
		// broken.test: the relay is in the SPF tree, but only at the 11th lookup.
		$c .= self::txt( 'broken.test', 'v=spf1 include:c1.broken.test -all' );
		for ( $i = 1; $i <= 10; $i++ ) {
			$c .= self::txt( "c$i.broken.test", $i < 10 ? 'v=spf1 include:c' . ( $i + 1 ) . '.broken.test -all' : 'v=spf1 a:relay.good.test -all' );
		}
		$c .= self::txt( 's1._domainkey.broken.test', self::$keys['other']['dns_record'] );
		// norelay.test.
		$c .= self::txt( 'norelay.test', 'v=spf1 ip4:198.51.100.0/24 ~all' );
		$c .= self::txt( '_dmarc.norelay.test', 'v=DMARC1; p=quarantine; adkim=s' );
		$c .= "mx-host=norelay.test,mx.good.test,10\n";
		// slow.test goes to a server that never answers: the resolver times out (1 s here).
		$c .= "server=/slow.test/127.0.0.1#9\n";
		return $c;
	}

	protected function setUp(): void {
		parent::setUp();
		$this->saved_keys = get_option( Native_SMTP_Dkim::KEYS_OPTION, null );
		if ( '' !== self::$rig_error ) {
			$this->fail( 'DNS test rig: ' . self::$rig_error );
		}
	}

	protected function tearDown(): void {
		if ( null === $this->saved_keys ) {
			delete_option( Native_SMTP_Dkim::KEYS_OPTION );
		} else {
			update_option( Native_SMTP_Dkim::KEYS_OPTION, $this->saved_keys, false );
		}
		parent::tearDown();
	}

	/** Settings for a From domain, a relay and a DKIM domain, with the "good" key stored as generated. */
	private function configure( string $from_domain, string $host, string $dkim_domain ): void {
		update_option(
			'native_smtp_options',
			array_merge(
				Native_SMTP_Options::defaults(),
				array(
					'from_email'     => 'site@' . $from_domain,
					'host'           => $host,
					'dkim_enabled'   => true,
					'dkim_domain'    => $dkim_domain,
					'dkim_selector'  => 's1',
					'dkim_algorithm' => 'rsa-sha256',
				)
			)
		);
		update_option(
			Native_SMTP_Dkim::KEYS_OPTION,
			array(
				'rsa-sha256' => array(
					'key'           => Native_SMTP_Options::encrypt( self::$keys['good']['private_key'] ),
					'record'        => self::$keys['good']['dns_record'],
					'domain'        => $dkim_domain,
					'base_selector' => 's1',
					'created'       => time(),
				),
			),
			false
		);
	}

	/** The check, run in a PHP process inside the namespace; findings keyed "check:code". */
	private function runInNamespace( string $artefact ): array {
		$out  = self::sh( array( 'ip', 'netns', 'exec', self::$netns, getenv( 'WP_PHP' ) ?: PHP_BINARY, dirname( __DIR__ ) . '/dns/domain-check-run.php' ), false );
		$data = json_decode( $out, true );
		$this->assertIsArray( $data, 'the check process printed: ' . $out );
		$this->assertStringContainsString( 'nameserver 127.0.0.1', $data['resolv_conf'], 'the process saw the namespace\'s resolv.conf' );
		$dir = dirname( __DIR__, 3 ) . '/artifacts/wp';
		if ( is_dir( $dir ) ) {
			file_put_contents( "$dir/domain-check-$artefact.html", '<!DOCTYPE html><meta charset="utf-8"><link rel="stylesheet" href="' . esc_url( includes_url( 'css/dashicons.css' ) ) . '"><body style="font:14px sans-serif;margin:1em"><h2>' . esc_html( $data['health']['label'] ) . '</h2>' . $data['html'] . '</body>' );
		}
		$data['by_code'] = array();
		foreach ( $data['run']['findings'] as $finding ) {
			$data['by_code'][ $finding['check'] . ':' . $finding['code'] ] = $finding;
		}
		return $data;
	}

	public function testGoodZonePassesEveryCheck(): void {
		$this->configure( 'good.test', 'relay.good.test', 'good.test' );
		$data = $this->runInNamespace( 'good' );
		$by   = $data['by_code'];
		$this->assertSame( array( 'spf:spf_covers_relay', 'dkim:dkim_ok', 'dmarc:dmarc_ok', 'mx:mx_ok' ), array_keys( $by ), wp_json_encode( $data['run'] ) );
		$this->assertSame( array( '192.0.2.25', '2001:db8::25' ), $by['spf:spf_covers_relay']['data']['ips'] );
		$this->assertSame( 2, $by['spf:spf_covers_relay']['data']['lookups'], 'mx + include' );
		$this->assertSame( 's1._domainkey.good.test', $by['dkim:dkim_ok']['data']['name'] );
		$this->assertSame( 'reject', $by['dmarc:dmarc_ok']['data']['policy'] );
		$this->assertSame( 's', $by['dmarc:dmarc_ok']['data']['adkim'] );
		$this->assertTrue( $by['dmarc:dmarc_ok']['data']['dkim_aligned'] );
		$this->assertTrue( $by['dmarc:dmarc_ok']['data']['spf_aligned'] );
		$this->assertSame( array( 'mx.good.test' ), $by['mx:mx_ok']['data']['hosts'] );
		$this->assertSame( 'good', $data['health']['status'] );
		$this->assertStringContainsString( 'good.test is set up for your SMTP server', $data['health']['label'] );
		$this->assertStringContainsString( 'data-status="good" data-code="dkim_ok"', $data['html'] );
		// Send Test's section shows the same results (from the cache) and the Check domain button.
		$this->assertStringContainsString( '<h2 id="native-smtp-domain-check-title">Domain check</h2>', $data['section'] );
		$this->assertStringContainsString( 'data-code="spf_covers_relay"', $data['section'] );
		$this->assertStringContainsString( 'id="native-smtp-check-domain"', $data['section'] );
		$this->assertStringContainsString( 'name="_wpnonce"', $data['section'] );
	}

	public function testBrokenZoneReportsEachProblemWithItsFix(): void {
		$this->configure( 'broken.test', 'relay.good.test', 'broken.test' );
		$data = $this->runInNamespace( 'broken' );
		$by   = $data['by_code'];
		$this->assertSame( array( 'spf:spf_too_many_lookups', 'dkim:dkim_mismatch', 'dmarc:dmarc_missing', 'mx:mx_missing' ), array_keys( $by ), wp_json_encode( $data['run'] ) );
		foreach ( $by as $finding ) {
			$this->assertSame( 'critical', $finding['status'] );
		}
		$this->assertSame( 11, $by['spf:spf_too_many_lookups']['data']['lookups'] );
		$this->assertSame( 'critical', $data['health']['status'] );
		$html = html_entity_decode( $data['html'], ENT_QUOTES );
		$this->assertStringContainsString( 'needs more than 10 DNS lookups', $html );
		$this->assertStringContainsString( 'Replace the TXT record at s1._domainkey.broken.test', $html );
		$this->assertStringContainsString( 'Publish a TXT record at _dmarc.broken.test: v=DMARC1; p=none', $html );
		$this->assertStringContainsString( 'broken.test has no MX record', $html );
	}

	public function testSpfWithoutTheRelayAndDmarcWithoutAlignment(): void {
		// DKIM signs as good.test (valid) but From is norelay.test with adkim=s; SPF misses the relay.
		$this->configure( 'norelay.test', 'relay.good.test', 'good.test' );
		$data = $this->runInNamespace( 'norelay' );
		$by   = $data['by_code'];
		$this->assertSame( array( 'spf:spf_relay_not_covered', 'dkim:dkim_ok', 'dmarc:dmarc_not_aligned', 'mx:mx_ok' ), array_keys( $by ), wp_json_encode( $data['run'] ) );
		$this->assertSame( 'softfail', $by['spf:spf_relay_not_covered']['data']['result'] );
		$html = html_entity_decode( $data['html'], ENT_QUOTES );
		$this->assertStringContainsString( 'Add ip4:192.0.2.25 ip6:2001:db8::25 to your SPF record', $html );
		$this->assertStringContainsString( 'the DKIM domain is good.test, the From domain norelay.test', $html );
	}

	public function testKnownRelayNeedsItsProvidersInclude(): void {
		$this->configure( 'good.test', 'smtp.gmail.com', 'good.test' );
		$data = $this->runInNamespace( 'gmail' );
		$this->assertArrayHasKey( 'spf:spf_missing_provider', $data['by_code'], wp_json_encode( $data['run'] ) );
		$this->assertStringContainsString( 'Add include:_spf.google.com to your SPF record.', html_entity_decode( $data['html'], ENT_QUOTES ) );
	}

	public function testDnsFailureIsAWarningNotAProblem(): void {
		// unserved.example is not served and dnsmasq has no upstream: it refuses, the resolver fails.
		$this->configure( 'unserved.example', 'relay.good.test', 'unserved.example' );
		$data = $this->runInNamespace( 'dns-failure' );
		$spf  = $data['run']['findings'][0];
		$this->assertSame( array( 'spf', 'unknown', 'dns_error' ), array( $spf['check'], $spf['status'], $spf['code'] ), wp_json_encode( $data['run'] ) );
		$this->assertSame( 'recommended', $data['health']['status'] );
		$this->assertStringContainsString( 'Sending is not affected', html_entity_decode( $data['html'], ENT_QUOTES ) );
	}

	public function testAResolverThatDoesNotAnswerCostsOneTimeoutNotOnePerLookup(): void {
		$this->configure( 'slow.test', 'relay.good.test', 'slow.test' );
		$data = $this->runInNamespace( 'timeout' );
		foreach ( $data['run']['findings'] as $finding ) {
			$this->assertSame( array( 'unknown', 'dns_error' ), array( $finding['status'], $finding['code'] ), wp_json_encode( $data['run'] ) );
		}
		$this->assertCount( 4, $data['run']['findings'] );
		$this->assertStringContainsString( 'did not answer in time', html_entity_decode( $data['html'], ENT_QUOTES ) );
		// One 1 s timeout, then the other lookups (DKIM, DMARC, MX) fail at once instead of 1 s each.
		$this->assertGreaterThanOrEqual( 1.0, $data['elapsed'] );
		$this->assertLessThan( 2.5, $data['elapsed'] );
		$this->assertSame( 'recommended', $data['health']['status'] );
	}

	public function testSiteHealthRunsItAsynchronouslyOverRestForThoseAllowed(): void {
		$tests = apply_filters( 'site_status_tests', array( 'direct' => array(), 'async' => array() ) );
		$this->assertArrayHasKey( 'native_smtp_domain', $tests['async'], 'an async test: its DNS lookups never hold up the page' );
		$this->assertArrayNotHasKey( 'native_smtp_domain', $tests['direct'] );
		$test = $tests['async']['native_smtp_domain'];
		$this->assertTrue( $test['has_rest'] );
		$this->assertSame( rest_url( 'native-smtp/v1/domain-check' ), $test['test'] );
		$this->assertIsCallable( $test['async_direct_test'] );

		// A result in the cache is served without any DNS lookup (this process has no test DNS).
		$this->configure( 'good.test', 'relay.good.test', 'good.test' );
		$key    = Native_SMTP_Domain_Check::cache_key( Native_SMTP_Domain_Check::input() );
		$cached = array(
			'time'     => time(),
			'input'    => array( 'from_domain' => 'good.test', 'relay_host' => 'relay.good.test' ),
			'findings' => array( array( 'check' => 'mx', 'status' => 'critical', 'code' => 'mx_missing', 'data' => array( 'domain' => 'good.test', 'hosts' => array() ) ) ),
		);
		set_transient( $key, $cached, 60 );
		try {
			do_action( 'rest_api_init' );
			wp_set_current_user( 0 );
			$this->assertSame( 401, rest_do_request( new WP_REST_Request( 'GET', '/native-smtp/v1/domain-check' ) )->get_status() );
			$subscriber = wp_insert_user( array( 'user_login' => 'dc-sub-' . wp_generate_password( 6, false ), 'user_pass' => wp_generate_password(), 'role' => 'subscriber' ) );
			wp_set_current_user( $subscriber );
			$this->assertSame( 403, rest_do_request( new WP_REST_Request( 'GET', '/native-smtp/v1/domain-check' ) )->get_status() );
			$admins = get_users( array( 'role' => 'administrator', 'number' => 1, 'fields' => 'ID' ) );
			wp_set_current_user( (int) $admins[0] );
			$response = rest_do_request( new WP_REST_Request( 'GET', '/native-smtp/v1/domain-check' ) );
			$this->assertSame( 200, $response->get_status() );
			$body = $response->get_data();
			$this->assertSame( 'critical', $body['status'] );
			$this->assertSame( 'native_smtp_domain', $body['test'] );
			$this->assertStringContainsString( 'good.test has no MX record', html_entity_decode( $body['description'], ENT_QUOTES ) );
		} finally {
			delete_transient( $key );
			wp_set_current_user( 0 );
			if ( ! empty( $subscriber ) && ! is_wp_error( $subscriber ) ) {
				require_once ABSPATH . 'wp-admin/includes/user.php';
				wp_delete_user( $subscriber );
			}
		}
	}

	/**
	 * A person's path in Chromium: Send Test -> Check domain, then Site Health. WordPress is served
	 * by a second php -S inside the namespace, on the same port as the rig's (a namespace has its own
	 * loopback), so the site's URLs and login work unchanged; Chromium runs in the namespace as well.
	 */
	public function testInChromium(): void {
		$port   = (string) wp_parse_url( getenv( 'WP_URL' ), PHP_URL_PORT );
		$server = proc_open(
			// setsid: php -S forks workers; the whole group is stopped at the end.
			array( 'setsid', 'ip', 'netns', 'exec', self::$netns, getenv( 'WP_PHP' ), '-S', '127.0.0.1:' . $port, '-t', getenv( 'WP_ROOT' ), dirname( __DIR__ ) . '/rig/router.php' ),
			array( array( 'file', '/dev/null', 'r' ), array( 'file', self::$dir . '/php-server.log', 'a' ), array( 'file', self::$dir . '/php-server.log', 'a' ) ),
			$pipes,
			null,
			array_merge( getenv(), array( 'PHP_CLI_SERVER_WORKERS' => '4' ) )
		);
		$pid = proc_get_status( $server )['pid'];
		try {
			$deadline = microtime( true ) + 10;
			do {
				usleep( 100000 );
				$code = self::sh( array( 'ip', 'netns', 'exec', self::$netns, 'curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', getenv( 'WP_URL' ) . '/wp-login.php' ), false );
			} while ( '200' !== $code && microtime( true ) < $deadline );
			$this->assertSame( '200', $code, 'WordPress inside the namespace: ' . @file_get_contents( self::$dir . '/php-server.log' ) );

			$runs = array(
				array( 'good', 'spf:good,dkim:good,dmarc:good,mx:good', 'The email domain good.test is set up for your SMTP server' ),
				array( 'broken', 'spf:critical,dkim:critical,dmarc:critical,mx:critical', 'The email domain broken.test is not set up for your SMTP server: mail may land in spam' ),
			);
			foreach ( $runs as $run ) {
				$this->configure( $run[0] . '.test', 'relay.good.test', $run[0] . '.test' );
				$out = self::sh( array( 'ip', 'netns', 'exec', self::$netns, 'node', dirname( __DIR__ ) . '/e2e/domain-check.e2e.js', $run[0], $run[1], $run[2] ), false );
				$this->assertMatchesRegularExpression( '/^e2e: [1-9]\d* passed, 0 failed$/m', $out, $out );
			}
		} finally {
			posix_kill( -$pid, SIGTERM );
			proc_close( $server );
		}
	}
}

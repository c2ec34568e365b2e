<?php
/**
 * The queue's deny files under a real Apache (Debian's apache2, which the wordpress package
 * brings): with AllowOverride All, the .htaccess the plugin writes at every level of the queue
 * keeps a probe file from being served while the same file beside it, without guards, is served;
 * with AllowOverride None (or under nginx, or php -S) .htaccess is ignored, which is why the
 * queue lives outside the document root when it can and Site Health probes over HTTP.
 *
 * @group apache
 */

defined( 'ABSPATH' ) || exit;

final class ApacheTest extends NativeSmtpTestCase {

	/** @var string */
	private $root = '';

	/** @var resource|null */
	private $apache = null;

	/** @var int */
	private $port = 0;

	protected function tearDown(): void {
		if ( is_resource( $this->apache ) ) {
			$status = proc_get_status( $this->apache );
			posix_kill( $status['pid'], SIGTERM ); // Our own apache2 -DFOREGROUND, by its pid.
			proc_close( $this->apache );
		}
		if ( '' !== $this->root ) {
			Native_SMTP_Queue::remove_dir( $this->root . '/htdocs/native-smtp-spool-probe' );
			foreach ( array( 'htdocs/open/probe.txt', 'httpd.conf', 'error.log', 'apache.pid' ) as $file ) {
				@unlink( $this->root . '/' . $file );
			}
			@rmdir( $this->root . '/htdocs/open' );
			@rmdir( $this->root . '/htdocs' );
			@rmdir( $this->root );
		}
		parent::tearDown();
	}

	/** Starts apache2 in the foreground on a free loopback port, serving $root/htdocs. */
	private function startApache( string $allow_override ): void {
		$probe      = stream_socket_server( 'tcp://127.0.0.1:0' );
		$this->port = (int) substr( strrchr( stream_socket_get_name( $probe, false ), ':' ), 1 );
		fclose( $probe );
		$modules = '/usr/lib/apache2/modules';
		$user    = 0 === posix_geteuid() ? "User www-data\nGroup www-data\n" : '';
		file_put_contents(
			$this->root . '/httpd.conf',
			"ServerRoot {$this->root}\nServerName 127.0.0.1\nListen 127.0.0.1:{$this->port}\nPidFile {$this->root}/apache.pid\n"
			. "ErrorLog {$this->root}/error.log\n{$user}"
			. "LoadModule mpm_prefork_module {$modules}/mod_mpm_prefork.so\nLoadModule authz_core_module {$modules}/mod_authz_core.so\n"
			. "LoadModule mime_module {$modules}/mod_mime.so\nTypesConfig /etc/mime.types\n"
			. "DocumentRoot {$this->root}/htdocs\n<Directory {$this->root}/htdocs>\n\tAllowOverride {$allow_override}\n\tRequire all granted\n</Directory>\n"
		);
		// A session of its own: on SIGTERM prefork signals its whole process group, PHPUnit included.
		$this->apache = proc_open( array( '/usr/bin/setsid', '/usr/sbin/apache2', '-f', $this->root . '/httpd.conf', '-DFOREGROUND' ), array( array( 'file', '/dev/null', 'r' ), array( 'file', '/dev/null', 'w' ), array( 'file', $this->root . '/error.log', 'a' ) ), $pipes );
		$this->assertIsResource( $this->apache );
		$deadline = microtime( true ) + 10;
		do {
			$socket = @fsockopen( '127.0.0.1', $this->port, $errno, $errstr, 0.2 );
			if ( $socket ) {
				fclose( $socket );
				return;
			}
			usleep( 100000 );
		} while ( microtime( true ) < $deadline );
		$this->fail( 'apache2 did not start: ' . file_get_contents( $this->root . '/error.log' ) );
	}

	private function get( string $path ): array {
		$response = wp_remote_get( 'http://127.0.0.1:' . $this->port . $path, array( 'timeout' => 5 ) );
		$this->assertNotWPError( $response );
		return array( (int) wp_remote_retrieve_response_code( $response ), (string) wp_remote_retrieve_body( $response ) );
	}

	private function assertNotWPError( $thing ): void {
		$this->assertFalse( is_wp_error( $thing ), is_wp_error( $thing ) ? $thing->get_error_message() : '' );
	}

	public function test_apache_honours_the_queue_deny_files_and_serves_the_same_file_without_them(): void {
		$this->assertFileExists( '/usr/sbin/apache2', 'scripts/deps.sh wp installs apache2' );
		$this->root = sys_get_temp_dir() . '/native-smtp-apache-' . bin2hex( random_bytes( 4 ) );
		mkdir( $this->root . '/htdocs/open', 0755, true );
		chmod( $this->root, 0755 );
		chmod( $this->root . '/htdocs', 0755 );
		// The queue the plugin makes under uploads/, here readable by Apache's user so that only the
		// deny files can stop it (the real one is 0700 and owned by PHP's user).
		$queue = $this->root . '/htdocs/native-smtp-spool-probe';
		foreach ( array( $queue, $queue . '/queue' ) as $level ) {
			mkdir( $level, 0755, true );
			foreach ( Native_SMTP_Queue::guard_files() as $name => $content ) {
				file_put_contents( $level . '/' . $name, $content );
			}
		}
		$token = 'probe-' . bin2hex( random_bytes( 8 ) );
		file_put_contents( $queue . '/queue/probe.txt', $token );
		file_put_contents( $this->root . '/htdocs/open/probe.txt', $token );
		chmod( $queue . '/queue/probe.txt', 0644 );
		chmod( $this->root . '/htdocs/open/probe.txt', 0644 );

		$this->startApache( 'All' );
		list( $code, $body ) = $this->get( '/open/probe.txt' );
		$this->assertSame( array( 200, $token ), array( $code, $body ), 'the same file without guards is served' );
		list( $code, $body ) = $this->get( '/native-smtp-spool-probe/queue/probe.txt' );
		$this->assertSame( 403, $code, 'the .htaccess in the queue denies it' );
		$this->assertStringNotContainsString( $token, $body );
		list( $code ) = $this->get( '/native-smtp-spool-probe/' );
		$this->assertSame( 403, $code, 'the queue folder is not listed either' );
	}
}

<?php
/**
 * Router for `php -S`: what Apache's mod_dir and WordPress's .htaccess would do.
 * - a directory without its trailing slash gets a 301 to "dir/" (wp-admin's relative links need it);
 * - dotfiles (.htaccess, .git) are 404;
 * - an existing file is served by the built-in server itself (PHP runs, the rest is static);
 * - anything else goes to index.php, WordPress's front controller (pretty permalinks, /wp-json/).
 *
 * Not a WordPress file: `defined('ABSPATH')` does not apply, php -S runs it before WordPress loads.
 */

$docroot = rtrim( $_SERVER['DOCUMENT_ROOT'], '/' );
$path    = rawurldecode( (string) parse_url( $_SERVER['REQUEST_URI'], PHP_URL_PATH ) );
$query   = (string) parse_url( $_SERVER['REQUEST_URI'], PHP_URL_QUERY );

if ( preg_match( '#(^|/)\.#', $path ) ) {
	http_response_code( 404 );
	echo "Not Found\n";
	return true;
}

$target = $docroot . $path;

// Subdirectory multisite: /site2/wp-admin/..., /site2/wp-includes/... and /site2/*.php are the
// main tree's files (WordPress's .htaccess rule for such networks); the request keeps its URI so
// WordPress knows the site.
if ( ! file_exists( $target ) && preg_match( '#^/[_0-9a-zA-Z-]+(/(?:wp-(?:content|admin|includes).*|[^/]*\.php))$#', $path, $m ) && file_exists( $docroot . $m[1] ) ) {
	$inner = $m[1];
	$file  = $docroot . $inner;
	if ( is_dir( $file ) ) {
		if ( '/' !== substr( $path, -1 ) ) {
			header( 'Location: ' . $path . '/' . ( '' !== $query ? '?' . $query : '' ), true, 301 );
			return true;
		}
		$inner .= 'index.php';
		$file   = $docroot . $inner;
	}
	if ( '.php' === substr( $file, -4 ) ) {
		$_SERVER['SCRIPT_NAME']     = $inner;
		$_SERVER['SCRIPT_FILENAME'] = $file;
		$_SERVER['PHP_SELF']        = $inner;
		chdir( dirname( $file ) );
		require $file;
		return true;
	}
	$types = array(
		'css'   => 'text/css',
		'js'    => 'application/javascript',
		'svg'   => 'image/svg+xml',
		'png'   => 'image/png',
		'gif'   => 'image/gif',
		'jpg'   => 'image/jpeg',
		'woff'  => 'font/woff',
		'woff2' => 'font/woff2',
		'ttf'   => 'font/ttf',
		'json'  => 'application/json',
	);
	$ext = strtolower( pathinfo( $file, PATHINFO_EXTENSION ) );
	header( 'Content-Type: ' . ( $types[ $ext ] ?? 'application/octet-stream' ) );
	header( 'Content-Length: ' . filesize( $file ) );
	readfile( $file );
	return true;
}

if ( is_dir( $target ) && '/' !== substr( $path, -1 ) ) {
	header( 'Location: ' . $path . '/' . ( '' !== $query ? '?' . $query : '' ), true, 301 );
	return true;
}
if ( is_file( $target ) || ( is_dir( $target ) && ( is_file( $target . 'index.php' ) || is_file( $target . 'index.html' ) ) ) ) {
	return false;
}

$_SERVER['SCRIPT_NAME']     = '/index.php';
$_SERVER['SCRIPT_FILENAME'] = $docroot . '/index.php';
$_SERVER['PHP_SELF']        = '/index.php';
chdir( $docroot );
require $docroot . '/index.php';

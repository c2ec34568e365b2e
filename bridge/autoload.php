<?php
/*
 * For applications without Composer: require this file, and the classes under src/ load on
 * first use (PSR-4, namespace NativeSmtp\). Nothing loads until a class is used, so a bridge
 * whose host library (Symfony Mailer, PHPMailer, Laravel) is absent costs nothing.
 */
spl_autoload_register(static function (string $class): void {
	if (strncmp($class, 'NativeSmtp\\', 11) !== 0) {
		return;
	}
	$file = __DIR__ . '/src/' . str_replace('\\', '/', substr($class, 11)) . '.php';
	if (is_file($file)) {
		require $file;
	}
});

<?php

declare(strict_types=1);

namespace NativeSmtp\Laravel;

use Illuminate\Support\ServiceProvider;
use NativeSmtp\Symfony\NativeSmtpTransportFactory;

/**
 * Registers the "native-smtp" mail transport (found by Laravel's package auto-discovery
 * through composer.json's extra.laravel.providers). It is the Symfony transport underneath:
 * Laravel's mailer is built on Symfony Mailer.
 */
final class NativeSmtpServiceProvider extends ServiceProvider
{
	public function boot(): void
	{
		$this->app->make('mail.manager')->extend('native-smtp', static function (array $config) {
			return (new NativeSmtpTransportFactory())->create(LaravelConfig::toDsn($config));
		});
	}
}

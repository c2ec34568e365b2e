--TEST--
Symfony Messenger 5.4 (Debian 12) with the Symfony transport: a message whose every recipient was refused for good (5xx), or that went to some recipients and was refused for others, is not retried by a worker; a temporary refusal (4xx) is retried as the retry strategy says
--EXTENSIONS--
smtp
--SKIPIF--
<?php
if (!is_file('/usr/share/php/Symfony/Component/Messenger/autoload.php')) die('skip php-symfony-messenger is not installed (scripts/deps.sh core)');
/* LeakSanitizer finds a few KB that Messenger's worker leaves at exit whatever sends (a handler
 * that throws a plain Symfony exception, no smtp call, leaks as much); the bridge's exceptions
 * run under ASan in symfony_refusals_*.phpt */
if (getenv('SKIP_ASAN')) die('skip Messenger\'s worker leaks without us under LeakSanitizer (symfony_refusals runs the same code)');
?>
--FILE--
<?php
require __DIR__ . '/bridge.inc';
bridge_load('symfony', 'bookworm');
require '/usr/share/php/Symfony/Component/Messenger/autoload.php';
require_once '/usr/share/php/Psr/Container/autoload.php';

use NativeSmtp\Symfony\NativeSmtpTransportFactory;
use Symfony\Component\EventDispatcher\EventDispatcher;
use Symfony\Component\Mailer\Messenger\MessageHandler;
use Symfony\Component\Mailer\Messenger\SendEmailMessage;
use Symfony\Component\Mailer\Transport;
use Symfony\Component\Messenger\Envelope;
use Symfony\Component\Messenger\Event\WorkerMessageFailedEvent;
use Symfony\Component\Messenger\Event\WorkerRunningEvent;
use Symfony\Component\Messenger\EventListener\SendFailedMessageForRetryListener;
use Symfony\Component\Messenger\Exception\UnrecoverableExceptionInterface;
use Symfony\Component\Messenger\Handler\HandlersLocator;
use Symfony\Component\Messenger\MessageBus;
use Symfony\Component\Messenger\Middleware\HandleMessageMiddleware;
use Symfony\Component\Messenger\Retry\MultiplierRetryStrategy;
use Symfony\Component\Messenger\Transport\InMemoryTransport;
use Symfony\Component\Messenger\Worker;
use Symfony\Component\Mime\Email;

/* the service locators Messenger's retry listener asks for the sender and the retry strategy */
final class Services implements Psr\Container\ContainerInterface
{
	public function __construct(private array $services) {}
	public function get(string $id) { return $this->services[$id]; }
	public function has(string $id): bool { return isset($this->services[$id]); }
}

$srv = SmtpTestServer::start(['fault' => ['reject_rcpt' => ['gone@y.test', 'busy@y.test' => '450 4.2.1 <busy@y.test> mailbox busy']]]);
$transport = (new Transport([new NativeSmtpTransportFactory()]))->fromString("native+smtp://$srv->host:$srv->port?encryption=none");

/* One message through a Messenger worker (in-memory queue, up to 3 retries with no delay), as a
 * Symfony application sends mail asynchronously: how often the server saw it, and what failed. */
function through_worker(Symfony\Component\Mailer\Transport\TransportInterface $transport, Email $email): string
{
	$queue = new InMemoryTransport();
	$queue->send(new Envelope(new SendEmailMessage($email)));
	$bus = new MessageBus([new HandleMessageMiddleware(new HandlersLocator([
		SendEmailMessage::class => [new MessageHandler($transport)],
	]))]);
	$dispatcher = new EventDispatcher();
	$dispatcher->addSubscriber(new SendFailedMessageForRetryListener(new Services(['queue' => $queue]),
		new Services(['queue' => new MultiplierRetryStrategy(3, 0)])));
	$failures = [];
	$dispatcher->addListener(WorkerMessageFailedEvent::class, function (WorkerMessageFailedEvent $event) use (&$failures) {
		$nested = $event->getThrowable();
		$nested = method_exists($nested, 'getNestedExceptions') ? ($nested->getNestedExceptions()[0] ?? $nested) : $nested;
		$failures[] = sprintf('%s%s, %s', (new ReflectionClass($nested))->getShortName(),
			$nested instanceof UnrecoverableExceptionInterface ? ' (unrecoverable)' : '', $event->willRetry() ? 'retried' : 'not retried');
	});
	$dispatcher->addListener(WorkerRunningEvent::class, function (WorkerRunningEvent $event) {
		if ($event->isWorkerIdle()) {
			$event->getWorker()->stop();
		}
	});
	(new Worker(['queue' => $queue], $bus, $dispatcher))->run(['sleep' => 1000]);
	return count($failures) . ' failure(s): ' . implode('; ', array_unique($failures));
}

function rcpts(SmtpTestServer $srv, string $address): int
{
	$n = 0;
	foreach ($srv->sessions() as $session) {
		$n += count(array_filter($session['commands'], fn($c) => stripos($c, "RCPT TO:<$address>") === 0));
	}
	return $n;
}

$mail = fn(string ...$to) => (new Email())->from('shop@x.test')->to(...$to)->subject('s')->text('t');

echo "every recipient refused for good: ", through_worker($transport, $mail('gone@y.test')), "\n";
echo "  tries at the server: ", rcpts($srv, 'gone@y.test'), "\n";
echo "accepted for one, refused for another: ", through_worker($transport, $mail('ok@y.test', 'gone@y.test')), "\n";
echo "  tries at the server: ", rcpts($srv, 'ok@y.test'), ", messages: ", count($srv->messages()), "\n";
echo "refused for now (4xx): ", through_worker($transport, $mail('busy@y.test')), "\n";
echo "  tries at the server: ", rcpts($srv, 'busy@y.test'), "\n";
$transport->stop();
?>
--EXPECT--
every recipient refused for good: 1 failure(s): RecipientsRefusedException (unrecoverable), not retried
  tries at the server: 1
accepted for one, refused for another: 1 failure(s): RecipientsRejectedException (unrecoverable), not retried
  tries at the server: 1, messages: 1
refused for now (4xx): 4 failure(s): TransportException, retried; TransportException, not retried
  tries at the server: 4

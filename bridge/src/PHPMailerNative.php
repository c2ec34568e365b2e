<?php

declare(strict_types=1);

namespace NativeSmtp;

use PHPMailer\PHPMailer\Exception;
use Smtp\Mailer;
use Smtp\Receipt;

/**
 * NativeSmtp\PHPMailer's whole work, as a trait for a class that must keep another PHPMailer
 * subclass as its parent (PHP has one parent: WordPress's WP_PHPMailer, say, whose translated
 * messages a WordPress plugin keeps). `use PHPMailerNative;` in any subclass of
 * PHPMailer\PHPMailer\PHPMailer gives it everything NativeSmtp\PHPMailer documents; override
 * nativeDeliver() to route the finished message through an application's own sending code.
 */
trait PHPMailerNative
{
	/** @var array<string, mixed> Smtp\Mailer config keys merged over the mapped ones */
	public $NativeConfig = [];

	private ?Mailer $nativeMailer = null;
	/** @var array<string, mixed>|null the config $nativeMailer was made from (without callables) */
	private ?array $nativeMailerConfig = null;
	private bool $nativeMailerGiven = false;
	private ?Receipt $nativeReceipt = null;

	/**
	 * Sends through this (already configured) Smtp\Mailer instead of one made from Host, Port,
	 * ... (e.g. a framework's or a plugin's shared Mailer). null goes back to the properties.
	 */
	public function setNativeMailer(?Mailer $mailer): void
	{
		$this->nativeMailer = $mailer;
		$this->nativeMailerConfig = null;
		$this->nativeMailerGiven = $mailer !== null;
	}

	/** The Receipt of the last message this object sent (Message-ID, accepted, rejected, reply). */
	public function getNativeReceipt(): ?Receipt
	{
		return $this->nativeReceipt;
	}

	/** Ends the kept-alive session (PHPMailer calls this itself, e.g. from its destructor). */
	public function smtpClose()
	{
		if (!$this->nativeMailerGiven) {
			$this->nativeMailer?->close();
		}
		parent::smtpClose();
	}

	/** isSMTP()'s send path: through the extension. */
	protected function smtpSend($header, $body)
	{
		return $this->nativeSend($header, $body);
	}

	/**
	 * Mailer = 'native' reaches here too (PHPMailer calls "{$Mailer}Send"); a subclass with
	 * its own Mailer name (e.g. a WordPress plugin's) can call it from its own "...Send".
	 */
	protected function nativeSend($header, $body)
	{
		$this->nativeReceipt = null;
		/* PHPMailer's postSend() resets $this->smtp after a failed send with SMTPKeepAlive,
		 * without asking whether it exists (6.x: nor whether it is connected, and the failed
		 * RSET would then be appended to ErrorInfo): give it one whose reset() of a session
		 * that was never opened is a no-op. Connected (smtpConnect()), it is PHPMailer's own. */
		$this->smtp ??= new class () extends \PHPMailer\PHPMailer\SMTP {
			public function reset()
			{
				return $this->connected() ? parent::reset() : true;
			}
		};
		$data = static::stripTrailingWSP($header) . static::$LE . static::$LE . $body;
		$from = $this->Sender !== '' ? $this->Sender : $this->From;
		$recipients = [];
		foreach ([$this->to, $this->cc, $this->bcc] as $group) {
			foreach ($group as $address) {
				$recipients[] = $address[0];
			}
		}

		try {
			$receipt = $this->nativeDeliver($from, $recipients, $data);
		} catch (\Smtp\RecipientException $e) {
			$this->nativeCallbacks($e->rejected, $body, '');
			throw new Exception($this->lang('recipients_failed') . self::refusals($e->rejected), self::STOP_CONTINUE, $e);
		} catch (\Smtp\AuthenticationException $e) {
			throw new Exception($this->lang('authenticate') . ' ' . $e->getMessage(), self::STOP_CRITICAL, $e);
		} catch (\Smtp\TlsException | \Smtp\ConnectionException $e) {
			$hint = $e instanceof \Smtp\TlsException && (string) $this->SMTPSecure === '' && $this->SMTPAutoTLS
				? ' (SMTPAutoTLS asks for STARTTLS and a server that does not offer it is refused: set SMTPAutoTLS = false for a relay without TLS)'
				: '';
			throw new Exception($this->lang('connect_host') . ' ' . $e->getMessage() . $hint, self::STOP_CRITICAL, $e);
		} catch (\Smtp\Exception $e) {
			throw new Exception($this->lang('smtp_error') . $e->getMessage(), self::STOP_CRITICAL, $e);
		} catch (\Smtp\InvalidArgumentException $e) {
			/* A setting or an address the extension refused: no server was asked. */
			throw new Exception($e->getMessage(), self::STOP_CRITICAL, $e);
		} finally {
			if (!$this->SMTPKeepAlive && !$this->nativeMailerGiven) {
				/* PHPMailer's own SMTP mailer quits after each message unless SMTPKeepAlive
				 * (a Mailer given with setNativeMailer() is its owner's to close). */
				$this->nativeMailer?->close();
			}
		}

		$this->nativeReceipt = $receipt;
		$this->nativeCallbacks($receipt->rejected, $body, $receipt->response);
		if ($receipt->rejected !== []) {
			throw new Exception($this->lang('recipients_failed') . self::refusals($receipt->rejected), self::STOP_CONTINUE);
		}
		return true;
	}

	/**
	 * The hand-over. Override to route through an application's own sending code (a WordPress
	 * plugin's logging and queue, say); it must return a Receipt or throw Smtp\Exception.
	 *
	 * @param list<string> $recipients
	 */
	protected function nativeDeliver(string $from, array $recipients, string $data): Receipt
	{
		return $this->nativeMailer()->sendRaw($from, $recipients, $data);
	}

	/** The Smtp\Mailer for the current properties: kept while they stay the same. */
	protected function nativeMailer(): Mailer
	{
		if ($this->nativeMailerGiven) {
			return $this->nativeMailer;
		}
		$config = $this->nativeConfig();
		$plain = array_filter($config, static fn ($value): bool => !$value instanceof \Closure);
		$plain['#debug'] = $this->SMTPDebug > 0;
		if ($this->nativeMailer === null || $plain !== $this->nativeMailerConfig) {
			$this->nativeMailer?->close();
			if ($this->SMTPDebug > 0 && !isset($config['debug'])) {
				/* A weak reference: the Mailer must not keep this object alive. */
				$self = \WeakReference::create($this);
				$config['debug'] = static function (string $line) use ($self): void {
					$self->get()?->edebug($line);
				};
			}
			$this->nativeMailer = null;
			$this->nativeMailer = new Mailer($config);
			$this->nativeMailerConfig = $plain;
		}
		return $this->nativeMailer;
	}

	/**
	 * PHPMailer's SMTP properties as an Smtp\Mailer config. SMTPSecure '' with SMTPAutoTLS
	 * (PHPMailer's "STARTTLS if offered") becomes STARTTLS required: a server that does not
	 * offer it is refused, never used in plaintext (PHPMailer itself skips TLS for the host
	 * name "localhost", and so does this; SMTPAutoTLS = false means plaintext).
	 *
	 * @return array<string, mixed>
	 */
	protected function nativeConfig(): array
	{
		$relays = [];
		foreach (explode(';', (string) ($this->Host ?? 'localhost')) as $entry) {
			$entry = trim($entry);
			if ($entry === '') {
				continue;
			}
			if (!preg_match('/^(?:(ssl|tls):\/\/)?(.+?)(?::(\d+))?$/', $entry, $m)) {
				throw new Exception($this->lang('invalid_hostentry') . ' ' . $entry, self::STOP_CRITICAL);
			}
			$secure = $m[1] === 'ssl' ? 'ssl' : ($m[1] === 'tls' ? 'tls' : (string) $this->SMTPSecure);
			if ($secure === 'ssl') {
				$encryption = 'tls';
			} elseif ($secure === 'tls') {
				$encryption = 'starttls';
			} else {
				$encryption = $this->SMTPAutoTLS && $this->Host !== 'localhost' ? 'starttls' : 'none';
			}
			$relays[] = ['host' => trim($m[2], '[]'), 'port' => (int) ($m[3] ?? $this->Port), 'encryption' => $encryption];
		}
		if ($relays === []) {
			throw new Exception($this->lang('invalid_host') . ' ' . $this->Host, self::STOP_CRITICAL);
		}

		$common = [];
		if ($this->Timeout > 0) {
			$common['timeout'] = (float) $this->Timeout;
		}
		$ssl = $this->SMTPOptions['ssl'] ?? [];
		if (($ssl['verify_peer'] ?? true) === false || ($ssl['verify_peer_name'] ?? true) === false
			|| ($ssl['allow_self_signed'] ?? false) === true) {
			$common['verify_peer'] = false;
		}
		if (isset($ssl['cafile'])) {
			$common['cafile'] = (string) $ssl['cafile'];
		}
		if ($this->SMTPAuth) {
			$common['username'] = (string) $this->Username;
			$common['password'] = (string) $this->Password;
			$type = strtolower((string) $this->AuthType);
			if ($type !== '') {
				$common['auth'] = $type;
			}
			if ($type === 'xoauth2' && $this->oauth !== null) {
				/* PHPMailer's providers hand out the whole SASL string (user and bearer
				 * token); the extension takes the token as the password. Asked at each
				 * send, so a provider that refreshes its token is followed. */
				$sasl = (string) base64_decode((string) $this->oauth->getOauth64(), true);
				if (preg_match('/^user=([^\x01]*)\x01auth=Bearer ([^\x01]+)/', $sasl, $m)) {
					$common['username'] = $common['username'] !== '' ? $common['username'] : $m[1];
					$common['password'] = $m[2];
				}
			}
		}

		$config = $relays[0] + $common;
		$helo = $this->Helo !== '' ? $this->Helo : $this->Hostname;
		if ($helo !== '') {
			$config['helo'] = $helo;
		}
		if (isset($relays[1])) {
			/* PHPMailer tries the hosts in turn when one cannot be reached; the extension's
			 * fallback relay is tried after a temporary failure of the first. */
			$config['fallback'] = $relays[1] + $common;
		}
		return array_replace($config, $this->NativeConfig);
	}

	/** action_function hears about each recipient, as with PHPMailer's SMTP mailer. */
	private function nativeCallbacks(array $rejected, string $body, string $response): void
	{
		$id = preg_match('/queued as\s+(\S+)/i', $response, $m) ? $m[1] : '';
		foreach ([$this->to, $this->cc, $this->bcc] as $group) {
			foreach ($group as $address) {
				$this->doCallback(!isset($rejected[$address[0]]), [[$address[0], $address[1]]], [], [], $this->Subject,
					$body, $this->From, ['smtp_transaction_id' => $id]);
			}
		}
	}

	/** @param array<string, string> $rejected */
	private static function refusals(array $rejected): string
	{
		$parts = [];
		foreach ($rejected as $address => $reply) {
			$parts[] = "$address: $reply";
		}
		return implode(', ', $parts);
	}
}

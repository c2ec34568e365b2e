--TEST--
A server that takes 10 recipients a transaction ("452 4.5.3 too many recipients" past them, Postfix's way): the rest go in further transactions, with and without PIPELINING, through sendRaw, send, sendMany and mail(); a refused one stays refused; the server's error limit is never reached
--EXTENSIONS--
smtp
--INI--
smtp.override_mail=1
smtp.encryption="none"
sendmail_path=/bin/false
mail.add_x_header=0
--FILE--
<?php
require __DIR__ . '/../inc/server.inc';
$rcpts = [];
for ($i = 0; $i < 250; $i++) {
	$rcpts[] = sprintf('r%03d@x.test', $i);
}
$refused = $rcpts[37];
/* The first transaction's RCPTs go out before the limit is known: the 90 or
 * so "too many" replies they get stay under the overshoot; without a window
 * on the unanswered RCPTs, 240 of them would trip the error limit (421 and a
 * hang-up, as Postfix does past smtpd_hard_error_limit). */
$fault = ['rcpt_limit' => 10, 'rcpt_overshoot' => 150, 'hard_error_limit' => 20, 'reject_rcpt' => [$refused => 550]];

/* a send returns once the server answered the message's last "." (it has
 * written its files by then): no waiting */
function report(string $what, SmtpTestServer $srv, array $expected): void
{
	$received = $srv->messages();
	$got = [];
	foreach ($received as $m) {
		if (count($m['rcpt_tos']) > 10) {
			echo "  a transaction with ", count($m['rcpt_tos']), " recipients\n";
		}
		foreach ($m['rcpt_tos'] as $r) {
			$got[] = $r;
		}
	}
	$unique = array_unique($got);
	sort($unique);
	$want = $expected;
	sort($want);
	$faults = [];
	foreach ($srv->sessions() as $s) {
		foreach ($s['faults'] as $f) {
			if ($f !== 'too-many-recipients') {
				$faults[] = $f;
			}
		}
	}
	printf("  %s: %s messages, %d RCPTs taken, %d distinct, every one expected: %s, sessions %d, other faults: %s\n",
		$what, count($received) >= intdiv(count($expected) + 9, 10) ? 'enough' : count($received), count($got), count($unique), var_export($unique === $want, true),
		count($srv->sessions()), $faults ? implode(',', $faults) : 'none');
}

$expected = array_values(array_diff($rcpts, [$refused]));
/* with CHUNKING too: the later transactions go as BDAT, like the first */
foreach (['pipelining=true' => ['pipelining' => true], 'pipelining=true chunking=true' => ['pipelining' => true, 'chunking' => true],
	'pipelining=false' => ['pipelining' => false]] as $label => $modes) {
	echo $label, "\n";
	$srv = SmtpTestServer::start($modes + ['fault' => $fault]);
	$mailer = new Smtp\Mailer($srv->config());
	$r = $mailer->sendRaw('a@x.test', $rcpts, "Subject: many\r\n\r\nbody\r\n");
	printf("  sendRaw receipt: %d accepted, rejected %s\n", count($r->accepted), json_encode($r->rejected));
	report('sendRaw', $srv, $expected);
	$srv->stop();

	$srv = SmtpTestServer::start($modes + ['fault' => $fault]);
	$mailer = new Smtp\Mailer($srv->config());
	$m = (new Smtp\Message())->from('a@x.test')->to('to@x.test')->subject('s')->text('t');
	foreach ($rcpts as $a) {
		$m->bcc($a);
	}
	$r = $mailer->send($m);
	printf("  send receipt: %d accepted, %d rejected\n", count($r->accepted), count($r->rejected));
	$small = (new Smtp\Message())->from('a@x.test')->to('small@x.test')->subject('s')->text('t');
	$results = $mailer->sendMany([$m, $small, $m], 2);
	foreach ($results as $k => $res) {
		printf("  sendMany[%d]: %s %d accepted, %d rejected\n", $k, get_class($res), count($res->accepted), count($res->rejected));
	}
	/* send: 26 messages (251 recipients, one refused); sendMany: 26 + 1 + 26 */
	$received = $srv->messages();
	$per = [];
	foreach ($received as $msg) {
		foreach ($msg['rcpt_tos'] as $rc) {
			$per[$rc] = ($per[$rc] ?? 0) + 1;
		}
	}
	printf("  every recipient got send's and sendMany's two: %s\n",
		var_export(count($per) === 251 && min(array_diff_key($per, ['small@x.test' => 1])) === 3 && max($per) === 3, true));
	$srv->stop();

	$srv = SmtpTestServer::start($modes + ['fault' => $fault]);
	ini_set('smtp.host', $srv->host);
	ini_set('smtp.port', (string) $srv->port);
	$ok = mail('to@x.test', 'Subject', 'body', "From: a@x.test\r\nBcc: " . implode(",\r\n ", $rcpts));
	$last = smtp_last_result();
	printf("  mail(): %s, %d accepted, rejected %s\n", var_export($ok, true), count($last['accepted']), json_encode($last['rejected']));
	report('mail()', $srv, array_merge(['to@x.test'], $expected));
	$srv->stop();
}
?>
--EXPECT--
pipelining=true
  sendRaw receipt: 249 accepted, rejected {"r037@x.test":"550 5.1.1 Mailbox unavailable"}
  sendRaw: enough messages, 249 RCPTs taken, 249 distinct, every one expected: true, sessions 1, other faults: none
  send receipt: 250 accepted, 1 rejected
  sendMany[0]: Smtp\Receipt 250 accepted, 1 rejected
  sendMany[1]: Smtp\Receipt 1 accepted, 0 rejected
  sendMany[2]: Smtp\Receipt 250 accepted, 1 rejected
  every recipient got send's and sendMany's two: true
  mail(): true, 250 accepted, rejected {"r037@x.test":"550 5.1.1 Mailbox unavailable"}
  mail(): enough messages, 250 RCPTs taken, 250 distinct, every one expected: true, sessions 1, other faults: none
pipelining=true chunking=true
  sendRaw receipt: 249 accepted, rejected {"r037@x.test":"550 5.1.1 Mailbox unavailable"}
  sendRaw: enough messages, 249 RCPTs taken, 249 distinct, every one expected: true, sessions 1, other faults: none
  send receipt: 250 accepted, 1 rejected
  sendMany[0]: Smtp\Receipt 250 accepted, 1 rejected
  sendMany[1]: Smtp\Receipt 1 accepted, 0 rejected
  sendMany[2]: Smtp\Receipt 250 accepted, 1 rejected
  every recipient got send's and sendMany's two: true
  mail(): true, 250 accepted, rejected {"r037@x.test":"550 5.1.1 Mailbox unavailable"}
  mail(): enough messages, 250 RCPTs taken, 250 distinct, every one expected: true, sessions 1, other faults: none
pipelining=false
  sendRaw receipt: 249 accepted, rejected {"r037@x.test":"550 5.1.1 Mailbox unavailable"}
  sendRaw: enough messages, 249 RCPTs taken, 249 distinct, every one expected: true, sessions 1, other faults: none
  send receipt: 250 accepted, 1 rejected
  sendMany[0]: Smtp\Receipt 250 accepted, 1 rejected
  sendMany[1]: Smtp\Receipt 1 accepted, 0 rejected
  sendMany[2]: Smtp\Receipt 250 accepted, 1 rejected
  every recipient got send's and sendMany's two: true
  mail(): true, 250 accepted, rejected {"r037@x.test":"550 5.1.1 Mailbox unavailable"}
  mail(): enough messages, 250 RCPTs taken, 250 distinct, every one expected: true, sessions 1, other faults: none

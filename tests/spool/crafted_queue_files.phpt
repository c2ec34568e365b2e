--TEST--
spool: a queue file is untrusted input: SMTP parameters or a CR in its envelope, an address too long for a command and out-of-range numbers send nothing and go to failed/ at once with the reason; a body with bare LFs goes out as CRLF text
--EXTENSIONS--
smtp
--INI--
sendmail_path=/bin/false
--FILE--
<?php
require __DIR__ . '/spool.inc';
$dir = spool_test_dir();
$spool = new Smtp\Spool($dir);
$now = time();

/* label => [from, rcpt, extra header lines, body] */
$files = [
	'cr-in-rcpt' => ['a@x.test', "b@y.test\rRSET", '', "Subject: cr\r\n\r\nx\r\n"],
	'rcpt-params' => ['a@x.test', 'c@y.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;c@y.test', '', "Subject: p\r\n\r\nx\r\n"],
	'from-params' => ['a@x.test> SIZE=1 BODY=8BITMIME', 'd@y.test', '', "Subject: f\r\n\r\nx\r\n"],
	'long-rcpt' => ['a@x.test', str_repeat('e', 64) . '@' . str_repeat('a', 48) . '.' . str_repeat('b', 48) . '.' . str_repeat('c', 48) . '.' . str_repeat('d', 48) . '.test', '', "Subject: l\r\n\r\nx\r\n"],
	'huge-rcpt' => ['a@x.test', str_repeat('f', 1200) . '@y.test', '', "Subject: h\r\n\r\nx\r\n"],
	'space-rcpt' => ['a@x.test', 'g@y.test g2@y.test', '', "Subject: s\r\n\r\nx\r\n"],
	'queued-min' => ['a@x.test', 'h@y.test', "queued -9223372036854775808\n", "Subject: q\r\n\r\nx\r\n"],
	'queued-huge' => ['a@x.test', 'h@y.test', "queued 99999999999999999999\n", "Subject: q\r\n\r\nx\r\n"],
	'attempts-wrap' => ['a@x.test', 'h@y.test', "attempts 4294967297\n", "Subject: a\r\n\r\nx\r\n"],
	'next-plus' => ['a@x.test', 'h@y.test', "next +5\n", "Subject: n\r\n\r\nx\r\n"],
	'smtputf8-7' => ['a@x.test', 'h@y.test', "smtputf8 7\n", "Subject: u\r\n\r\nx\r\n"],
	'two-senders' => ['a@x.test', 'h@y.test', "from evil@x.test\n", "Subject: t\r\n\r\nx\r\n"],
	'nul-in-header' => ['a@x.test', "h@y.test\0i@y.test", '', "Subject: z\r\n\r\nx\r\n"],
	'bare-lf-body' => ['a@x.test', 'j@y.test', '', "Subject: lf\n\nline one\n.\nMAIL FROM:<smuggled@x.test>\nlast line\rend"],
	'good' => ['a@x.test', 'k@y.test', '', "Subject: good\r\n\r\nfine\r\n"],
];
$names = [];
$i = 0;
foreach ($files as $label => [$from, $rcpt, $extra, $body]) {
	$name = sprintf('%010d-%09d-1-%016x.msg', $now - 100, ++$i, $i);
	$names[$name] = $label;
	$header = "php-smtp-spool 1\nfrom $from\nrcpt $rcpt\n";
	foreach (['smtputf8' => 0, 'queued' => $now - 100, 'attempts' => 1, 'next' => $now - 1] as $key => $value) {
		if (!str_contains($extra, "$key ")) {
			$header .= "$key $value\n";
		}
	}
	file_put_contents("$dir/queue/$name", $header . $extra . "error \n\n" . $body);
}

$srv = SmtpTestServer::start();
$mailer = new Smtp\Mailer($srv->config(['timeout' => 3]));
$t = microtime(true);
$s = $spool->flush($mailer);
$elapsed = microtime(true) - $t;
echo "sent=$s[sent] deferred=$s[deferred] failed=$s[failed] remaining=$s[remaining]\n";
echo "at once (no timeout waited for): ", var_export($elapsed < 2.5, true), "\n";
foreach ($s['errors'] as $name => $why) {
	echo $names[$name], ": ", $why, "\n";
}
echo "in failed/: ", count(spool_test_files($dir, 'failed')), "\n";
foreach ($spool->messages(true) as $m) {
	echo "listed as failed: ", $names[$m['id']], " (", $m['last_error'], ")\n";
}

$msgs = $srv->waitForMessages(2);
foreach ($srv->waitForSessions(1) as $session) {
	foreach ($session['commands'] as $c) {
		if (preg_match('/^(MAIL|RCPT)/', $c)) {
			echo "server got: ", addcslashes($c, "\r\n\0"), "\n";
		}
	}
}
foreach ($msgs as $m) {
	$declared = preg_grep('/^SIZE=/', $m['mail_options']);
	printf("delivered to %s: bare_lf=%d bare_cr=%d stuffed=%d size=%d declared=%s rcpt_options=%s\n",
		implode(',', $m['rcpt_tos']), $m['bare_lf'], $m['bare_cr'], $m['stuffed_lines'], $m['size'],
		implode(',', $declared), json_encode($m['rcpt_options']));
}
echo addcslashes($msgs[0]['data'], "\r\n"), "\n";
?>
--EXPECTF--
sent=2 deferred=0 failed=13 remaining=0
at once (no timeout waited for): true
cr-in-rcpt: invalid recipient address in the spool file (%s): "b@y.test?RSET"
rcpt-params: invalid recipient address in the spool file (%s): "c@y.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;c@y.test"
from-params: invalid sender address in the spool file (%s): "a@x.test> SIZE=1 BODY=8BITMIME"
long-rcpt: invalid recipient address in the spool file (address longer than 254 octets): "eeee%s..."
huge-rcpt: invalid recipient address in the spool file (local part longer than 64 octets): "ffff%s..."
space-rcpt: invalid recipient address in the spool file (%s): "g@y.test g2@y.test"
queued-min: bad spool header line "queued -9223372036854775808"
queued-huge: bad spool header line "queued 99999999999999999999"
attempts-wrap: bad spool header line "attempts 4294967297"
next-plus: bad spool header line "next +5"
smtputf8-7: bad spool header line "smtputf8 7"
two-senders: bad spool header line "from evil@x.test"
nul-in-header: NUL byte in the spool header
in failed/: 13
listed as failed: cr-in-rcpt (invalid recipient address in the spool file (%s): "b@y.test?RSET")
listed as failed: rcpt-params (invalid recipient address in the spool file (%s): "c@y.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;c@y.test")
listed as failed: from-params (invalid sender address in the spool file (%s): "a@x.test> SIZE=1 BODY=8BITMIME")
listed as failed: long-rcpt (invalid recipient address in the spool file (address longer than 254 octets): "eeee%s...")
listed as failed: huge-rcpt (invalid recipient address in the spool file (local part longer than 64 octets): "ffff%s...")
listed as failed: space-rcpt (invalid recipient address in the spool file (%s): "g@y.test g2@y.test")
server got: MAIL FROM:<a@x.test> SIZE=%d
server got: RCPT TO:<j@y.test>
server got: MAIL FROM:<a@x.test> SIZE=%d
server got: RCPT TO:<k@y.test>
delivered to j@y.test: bare_lf=0 bare_cr=0 stuffed=1 size=%d declared=SIZE=%d rcpt_options=[[]]
delivered to k@y.test: bare_lf=0 bare_cr=0 stuffed=0 size=%d declared=SIZE=%d rcpt_options=[[]]
Subject: lf\r\n\r\nline one\r\n.\r\nMAIL FROM:<smuggled@x.test>\r\nlast line\r\nend\r\n

--TEST--
Mailer: sendRaw turns bare LF and bare CR into CRLF (no SMTP smuggling); dot lines arrive intact, stuffed once
--EXTENSIONS--
smtp
--FILE--
<?php
require __DIR__ . '/../inc/server.inc';
$srv = SmtpTestServer::start();
$raw = "Subject: lf\n\nline one\n.\n..two dots\rcr only\r\n.leading dot\nend";
(new Smtp\Mailer($srv->dsn()))->sendRaw('a@x.test', 'b@y.test', $raw);
$m = $srv->waitForMessages(1)[0];
var_dump($m['bare_lf'], $m['bare_cr'], $m['stuffed_lines']);
var_dump($m['data'] === "Subject: lf\r\n\r\nline one\r\n.\r\n..two dots\r\ncr only\r\n.leading dot\r\nend\r\n");
/* the smuggling shape: "\n.\n" must not end the message early */
$srv2 = SmtpTestServer::start();
(new Smtp\Mailer($srv2->dsn()))->sendRaw('a@x.test', 'b@y.test', "Subject: s\r\n\r\nA\n.\nMAIL FROM:<evil@x.test>\r\nB\r\n");
$msgs = $srv2->waitForMessages(1);
$sessions = $srv2->waitForSessions(1);
echo count($msgs), " message; MAIL commands: ", count(preg_grep('/^MAIL/', $sessions[0]['commands'])), "\n";
?>
--EXPECT--
int(0)
int(0)
int(3)
bool(true)
1 message; MAIL commands: 1

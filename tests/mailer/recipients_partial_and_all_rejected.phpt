--TEST--
Mailer: some recipients refused -> Receipt with rejected; all refused -> RecipientException (temporary by code)
--EXTENSIONS--
smtp
--FILE--
<?php
require __DIR__ . '/../inc/server.inc';
$srv = SmtpTestServer::start(['fault' => ['reject_rcpt' => [
	'gone@y.test' => '550 5.1.1 <gone@y.test> no such user',
	'full@y.test' => '452 4.2.2 <full@y.test> mailbox full',
]]]);
/* the same mailbox twice (a domain has no case; a local part may: RFC 5321 2.4) */
$mailer = new Smtp\Mailer($srv->dsn());
$r = $mailer->sendRaw('a@x.test', ['ann@y.test', 'gone@y.test', 'bob@y.test', 'ann@Y.TEST'], "Subject: p\r\n\r\nx\r\n");
var_dump($r->accepted, $r->rejected);
echo "server got: ", implode(',', $srv->waitForMessages(1)[0]['rcpt_tos']), "\n";
foreach ([['gone@y.test'], ['full@y.test']] as $to) {
	try {
		$mailer->sendRaw('a@x.test', $to, "Subject: p\r\n\r\nx\r\n");
	} catch (Smtp\RecipientException $e) {
		printf("%s code=%d %s temporary=%s rejected=%s\n", get_class($e), $e->smtpCode, $e->enhancedStatus,
			var_export($e->temporary, true), json_encode($e->rejected));
	}
}
echo "messages: ", count($srv->messages()), "\n";
?>
--EXPECT--
array(2) {
  [0]=>
  string(10) "ann@y.test"
  [1]=>
  string(10) "bob@y.test"
}
array(1) {
  ["gone@y.test"]=>
  string(36) "550 5.1.1 <gone@y.test> no such user"
}
server got: ann@y.test,bob@y.test
Smtp\RecipientException code=550 5.1.1 temporary=false rejected={"gone@y.test":"550 5.1.1 <gone@y.test> no such user"}
Smtp\RecipientException code=452 4.2.2 temporary=true rejected={"full@y.test":"452 4.2.2 <full@y.test> mailbox full"}
messages: 1

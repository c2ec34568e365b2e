--TEST--
Receipt and exception properties are read-only; exceptions made by user code have sane defaults
--EXTENSIONS--
smtp
--FILE--
<?php
require __DIR__ . '/../inc/server.inc';
$srv = SmtpTestServer::start();
$r = (new Smtp\Mailer($srv->dsn()))->sendRaw('a@x.test', 'b@y.test', "Message-ID: <abc@x.test>\r\n\r\nx\r\n");
try { $r->messageId = 'forged'; } catch (Error $e) { echo get_class($e), ": ", $e->getMessage(), "\n"; }
var_dump($r->messageId, $r->queued);
try { new Smtp\Receipt(); } catch (Error $e) { echo get_class($e), "\n"; }
$e = new Smtp\RecipientException('x');
var_dump($e->smtpCode, $e->enhancedStatus, $e->temporary, $e->transcript, $e->rejected, $e instanceof RuntimeException);
try { $e->smtpCode = 1; } catch (Error $err) { echo get_class($err), "\n"; }
?>
--EXPECT--
Error: Cannot modify readonly property Smtp\Receipt::$messageId
string(10) "abc@x.test"
bool(false)
Error
int(0)
string(0) ""
bool(false)
array(0) {
}
array(0) {
}
bool(true)
Error

--TEST--
Re-entry: during sendMany() (two messages, two sessions), in every phase, the debug callable, an error handler and a destructor cannot close or re-use the sending Mailer (Smtp\Exception "this Mailer is sending"); a throwing callable stops the send; dropping the last references frees nothing in use; the Mailer sends again afterwards
--EXTENSIONS--
smtp
--FILE--
<?php
require __DIR__ . '/reentry.inc';
reentry_matrix('sendMany');
?>
--EXPECT--
debug callable, close: inner all refused; outer all sent; after all sends again;
debug callable, send: inner all refused; outer all sent; after all sends again;
debug callable, sendRaw: inner all refused; outer all sent; after all sends again;
debug callable, sendMany: inner all refused; outer all sent; after all sends again;
debug callable, Spool::flush: inner all refused; outer all sent; after all sends again;
error handler, close: inner all refused; outer all sent; after all sends again;
error handler, send: inner all refused; outer all sent; after all sends again;
error handler, sendRaw: inner all refused; outer all sent; after all sends again;
error handler, sendMany: inner all refused; outer all sent; after all sends again;
error handler, Spool::flush: inner all refused; outer all sent; after all sends again;
destructor, close: inner all refused; outer all sent; after all sends again;
destructor, send: inner all refused; outer all sent; after all sends again;
destructor, sendRaw: inner all refused; outer all sent; after all sends again;
destructor, sendMany: inner all refused; outer all sent; after all sends again;
destructor, Spool::flush: inner all refused; outer all sent; after all sends again;
debug callable, transcript: inner all returned array; outer all sent; after all sends again;
debug callable, throw: inner all threw; outer all RuntimeException: stop the send; after all sends again;
debug callable, drop: inner all dropped; outer all sent; after all Mailer freed;
arrived: 357 with a Receipt, missing 0, duplicates 0, inner ones 0

<?php
/*
 * Recipient de-duplication timing (bench/README.md, "Recipient de-duplication"):
 *   php -d extension=.../smtp.so -d smtp.override_mail=1 bench/php/dedup.php 20000
 * The relay port is one where nothing listens: each send fails right after its
 * envelope is built, so what is timed is validation, IDNA and de-duplication.
 */

$n = (int) ($argv[1] ?? 20000);
$port = 1; // nothing listens on 127.0.0.1:1
$rcpts = [];
for ($i = 0; $i < $n; $i++) { $rcpts[] = "user$i@example.test"; }
$m = new Smtp\Mailer(['host' => '127.0.0.1', 'port' => $port, 'encryption' => 'none', 'timeout' => 2]);
$t = microtime(true);
try { $m->sendRaw('a@example.test', $rcpts, "Subject: x\r\n\r\nx\r\n"); } catch (Throwable $e) { echo get_class($e), ": ", substr($e->getMessage(), 0, 90), "\n"; }
printf("sendRaw %d: %.3f s\n", $n, microtime(true) - $t);
$msg = (new Smtp\Message())->from('a@example.test')->subject('x')->text('x');
foreach ($rcpts as $r) { $msg->bcc($r); }
$t = microtime(true);
try { $m->send($msg); } catch (Throwable $e) { echo get_class($e), ": ", substr($e->getMessage(), 0, 90), "\n"; }
printf("send(Message) %d: %.3f s\n", $n, microtime(true) - $t);
ini_set('smtp.host', '127.0.0.1'); ini_set('smtp.port', (string)$port); ini_set('smtp.encryption', 'none');
$t = microtime(true);
@mail('a@example.test', 'x', 'x', "From: a@example.test\r\nBcc: " . implode(', ', $rcpts));
printf("mail() %d: %.3f s\n", $n, microtime(true) - $t);

--TEST--
spool: each failed try doubles the wait (retry_min up to retry_max); past max_age a message moves to failed/ with its last error
--EXTENSIONS--
smtp
--INI--
sendmail_path=/bin/false
--FILE--
<?php
require __DIR__ . '/spool.inc';
$dir = spool_test_dir();
$down = spool_test_down_relay($dir);
$mailer = new Smtp\Mailer($down);
var_dump($mailer->sendRaw('a@x.test', 'b@y.test', "Subject: b\r\n\r\nx\r\n")->queued);

$spool = new Smtp\Spool($dir, ['retry_min' => 60, 'retry_max' => 300]);
$waits = [];
for ($i = 0; $i < 5; $i++) {
	$before = time();
	$s = $spool->flush($mailer, force: true);
	$m = $spool->messages()[0];
	/* next_try - the time of the try, allowing for a second boundary */
	$wait = $m['next_try'] - $before;
	$waits[] = [$m['attempts'], $wait >= 0 && in_array($wait, [120, 240, 300, 119, 239, 299]) ? ($wait + 1) - (($wait + 1) % 60) : $wait];
	if ($s['deferred'] !== 1 || !str_contains($s['errors'][$m['id']], 'onnect')) {
		echo "bad summary\n";
		var_dump($s);
	}
}
echo json_encode($waits), "\n";

/* not due: flush without force leaves it alone */
$s = $spool->flush($mailer);
echo "waiting=$s[waiting] deferred=$s[deferred]\n";

/* max_age 0: the next failed try gives up */
$old = new Smtp\Spool($dir, ['max_age' => 0]);
$s = $old->flush($mailer, force: true);
echo "deferred=$s[deferred] failed=$s[failed] remaining=$s[remaining]\n";
$failed = $old->messages(true);
var_dump(count($failed), $failed[0]['attempts'], str_contains($failed[0]['last_error'], 'onnect'));
var_dump(count(spool_test_files($dir, 'failed')), spool_test_files($dir, 'queue'));

try {
	new Smtp\Spool($dir, ['max_age' => -1]);
} catch (Smtp\InvalidArgumentException $e) {
	echo $e->getMessage(), "\n";
}
try {
	new Smtp\Spool($dir, ['retry' => 1]);
} catch (Smtp\InvalidArgumentException $e) {
	echo $e->getMessage(), "\n";
}
?>
--EXPECT--
bool(true)
[[2,120],[3,240],[4,300],[5,300],[6,300]]
waiting=1 deferred=0
deferred=0 failed=1 remaining=0
int(1)
int(7)
bool(true)
int(1)
array(0) {
}
Spool option "max_age" must be an integer of at least 0
Unknown spool option "retry" (expected max_age, retry_min, retry_max)

--TEST--
Message: an attachment is checked against open_basedir again when the send opens it (a file replaced by a link to outside after attach() is not sent)
--EXTENSIONS--
smtp
--FILE--
<?php
require __DIR__ . '/../inc/server.inc';
require __DIR__ . '/../inc/child.inc';
$root = sys_get_temp_dir() . '/smtp-basedir-' . bin2hex(random_bytes(6));
$base = "$root/site";
mkdir($base, 0700, true);
mkdir("$root/private", 0700);
file_put_contents("$root/private/secret.txt", "TOP-SECRET-OF-ANOTHER-SITE\n");
file_put_contents("$base/report.txt", "an honest report\n");
file_put_contents("$base/other.txt", "another honest file\n");
$srv = SmtpTestServer::start();

$code = sprintf('
	$mailer = new Smtp\Mailer(["host" => "127.0.0.1", "port" => %d, "encryption" => "none"]);
	$m = fn(string $path) => (new Smtp\Message())->from("a@x.test")->to("b@y.test")->subject(basename($path))->text("x")->attach($path);
	$swapped = $m(%s);
	$kept = $m(%s);
	/* after attach(), the file becomes a link to another site\'s file (exec is not bound by open_basedir) */
	exec("ln -sfn " . escapeshellarg(%s) . " " . escapeshellarg(%s), $out, $rc);
	echo "swapped: ", $rc, "\n";
	foreach (["swapped" => $swapped, "kept" => $kept] as $label => $message) {
		try { $receipt = $mailer->send($message); echo $label, ": sent ", $receipt->response, "\n"; }
		catch (Smtp\Exception $e) { echo $label, ": ", get_class($e), ": ", $e->getMessage(), "\n"; }
	}',
	$srv->port, var_export("$base/report.txt", true), var_export("$base/other.txt", true),
	var_export("$root/private/secret.txt", true), var_export("$base/report.txt", true));
$r = php_child(['open_basedir' => $base], $code);
echo str_replace($root, 'ROOT', $r['stdout'] . $r['stderr']);
$msgs = $srv->waitForMessages(1);
usleep(200000);
$msgs = $srv->messages();
echo "messages: ", count($msgs), "\n";
foreach ($msgs as $msg) {
	echo "the secret went out: ", var_export(str_contains($msg['data'], base64_encode("TOP-SECRET")), true), "\n";
}
exec('rm -rf ' . escapeshellarg($root));
?>
--EXPECT--
swapped: 0
swapped: Smtp\Exception: cannot read attachment ROOT/site/report.txt: it is outside open_basedir now
kept: sent 250 2.0.0 OK: queued as 0001
messages: 1
the secret went out: false

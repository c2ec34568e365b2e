<?php
/*
 * The demo scripts/demo.sh runs: one real message, built with Smtp\Message,
 * sent with Smtp\Mailer over STARTTLS + AUTH to the capture server whose
 * address the script passes in the environment.
 */
$mailer = new Smtp\Mailer([
	'host' => '127.0.0.1',
	'port' => (int) getenv('DEMO_PORT'),
	'encryption' => 'starttls',
	'cafile' => getenv('DEMO_CAFILE'),
	'username' => 'demo@shop.example',
	'password' => getenv('DEMO_PASSWORD'),
]);

$invoice = tempnam(sys_get_temp_dir(), 'invoice');
file_put_contents($invoice, "%PDF-1.4\n% a tiny stand-in for an invoice\n");

$message = (new Smtp\Message())
	->from('demo@shop.example', 'Cửa hàng Demo')
	->to('khach@example.org', 'Nguyễn Văn An')
	->subject('Đơn hàng mới từ website')
	->text("Xin chào An,\n\nCảm ơn bạn đã đặt hàng. Hoá đơn đính kèm.\n")
	->html('<p>Xin chào <b>An</b>,</p><p>Cảm ơn bạn đã đặt hàng. Hoá đơn đính kèm.</p>')
	->attach($invoice, 'hoa-don.pdf');

$receipt = $mailer->send($message);
unlink($invoice);

echo "Sent: Message-ID <{$receipt->messageId}>\n";
echo "Server said: {$receipt->response}\n";
echo "Accepted: ", implode(', ', $receipt->accepted), "\n";
echo "\nThe session (credentials redacted):\n";
foreach ($mailer->transcript() as $line) {
	if (!str_starts_with($line, '* ')) {
		echo "  $line\n";
	}
}

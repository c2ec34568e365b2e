--TEST--
OAuth: a token too long for a 512-octet AUTH line goes in the two-step exchange (334, then the response); Microsoft's and Google's refusals come with a hint, and no fresh token is asked for when the account, not the token, is refused
--EXTENSIONS--
smtp
--FILE--
<?php
require __DIR__ . '/../inc/server.inc';
$long = str_repeat('eyJ0eXAiOiJKV1QiLCJub25jZSI6Ik1pY3Jvc29mdC1zaXplZCB0b2tlbiJ9', 40); /* 2,400 octets, as Microsoft's are */
$short = 'short-token';
$srv = SmtpTestServer::start(['tls' => 'starttls', 'auth' => "ann@example.org:$long", 'require_auth' => true,
	'auth_mechs' => ['XOAUTH2', 'OAUTHBEARER'], 'auth_line_max' => 512]);
foreach (['xoauth2', 'oauthbearer'] as $auth) {
	$mailer = new Smtp\Mailer($srv->config(['username' => 'ann@example.org', 'auth' => $auth, 'token' => $long]));
	echo "$auth: ", $mailer->sendRaw('ann@example.org', 'bob@example.net', "Subject: long\r\n\r\nx\r\n")->response, "\n";
}
foreach ($srv->sessions() as $s) {
	$auth = array_values(array_filter($s['lines'], fn($l) => str_starts_with($l['line'], 'AUTH') || $l['kind'] === 'auth'));
	echo "server saw: ", $auth[0]['line'], " then a continuation of ", strlen($auth[1]['line']), " octets (", $auth[1]['kind'], ")\n";
}

/* a short token still goes as an initial response */
$srv2 = SmtpTestServer::start(['tls' => 'starttls', 'auth' => "ann@example.org:$short", 'auth_line_max' => 512]);
$mailer = new Smtp\Mailer($srv2->config(['username' => 'ann@example.org', 'auth' => 'xoauth2', 'token' => $short]));
$mailer->sendRaw('ann@example.org', 'bob@example.net', "Subject: short\r\n\r\nx\r\n");
$s = $srv2->sessions()[0];
echo "short token: ", count(array_filter($s['lines'], fn($l) => $l['kind'] === 'auth')), " continuation lines, AUTH line ",
	strlen(array_values(array_filter($s['commands'], fn($c) => str_starts_with($c, 'AUTH')))[0]), " octets\n";

$refusals = [
	'microsoft, auth disabled' => ['reply' => ['AUTH' => '535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information.']],
	'google, 534' => ['reply' => ['AUTH' => '534 5.7.9 Application-specific password required. Learn more at https://support.google.com/mail/?p=InvalidSecondFactor']],
	'temporary' => ['reply' => ['AUTH' => '454 4.7.0 Temporary authentication failure']],
];
foreach ($refusals as $name => $fault) {
	$srv3 = SmtpTestServer::start(['tls' => 'starttls', 'auth' => 'ann@example.org:x', 'fault' => $fault]);
	$asked = [];
	try {
		(new Smtp\Mailer($srv3->config(['username' => 'ann@example.org', 'auth' => 'xoauth2',
			'token' => function (bool $r) use (&$asked) { $asked[] = $r; return 'x'; }])))
			->sendRaw('ann@example.org', 'bob@example.net', "Subject: s\r\n\r\nx\r\n");
	} catch (Smtp\AuthenticationException $e) {
		echo "$name: asked ", json_encode($asked), " temporary=", var_export($e->temporary, true), "\n  ", $e->getMessage(), "\n";
	}
}
/* Microsoft's refusal of a token: asked again, then the hint */
$srv4 = SmtpTestServer::start(['tls' => 'starttls', 'auth' => 'ann@example.org:good', 'oauth_style' => 'microsoft']);
try {
	(new Smtp\Mailer($srv4->config(['username' => 'ann@example.org', 'auth' => 'xoauth2', 'token' => fn(bool $r) => 'bad'])))
		->sendRaw('ann@example.org', 'bob@example.net', "Subject: s\r\n\r\nx\r\n");
} catch (Smtp\AuthenticationException $e) {
	echo "microsoft, bad token: AUTH tried ", count($srv4->sessions()[0]['auth_attempts']), " times\n  ", $e->getMessage(), "\n";
}
/* a server that does not offer the mechanism */
$srv5 = SmtpTestServer::start(['tls' => 'starttls', 'auth' => 'ann@example.org:x', 'auth_mechs' => ['PLAIN', 'LOGIN']]);
try {
	(new Smtp\Mailer($srv5->config(['username' => 'ann@example.org', 'auth' => 'oauthbearer', 'token' => 'x'])))
		->sendRaw('ann@example.org', 'bob@example.net', "Subject: s\r\n\r\nx\r\n");
} catch (Smtp\AuthenticationException $e) {
	echo "not offered: ", $e->getMessage(), "\n";
}
?>
--EXPECTF--
xoauth2: 250 %s
oauthbearer: 250 %s
server saw: AUTH XOAUTH2 then a continuation of 3248 octets (auth)
server saw: AUTH OAUTHBEARER then a continuation of %d octets (auth)
short token: 0 continuation lines, AUTH line %d octets
microsoft, auth disabled: asked [false] temporary=false
  Authentication (XOAUTH2) failed: 535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information. (Microsoft 365 has SMTP AUTH turned off for this mailbox or the whole tenant: an Exchange administrator must turn on Authenticated SMTP for the mailbox (admin center > Users > Active users > Mail > Manage email apps, or Set-CASMailbox <mailbox> -SmtpClientAuthenticationDisabled $false), and for the tenant unless it is allowed per mailbox)
google, 534: asked [false] temporary=false
  Authentication (XOAUTH2) failed: 534 5.7.9 Application-specific password required. Learn more at https://support.google.com/mail/?p=InvalidSecondFactor (Google wants OAuth 2.0 for this account: use auth xoauth2 with a token for the scope https://mail.google.com/, or an app password where the Workspace administrator allows them)
temporary: asked [false] temporary=true
  Authentication (XOAUTH2) failed: 454 4.7.0 Temporary authentication failure
microsoft, bad token: AUTH tried 2 times
  Authentication (XOAUTH2) failed: 535 5.7.3 Authentication unsuccessful [test.outlook.example] (Microsoft 365 refused the sign-in: check that the username is the mailbox the token was issued for, that the token has the SMTP.Send permission (scope https://outlook.office.com/SMTP.Send), and that Authenticated SMTP is turned on for the mailbox); a freshly issued token was refused too
not offered: 127.0.0.1:%d does not offer AUTH OAUTHBEARER: refusing to send without authenticating (is this the provider's submission server?)

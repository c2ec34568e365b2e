--TEST--
Message: CR, LF and NUL in any header name or value, and invalid addresses, throw at the call
--EXTENSIONS--
smtp
--FILE--
<?php
$m = new Smtp\Message();
$attempts = [
	'subject CRLF' => fn() => $m->subject("Hi\r\nBcc: victim@example.net"),
	'subject LF' => fn() => $m->subject("Hi\nX: y"),
	'subject NUL' => fn() => $m->subject("Hi\0"),
	'from name CR' => fn() => $m->from('a@example.com', "Ann\rBcc: v@example.net"),
	'to name LF' => fn() => $m->to('a@example.com', "Ann\nX: y"),
	'to address CRLF' => fn() => $m->to("a@example.com\r\nBcc: v@example.net"),
	'cc address space' => fn() => $m->cc('a b@example.com'),
	'bcc no at' => fn() => $m->bcc('nobody'),
	'replyTo bad domain' => fn() => $m->replyTo('a@-bad-.example'),
	'returnPath NUL' => fn() => $m->returnPath("a@example.com\0"),
	'header name CRLF' => fn() => $m->header("X-A\r\nBcc", 'v@example.net'),
	'header name colon' => fn() => $m->header('X-A:', 'v'),
	'header name space' => fn() => $m->header('X A', 'v'),
	'header value CRLF' => fn() => $m->header('X-A', "v\r\nBcc: v@example.net"),
	'header value NUL' => fn() => $m->header('X-A', "v\0"),
	'header owned Bcc' => fn() => $m->header('Bcc', 'v@example.net'),
	'header owned content-type' => fn() => $m->header('content-type', 'text/html'),
	'attach name CRLF' => fn() => $m->attachData('x', "a.txt\r\nX: y"),
	'attach type CRLF' => fn() => $m->attachData('x', 'a.txt', "text/plain\r\nX: y"),
	'embed cid CRLF' => fn() => $m->embed(__FILE__, "logo>\r\nX: y"),
	'attach missing file' => fn() => $m->attach('/nonexistent/file.pdf'),
	'subject bad UTF-8' => fn() => $m->subject("\xff\xfe"),
];
foreach ($attempts as $label => $attempt) {
	try {
		$attempt();
		echo "$label: NOT REJECTED\n";
	} catch (Smtp\InvalidArgumentException $e) {
		echo "$label: ", $e->getMessage(), "\n";
	}
}
// nothing of the above reached the message
$raw = $m->from('a@example.com')->to('b@example.org')->toString();
var_dump(str_contains($raw, 'victim'), str_contains($raw, 'X-A'), str_contains($raw, 'v@example.net'));
?>
--EXPECTF--
subject CRLF: The subject contains CR or LF (header injection refused)
subject LF: The subject contains CR or LF (header injection refused)
subject NUL: The subject contains NUL (header injection refused)
from name CR: The name given to from() contains CR or LF (header injection refused)
to name LF: The name given to to() contains CR or LF (header injection refused)
to address CRLF: Invalid address given to to(): CR or LF in address
cc address space: Invalid address "a b@example.com" given to cc(): space in address outside quotes
bcc no at: Invalid address "nobody" given to bcc(): missing @
replyTo bad domain: Invalid address "a@-bad-.example" given to replyTo(): invalid domain: label starts or ends with a hyphen
returnPath NUL: Invalid address given to returnPath(): NUL in address
header name CRLF: The header name contains CR or LF (header injection refused)
header name colon: The header name "X-A:" may contain only printable ASCII without spaces or ':'
header name space: The header name "X A" may contain only printable ASCII without spaces or ':'
header value CRLF: The value of the X-A header contains CR or LF (header injection refused)
header value NUL: The value of the X-A header contains NUL (header injection refused)
header owned Bcc: The Bcc header cannot be set with header(): use bcc()
header owned content-type: The content-type header cannot be set with header(): use text(), html(), attach() and embed()
attach name CRLF: The name given to attachData() contains CR or LF (header injection refused)
attach type CRLF: The type given to attachData() is not a media type like "application/pdf"
embed cid CRLF: The cid given to embed() must be %s
attach missing file: Cannot attach "/nonexistent/file.pdf": No such file or directory
subject bad UTF-8: The subject is not valid UTF-8
bool(false)
bool(false)
bool(false)

#!/usr/bin/python3
"""A capturing SMTP server for php-smtp's tests: real sockets, scripted faults.

Run it with Debian's /usr/bin/python3 (stdlib only). It listens on loopback,
records everything it is sent and can misbehave on purpose, one switch per fault.

Why not aiosmtpd: the faults below (a silent greeting, one byte per second,
hanging up after N bytes of DATA, a log of every line with its TLS state) need
control over the reading loop that aiosmtpd keeps in private methods. A small
threaded server over plain sockets keeps every byte visible and every fault
one `if` away.

Where it listens
  --host ADDR           127.0.0.1 (default) or ::1. Loopback only.
  --port N              0 (default) binds a free port.
  --ready-file PATH     written (atomically) with the port number once listening.
  --lifetime SECONDS    exit after this long whatever happens (default 600).
  --watch-stdin         exit when standard input reaches EOF, so a starter that
                        dies (even by SIGKILL) never leaves this process behind.

What it records, under --spool DIR (required)
  DIR/NNNN.eml          each accepted message: the DATA bytes as received, CRLF kept,
                        transparency dots removed, without the final ".".
                        Written to a temporary name, then renamed.
  DIR/NNNN.json         written after the .eml: number, session, peer, helo, tls,
                        auth_user, mail_from, mail_options (e.g. ["SIZE=12",
                        "BODY=8BITMIME", "SMTPUTF8"]), rcpt_tos (accepted only),
                        rcpt_options, size, bare_lf (lines ending in LF alone),
                        bare_cr (CRs not followed by LF), longest_line (octets,
                        without CRLF), stuffed_lines (lines that began with "..").
  DIR/log.jsonl         one JSON object a line, in order, flushed at once:
                          {"session":1,"event":"connect","peer":[host,port],"tls":false}
                          {"session":1,"event":"line","line":"EHLO x","tls":false,"kind":"command"}
                            kind is "command", or "auth" for a SASL continuation line,
                            or "stalled" for a line read while the server is stalling
                          {"session":1,"event":"reply","reply":"250 ...","tls":false}
                          {"session":1,"event":"tls","version":"TLSv1.3"}
                          {"session":1,"event":"auth","user":"u","mechanism":"PLAIN","ok":true}
                          {"session":1,"event":"message","number":1}
                          {"session":1,"event":"fault","fault":"..."}
                          {"session":1,"event":"close","reason":"..."}
                        AUTH lines are logged exactly as received, so a test can prove
                        that credentials never crossed the wire in the clear.

TLS and AUTH
  --tls none|starttls|implicit   (default none); --cert PEM --key PEM.
  --auth USER:PASS      enables AUTH PLAIN, LOGIN, CRAM-MD5 and XOAUTH2 (for
                        XOAUTH2 the password is the bearer token). Offered and
                        accepted only once TLS is active unless --auth-plaintext.
  --auth-mechs LIST     comma separated subset to offer, e.g. LOGIN,CRAM-MD5.
  --auth-plaintext      allow AUTH without TLS.
  OAUTHBEARER (RFC 7628) can be offered too (--auth-mechs); like XOAUTH2 its token
  is checked against the password of --auth, or with --oauth-introspect URL at an
  OAuth 2.0 server's introspection endpoint (RFC 7662; as client
  --oauth-introspect-client ID:SECRET, default smtp-server:smtp-server-secret): the
  token must be active, carry the scope --oauth-scope (default smtp.send), and
  belong to the user (sub), or be a client credentials token (no sub: app-only).
  A refused token is refused the way the providers do (--oauth-style):
    google (default)  334 + base64 JSON error ({"status":"401",...} for XOAUTH2,
                      {"status":"invalid_token",...} for OAUTHBEARER), then after the
                      client's answer 535 5.7.8 Username and Password not accepted
    microsoft         535 5.7.3 Authentication unsuccessful, at once
  --auth-line-max N     an AUTH command line (CRLF included) longer than N octets gets
                        500 5.5.6 (RFC 5321's 512 for a command line); continuation
                        lines may be as long as tokens are.
  --require-auth        MAIL before a successful AUTH gets 530 5.7.0.
  Wrong credentials: 535 5.7.8 Authentication credentials invalid.

Extensions
  --smtputf8 / --no-smtputf8   advertise SMTPUTF8 (default: advertised).
  --pipelining / --no-pipelining  advertise PIPELINING (default: advertised). Either
                        way each command line's log event says "pipelined": true
                        when more bytes had already arrived before it was answered.
  --max-size N          advertise SIZE N; bigger messages get 552 5.3.4.
  --chunking / --no-chunking   advertise CHUNKING (RFC 3030; default: not advertised).
                        BDAT is taken either way: each chunk's bytes are read exactly
                        (no dot-unstuffing), the BDAT line is logged once its bytes
                        are in ("pipelined" then means more bytes followed them), and
                        the message's .json says "transfer": "BDAT" and "chunks"
                        (the sizes). After a refused chunk the transaction is failed:
                        later BDATs are read and discarded with 503 until RSET.

Faults (by default on every session; --fault-sessions N limits the connection
faults to the first N sessions, so a retry or a reconnect can succeed)
  --no-starttls-advert          with --tls starttls: EHLO does not offer STARTTLS
                                (and STARTTLS, if sent anyway, gets 502).
  --starttls-reply REPLY        answer STARTTLS with REPLY, e.g. "454 4.7.0 TLS not available".
  --greeting REPLY              greet with REPLY instead of 220; a 421 greeting
                                closes at once, any other non-220 greeting answers
                                503 to everything but QUIT (RFC 5321 3.1).
  --disconnect-in-data N        hang up once N bytes of DATA content have arrived.
  --stall WHEN                  stop answering: "greeting" (accept, say nothing),
                                a command verb such as MAIL (that command gets no
                                reply, nor anything after it), or "DOT" (the end
                                of DATA, or BDAT LAST, gets no reply). Lines keep being logged.
  --trickle SECONDS             write every reply one byte at a time, SECONDS apart.
  --reject-rcpt ADDR=REPLY      (repeatable) RCPT TO:<ADDR> gets REPLY,
                                e.g. "x@y.test=550 5.1.1 <x@y.test> no such user".
  --data-reply REPLY            reply to the end of DATA, e.g. "451 4.3.0 try later";
                                the message is then not spooled.
  --data-reply-count N          ... only for the first N messages (default: all).
  --reply VERB=REPLY            (repeatable) answer that command with REPLY, e.g.
                                "MAIL=451 4.3.0 busy" or "RSET=500 no".
  --close-after-message         hang up right after replying to each message.
  --idle-timeout SECONDS        a session that sends nothing for this long gets
                                "421 4.4.2 idle timeout" and is closed (as Postfix does).
  --bdat-reply N=REPLY          (repeatable) the Nth BDAT of the session gets REPLY
                                once its bytes are read, e.g. "2=452 4.3.1 disk full";
                                a refusal fails the transaction (see --chunking).
  --disconnect-in-bdat N        hang up once N bytes of BDAT chunks have arrived in
                                the session (mid-chunk).
  --rcpt-limit N                accept at most N recipients a transaction, as Postfix's
                                smtpd_recipient_limit: each RCPT past it gets
                                "452 4.5.3 Error: too many recipients".
  --rcpt-overshoot N            those replies are free up to N a session (Postfix's
                                smtpd_recipient_overshoot_limit, default here 1000);
                                each one past N counts as an error.
  --hard-error-limit N          at the Nth error (see above; 0, the default, never)
                                answer "421 4.7.0 Error: too many errors" and hang up,
                                as Postfix's smtpd_hard_error_limit.
  --no-8bitmime                 do not offer 8BITMIME (BODY= is then refused with 555).
  --no-auth-advert              do not offer AUTH (AUTH, if sent, gets 502).

Stop it with SIGTERM or SIGINT (or EOF on stdin with --watch-stdin).
"""

import argparse
import base64
import hashlib
import hmac
import json
import os
import signal
import socket
import ssl
import sys
import threading
import time
import urllib.parse
import urllib.request

MAX_COMMAND_LINE = 4096
READ_TIMEOUT = 120.0


class Recorder:
    """Writes the spool and the event log; shared by all session threads."""

    def __init__(self, spool):
        self.spool = spool
        self.lock = threading.Lock()
        self.sessions = 0
        self.messages = 0
        self.log = open(os.path.join(spool, "log.jsonl"), "a", encoding="utf-8")

    def next_session(self):
        with self.lock:
            self.sessions += 1
            return self.sessions

    def next_message(self):
        with self.lock:
            self.messages += 1
            return self.messages

    def event(self, session, event, **fields):
        record = {"session": session, "event": event, "time": round(time.time(), 6)}
        record.update(fields)
        line = json.dumps(record, ensure_ascii=False) + "\n"
        with self.lock:
            self.log.write(line)
            self.log.flush()

    def write_atomic(self, name, data):
        final = os.path.join(self.spool, name)
        temp = os.path.join(self.spool, "." + name + ".tmp")
        with open(temp, "wb") as handle:
            handle.write(data)
        os.rename(temp, final)


def decode_line(raw):
    # Lines may carry UTF-8 (SMTPUTF8) or stray 8-bit bytes: keep them visible
    # without failing; surrogateescape round-trips any byte.
    return raw.decode("utf-8", errors="surrogateescape")


def json_safe(text):
    return text.encode("utf-8", errors="surrogateescape").decode("utf-8", errors="replace")


class Hangup(Exception):
    """The session ends now (client left, fault, or QUIT)."""


class Session:
    def __init__(self, server, sock, peer):
        self.server = server
        self.opts = server.opts
        self.rec = server.recorder
        self.sock = sock
        self.peer = peer
        self.number = self.rec.next_session()
        self.faulty = self.opts.fault_sessions == 0 or self.number <= self.opts.fault_sessions
        self.buffer = b""
        self.tls = False
        self.stalled = False
        self.greeting_refused = False
        self.bdat_received = 0  # chunk bytes in this session, for --disconnect-in-bdat
        self.bdat_session_count = 0  # BDAT commands in this session, for --bdat-reply
        self.too_many = 0
        self.errors = 0
        self.reset_for_tls()

    # --- state -----------------------------------------------------------
    def reset_for_tls(self):
        # RFC 3207 4.2: after STARTTLS everything learnt before is forgotten.
        self.helo = None
        self.esmtp = False
        self.auth_user = None
        self.reset_envelope()

    def reset_envelope(self):
        self.mail_from = None
        self.mail_options = []
        self.rcpt_tos = []
        self.rcpt_options = []
        self.bdat_chunks = []     # sizes of the chunks taken so far
        self.bdat_content = []
        self.bdat_failed = False  # a chunk was refused: the rest are discarded until RSET
        self.bdat_count = 0

    def fault(self, flag):
        return self.faulty and flag

    # --- I/O ---------------------------------------------------------------
    def log(self, event, **fields):
        self.rec.event(self.number, event, **fields)

    def recv_more(self):
        try:
            chunk = self.sock.recv(65536)
        except socket.timeout:
            if self.opts.idle_timeout:
                self.log("fault", fault="idle-timeout")
                self.reply("421 4.4.2 %s Error: timeout exceeded" % self.server.hostname)
            raise Hangup("idle timeout")
        except (ConnectionError, ssl.SSLError, OSError) as error:
            raise Hangup("read error: %s" % error)
        if not chunk:
            raise Hangup("client closed")
        self.buffer += chunk
        return len(chunk)

    def read_line(self, limit=MAX_COMMAND_LINE):
        """One line including its LF; None if it ran past limit (then discarded)."""
        while True:
            end = self.buffer.find(b"\n")
            if end >= 0:
                line, self.buffer = self.buffer[: end + 1], self.buffer[end + 1 :]
                return line if len(line) <= limit + 2 else None
            if len(self.buffer) > limit + 2:
                # Drop the overlong line up to its end, then report it.
                while self.buffer.find(b"\n") < 0:
                    self.buffer = b""
                    self.recv_more()
                self.buffer = self.buffer[self.buffer.find(b"\n") + 1 :]
                return None
            self.recv_more()

    def send_raw(self, data):
        delay = self.opts.trickle if self.faulty else 0
        try:
            if delay:
                for i in range(len(data)):
                    self.sock.sendall(data[i : i + 1])
                    if i + 1 < len(data):
                        time.sleep(delay)
            else:
                self.sock.sendall(data)
        except (ConnectionError, ssl.SSLError, OSError) as error:
            raise Hangup("write error: %s" % error)

    def reply(self, *lines):
        """Send a (possibly multiline) reply; lines are given without the code separator."""
        text = ""
        for i, line in enumerate(lines):
            code, rest = line[:3], line[4:] if len(line) > 3 else ""
            separator = " " if i == len(lines) - 1 else "-"
            text += code + separator + rest + "\r\n"
        for line in text.splitlines():
            self.log("reply", reply=line, tls=self.tls)
        self.send_raw(text.encode("utf-8"))

    def stall(self, why):
        """Say nothing more; keep reading (and logging) until the client gives up."""
        self.log("fault", fault="stall", at=why)
        self.stalled = True
        while True:
            line = self.read_line()
            if line is not None:
                self.log("line", line=json_safe(decode_line(line.rstrip(b"\r\n"))), tls=self.tls, kind="stalled")

    # --- the session -----------------------------------------------------------
    def run(self):
        reason = "done"
        try:
            self.log("connect", peer=list(self.peer[:2]), tls=False)
            self.sock.settimeout(self.opts.idle_timeout or READ_TIMEOUT)
            if self.opts.tls == "implicit":
                self.start_tls()
            self.serve()
        except Hangup as why:
            reason = str(why)
        except Exception as error:  # a bug here must show in the test output, not vanish
            reason = "server error: %r" % error
            print("smtpd.py: session %d: %r" % (self.number, error), file=sys.stderr)
        finally:
            self.log("close", reason=reason)
            try:
                self.sock.close()
            except OSError:
                pass

    def start_tls(self):
        try:
            self.sock = self.server.tls_context.wrap_socket(self.sock, server_side=True)
        except (ssl.SSLError, OSError) as error:
            self.log("tls-failed", error=str(error))
            raise Hangup("TLS handshake failed: %s" % error)
        self.tls = True
        self.log("tls", version=self.sock.version(), cipher=self.sock.cipher()[0])

    def serve(self):
        opts = self.opts
        if self.fault(opts.stall == "greeting"):
            self.stall("greeting")
        if self.fault(opts.greeting):
            self.reply(opts.greeting)
            if opts.greeting.startswith("421"):
                self.log("fault", fault="greeting-421")
                raise Hangup("421 greeting")
            self.greeting_refused = not opts.greeting.startswith("2")
        else:
            self.reply("220 %s ESMTP php-smtp test server" % self.server.hostname)
        while True:
            raw = self.read_line()
            if raw is None:
                self.log("line", line="<line too long>", tls=self.tls, kind="command")
                self.reply("500 5.5.2 Line too long")
                continue
            line = decode_line(raw.rstrip(b"\r\n"))
            verb, _, arg = line.partition(" ")
            verb = verb.upper()
            if verb == "BDAT" and not self.greeting_refused:
                # its chunk follows the line: read first, so "pipelined" means what came after
                self.smtp_BDAT(line, arg.strip())
                continue
            # more bytes already here before this line is answered: the client pipelined
            self.log("line", line=json_safe(line), tls=self.tls, kind="command", pipelined=bool(self.buffer))
            if self.fault(opts.stall and opts.stall.upper() == verb):
                self.stall(verb)
            if self.greeting_refused and verb != "QUIT":
                self.reply("503 5.5.1 No SMTP service here")
                continue
            override = self.faulty and opts.reply.get(verb)
            if override:
                self.reply(override)
                continue
            handler = getattr(self, "smtp_" + verb, None) if verb.isalpha() else None
            if handler is None:
                self.reply("500 5.5.2 Error: command not recognized")
                continue
            handler(arg.strip())

    # --- commands ------------------------------------------------------------------
    def smtp_HELO(self, arg):
        if not arg:
            return self.reply("501 5.5.4 Syntax: HELO hostname")
        self.reset_envelope()
        self.helo, self.esmtp = arg, False
        self.reply("250 %s" % self.server.hostname)

    def smtp_EHLO(self, arg):
        if not arg:
            return self.reply("501 5.5.4 Syntax: EHLO hostname")
        opts = self.opts
        self.reset_envelope()
        self.helo, self.esmtp = arg, True
        lines = ["250 %s greets %s" % (self.server.hostname, arg)]
        if opts.pipelining:
            lines.append("250 PIPELINING")
        if opts.chunking:
            lines.append("250 CHUNKING")
        if opts.eightbitmime:
            lines.append("250 8BITMIME")
        lines.append("250 ENHANCEDSTATUSCODES")
        lines.append("250 SIZE %d" % opts.max_size if opts.max_size else "250 SIZE")
        if opts.smtputf8:
            lines.append("250 SMTPUTF8")
        if opts.tls == "starttls" and not self.tls and not self.fault(opts.no_starttls_advert):
            lines.append("250 STARTTLS")
        if self.auth_offered():
            lines.append("250 AUTH " + " ".join(opts.auth_mechs))
        lines.append("250 HELP")
        self.reply(*lines)

    def auth_offered(self):
        opts = self.opts
        return bool(opts.auth) and (self.tls or opts.auth_plaintext) and not self.fault(opts.no_auth_advert)

    def smtp_STARTTLS(self, arg):
        opts = self.opts
        if opts.tls != "starttls" or self.tls or self.fault(opts.no_starttls_advert):
            return self.reply("502 5.5.1 STARTTLS not available")
        if arg:
            return self.reply("501 5.5.4 Syntax: STARTTLS")
        if self.fault(opts.starttls_reply):
            return self.reply(opts.starttls_reply)
        if self.buffer:
            # Bytes pipelined after STARTTLS arrived in the clear: they must not be
            # taken as commands inside TLS (the STARTTLS injection attack).
            self.log("fault", fault="starttls-injection", discarded=json_safe(decode_line(self.buffer)))
            self.buffer = b""
        self.reply("220 2.0.0 Ready to start TLS")
        self.start_tls()
        self.reset_for_tls()

    def smtp_AUTH(self, arg):
        opts = self.opts
        if not opts.auth or self.fault(opts.no_auth_advert):
            return self.reply("502 5.5.1 AUTH not available")
        if not self.helo:
            return self.reply("503 5.5.1 Error: send EHLO first")
        if self.auth_user is not None:
            return self.reply("503 5.5.1 Already authenticated")
        if self.mail_from is not None:
            return self.reply("503 5.5.1 AUTH not allowed during a mail transaction")
        if not self.tls and not opts.auth_plaintext:
            return self.reply("538 5.7.11 Encryption required for requested authentication mechanism")
        mechanism, _, initial = arg.partition(" ")
        mechanism = mechanism.upper()
        if mechanism not in opts.auth_mechs:
            return self.reply("504 5.5.4 Unrecognized authentication type")
        if opts.auth_line_max and len("AUTH ") + len(arg) + 2 > opts.auth_line_max:
            return self.reply("500 5.5.6 Line too long")
        method = getattr(self, "auth_" + mechanism.replace("-", "_"))
        self.refusal = None
        try:
            user = method(initial.strip())
        except AuthAborted:
            return self.reply("501 5.7.0 Authentication aborted")
        except (ValueError, UnicodeDecodeError, base64.binascii.Error):
            self.log("auth", user=None, mechanism=mechanism, ok=False)
            return self.reply("501 5.5.2 Cannot decode response")
        ok = user is not None
        self.log("auth", user=user, mechanism=mechanism, ok=ok)
        if not ok:
            return self.reply(*(self.refusal or ("535 5.7.8 Authentication credentials invalid",)))
        self.auth_user = user
        self.reply("235 2.7.0 Authentication successful")

    def challenge(self, text):
        """Send a 334 challenge, return the client's decoded answer."""
        self.reply("334 " + base64.b64encode(text).decode("ascii"))
        raw = self.read_line(limit=65536)
        if raw is None:
            raise ValueError("overlong SASL line")
        line = raw.rstrip(b"\r\n").decode("ascii")
        self.log("line", line=line, tls=self.tls, kind="auth")
        if line == "*":
            raise AuthAborted()
        return base64.b64decode(line, validate=True)

    def initial_or_challenge(self, initial, text=b""):
        if initial == "=":
            return b""
        if initial:
            return base64.b64decode(initial, validate=True)
        return self.challenge(text)

    def check(self, user, password):
        expected_user, expected_password = self.opts.auth
        same_user = hmac.compare_digest(user.encode(), expected_user.encode())
        same_password = hmac.compare_digest(password.encode(), expected_password.encode())
        return user if same_user and same_password else None

    def auth_PLAIN(self, initial):
        response = self.initial_or_challenge(initial)
        parts = response.split(b"\0")
        if len(parts) != 3:
            raise ValueError("PLAIN needs authzid NUL authcid NUL password")
        return self.check(parts[1].decode("utf-8"), parts[2].decode("utf-8"))

    def auth_LOGIN(self, initial):
        user = self.initial_or_challenge(initial, b"Username:").decode("utf-8")
        password = self.challenge(b"Password:").decode("utf-8")
        return self.check(user, password)

    def auth_CRAM_MD5(self, initial):
        if initial:
            raise ValueError("CRAM-MD5 takes no initial response")
        nonce = "<%d.%d@%s>" % (os.getpid(), time.time_ns(), self.server.hostname)
        response = self.challenge(nonce.encode()).decode("utf-8")
        user, _, digest = response.rpartition(" ")
        expected_user, password = self.opts.auth
        good = hmac.new(password.encode(), nonce.encode(), hashlib.md5).hexdigest()
        if hmac.compare_digest(user.encode(), expected_user.encode()) and hmac.compare_digest(digest.encode(), good.encode()):
            return user
        return None

    def auth_XOAUTH2(self, initial):
        response = self.initial_or_challenge(initial).decode("utf-8")
        fields = response.split("\x01")
        if len(fields) < 3 or fields[-2:] != ["", ""]:
            raise ValueError("XOAUTH2 needs user=...^Aauth=Bearer ...^A^A")
        values = dict(field.split("=", 1) for field in fields[:-2] if "=" in field)
        token = values.get("auth", "")
        if not token.startswith("Bearer "):
            raise ValueError("XOAUTH2 auth field must be a Bearer token")
        return self.check_token("XOAUTH2", values.get("user", ""), token[len("Bearer "):])

    def auth_OAUTHBEARER(self, initial):
        # RFC 7628 3.1: gs2-header "n,a=user," then ^A-separated key=value pairs, ^A^A
        response = self.initial_or_challenge(initial).decode("utf-8")
        header, sep, rest = response.partition("\x01")
        parts = header.split(",")
        if not sep or len(parts) < 3 or parts[0] not in ("n", "y") or not rest.endswith("\x01\x01"):
            raise ValueError("OAUTHBEARER needs a GS2 header and ^A-separated pairs")
        user = ""
        if parts[1].startswith("a="):
            user = parts[1][2:].replace("=2C", ",").replace("=3D", "=")
        values = dict(field.split("=", 1) for field in rest.split("\x01") if "=" in field)
        token = values.get("auth", "")
        if not token.startswith("Bearer ") or "host" not in values or "port" not in values:
            raise ValueError("OAUTHBEARER needs host, port and auth=Bearer")
        return self.check_token("OAUTHBEARER", user, token[len("Bearer "):])

    def introspect(self, token):
        client_id, _, secret = self.opts.oauth_introspect_client.partition(":")
        body = urllib.parse.urlencode({"token": token, "client_id": client_id, "client_secret": secret}).encode()
        request = urllib.request.Request(self.opts.oauth_introspect, data=body,
                                         headers={"Content-Type": "application/x-www-form-urlencoded"})
        with urllib.request.urlopen(request, timeout=10) as answer:
            return json.loads(answer.read().decode("utf-8"))

    def check_token(self, mechanism, user, token):
        opts = self.opts
        if opts.oauth_introspect:
            try:
                info = self.introspect(token)
            except (OSError, ValueError) as error:
                self.log("introspection", error=str(error))
                info = {"active": False}
            good = (info.get("active") is True and opts.oauth_scope in info.get("scope", "").split()
                    and info.get("sub", user) == user)
            self.log("introspection", active=info.get("active"), sub=info.get("sub"), client_id=info.get("client_id"),
                     good=good)
        else:
            good = self.check(user, token) is not None
        if good:
            return user
        if opts.oauth_style == "microsoft":
            self.refusal = ("535 5.7.3 Authentication unsuccessful [test.outlook.example]",)
            return None
        # Google: the error as a JSON challenge; the client answers (an empty
        # line for XOAUTH2, %x01 for OAUTHBEARER), then the final refusal
        if mechanism == "XOAUTH2":
            error = {"status": "401", "schemes": "bearer", "scope": "https://mail.google.com/"}
        else:
            error = {"status": "invalid_token", "scope": opts.oauth_scope}
        answer = self.challenge(json.dumps(error, separators=(",", ":")).encode())
        self.log("oauth_error_answer", answer=base64.b64encode(answer).decode("ascii"))
        self.refusal = ("535 5.7.8 Username and Password not accepted. For more information, go to",
                        "535 5.7.8  https://support.google.com/mail/?p=BadCredentials")
        return None

    def smtp_MAIL(self, arg):
        opts = self.opts
        if not self.helo:
            return self.reply("503 5.5.1 Error: send HELO first")
        if self.mail_from is not None:
            return self.reply("503 5.5.1 Error: nested MAIL command")
        if opts.require_auth and self.auth_user is None:
            return self.reply("530 5.7.0 Authentication required")
        address, params = parse_path(arg, "FROM:")
        if address is None:
            return self.reply("501 5.5.4 Syntax: MAIL FROM:<address>")
        if params and not self.esmtp:
            return self.reply("555 5.5.4 MAIL parameters need EHLO")
        upper = [param.upper() for param in params]
        if "SMTPUTF8" in upper and not opts.smtputf8:
            return self.reply("555 5.5.4 SMTPUTF8 not supported")
        if not address.isascii() and "SMTPUTF8" not in upper:
            return self.reply("553 5.6.7 Non-ASCII address needs SMTPUTF8")
        for param in upper:
            if param.startswith("SIZE="):
                if not param[5:].isdigit():
                    return self.reply("501 5.5.4 Bad SIZE parameter")
                if opts.max_size and int(param[5:]) > opts.max_size:
                    return self.reply("552 5.3.4 Message size exceeds fixed maximum message size")
            elif param.startswith("BODY="):
                if not opts.eightbitmime:
                    return self.reply("555 5.5.4 Unsupported option: " + param)
                if param[5:] not in ("7BIT", "8BITMIME"):
                    return self.reply("501 5.5.4 Bad BODY parameter")
        self.mail_from, self.mail_options = address, params
        self.reply("250 2.1.0 OK")

    def smtp_RCPT(self, arg):
        if self.mail_from is None:
            return self.reply("503 5.5.1 Error: need MAIL command")
        address, params = parse_path(arg, "TO:")
        if not address:
            return self.reply("501 5.5.4 Syntax: RCPT TO:<address>")
        if not address.isascii() and "SMTPUTF8" not in [p.upper() for p in self.mail_options]:
            return self.reply("553 5.6.7 Non-ASCII address needs SMTPUTF8")
        rejection = self.faulty and self.opts.reject_rcpt.get(address.lower())
        if rejection:
            return self.reply(rejection)
        if self.opts.rcpt_limit and len(self.rcpt_tos) >= self.opts.rcpt_limit:
            self.too_many += 1
            self.log("fault", fault="too-many-recipients", count=self.too_many)
            self.reply("452 4.5.3 Error: too many recipients")
            if self.too_many > self.opts.rcpt_overshoot:
                self.count_error()
            return
        self.rcpt_tos.append(address)
        self.rcpt_options.append(params)
        self.reply("250 2.1.5 OK")

    def count_error(self):
        self.errors += 1
        if self.opts.hard_error_limit and self.errors >= self.opts.hard_error_limit:
            self.log("fault", fault="hard-error-limit", errors=self.errors)
            self.reply("421 4.7.0 Error: too many errors")
            raise Hangup("too many errors")

    def smtp_DATA(self, arg):
        opts = self.opts
        if arg:
            return self.reply("501 5.5.4 Syntax: DATA")
        if self.mail_from is None:
            return self.reply("503 5.5.1 Error: need MAIL command")
        if self.bdat_count:
            return self.reply("503 5.5.1 Error: DATA inside a BDAT transaction")
        if not self.rcpt_tos:
            return self.reply("554 5.5.1 Error: no valid recipients")
        self.reply("354 End data with <CR><LF>.<CR><LF>")
        content, stats = self.read_data()
        if self.fault(opts.stall == "DOT"):
            self.stall("DOT")
        self.take_message(content, stats, "DATA")

    def take_message(self, content, stats, transfer):
        """The end of a message (final dot or BDAT LAST): store it and answer."""
        opts = self.opts
        number = self.rec.next_message()
        if opts.data_reply and (opts.data_reply_count == 0 or number <= opts.data_reply_count):
            self.log("fault", fault="data-reply", number=number)
            self.reset_envelope()
            return self.reply(opts.data_reply)
        if opts.max_size and len(content) > opts.max_size:
            self.reset_envelope()
            return self.reply("552 5.3.4 Message size exceeds fixed maximum message size")
        meta = {
            "number": number, "session": self.number, "peer": list(self.peer[:2]), "helo": self.helo,
            "tls": self.tls, "auth_user": self.auth_user, "mail_from": self.mail_from,
            "mail_options": self.mail_options, "rcpt_tos": self.rcpt_tos, "rcpt_options": self.rcpt_options,
            "size": len(content), "received_at": time.time(), "transfer": transfer,
        }
        if transfer == "BDAT":
            meta["chunks"] = self.bdat_chunks
        meta.update(stats)
        name = "%04d" % number
        self.rec.write_atomic(name + ".eml", content)
        self.rec.write_atomic(name + ".json", json.dumps(meta, ensure_ascii=False, indent=1).encode("utf-8"))
        self.log("message", number=number, size=len(content))
        self.reset_envelope()
        self.reply("250 2.0.0 OK: queued as %s" % name)
        if self.fault(opts.close_after_message):
            self.log("fault", fault="close-after-message")
            raise Hangup("closed after message")

    def read_data(self):
        """Read up to CRLF.CRLF; return the unstuffed content and a few facts about it."""
        limit = self.opts.disconnect_in_data if self.faulty else 0
        received = 0
        lines = []
        stats = {"bare_lf": 0, "bare_cr": 0, "longest_line": 0, "stuffed_lines": 0}
        while True:
            if limit and received + len(self.buffer) >= limit:
                self.log("fault", fault="disconnect-in-data", after=received + len(self.buffer))
                try:
                    self.sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                raise Hangup("disconnected in DATA")
            end = self.buffer.find(b"\n")
            if end < 0:
                self.recv_more()
                continue
            line, self.buffer = self.buffer[: end + 1], self.buffer[end + 1 :]
            received += len(line)
            if line == b".\r\n":
                break
            if not line.endswith(b"\r\n"):
                stats["bare_lf"] += 1
            body = line[:-2] if line.endswith(b"\r\n") else line[:-1]
            stats["bare_cr"] += body.count(b"\r")
            stats["longest_line"] = max(stats["longest_line"], len(body))
            if line.startswith(b"."):
                # RFC 5321 4.5.2: the client doubled a leading dot; take one away.
                line = line[1:]
                stats["stuffed_lines"] += 1
            lines.append(line)
        self.log("data", bytes=received)
        return b"".join(lines), stats

    def read_chunk(self, size):
        """Exactly size bytes of a BDAT chunk (RFC 3030: no line structure, no dots)."""
        limit = self.opts.disconnect_in_bdat if self.faulty else 0
        while True:
            have = min(len(self.buffer), size)
            if limit and self.bdat_received + have >= limit:
                self.log("fault", fault="disconnect-in-bdat", after=self.bdat_received + have)
                try:
                    self.sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                raise Hangup("disconnected in BDAT")
            if have == size:
                break
            self.recv_more()
        chunk, self.buffer = self.buffer[:size], self.buffer[size:]
        self.bdat_received += size
        return chunk

    def smtp_BDAT(self, line, arg):
        opts = self.opts
        words = arg.split()
        if not (1 <= len(words) <= 2 and words[0].isdigit() and (len(words) == 1 or words[1].upper() == "LAST")):
            self.log("line", line=json_safe(line), tls=self.tls, kind="command", pipelined=bool(self.buffer))
            return self.reply("501 5.5.4 Syntax: BDAT size [LAST]")
        size, last = int(words[0]), len(words) == 2
        chunk = self.read_chunk(size)
        self.log("line", line=json_safe(line), tls=self.tls, kind="command", pipelined=bool(self.buffer))
        self.log("bdat", size=size, last=last)
        if self.mail_from is None:
            return self.reply("503 5.5.1 Error: need MAIL command")
        self.bdat_count += 1
        self.bdat_session_count += 1
        if self.bdat_failed:
            return self.reply("503 5.5.1 Error: BDAT after a refused chunk, send RSET")
        if not self.rcpt_tos:
            self.bdat_failed = True
            return self.reply("554 5.5.1 Error: no valid recipients")
        refusal = self.faulty and (opts.bdat_reply.get(self.bdat_session_count) or opts.reply.get("BDAT"))
        if refusal:
            self.log("fault", fault="bdat-reply", chunk=self.bdat_count)
            self.bdat_failed = not refusal.startswith("2")
            return self.reply(refusal)
        self.bdat_chunks.append(size)
        self.bdat_content.append(chunk)
        if not last:
            return self.reply("250 2.0.0 %d octets received" % size)
        content = b"".join(self.bdat_content)
        self.log("data", bytes=len(content))
        if self.fault(opts.stall == "DOT"):
            self.stall("DOT")
        self.take_message(content, content_stats(content), "BDAT")

    def smtp_RSET(self, arg):
        self.reset_envelope()
        self.reply("250 2.0.0 OK")

    def smtp_NOOP(self, arg):
        self.reply("250 2.0.0 OK")

    def smtp_VRFY(self, arg):
        self.reply("252 2.1.5 Cannot VRFY user, but will accept message")

    def smtp_HELP(self, arg):
        self.reply("214 2.0.0 See RFC 5321")

    def smtp_QUIT(self, arg):
        self.reply("221 2.0.0 Bye")
        raise Hangup("QUIT")


def content_stats(content):
    """The facts read_data() gathers, for content that came in BDAT chunks (never stuffed)."""
    stats = {"bare_lf": 0, "bare_cr": 0, "longest_line": 0, "stuffed_lines": 0}
    for line in content.split(b"\n"):
        body = line[:-1] if line.endswith(b"\r") else line
        stats["bare_cr"] += body.count(b"\r")
        stats["longest_line"] = max(stats["longest_line"], len(body))
    stats["bare_lf"] = content.count(b"\n") - content.count(b"\r\n")
    return stats


class AuthAborted(Exception):
    pass


def parse_path(arg, keyword):
    """'FROM:<a@b> SIZE=10' -> ('a@b', ['SIZE=10']); (None, []) when malformed."""
    if not arg[: len(keyword)].upper() == keyword:
        return None, []
    rest = arg[len(keyword):].lstrip()
    if not rest.startswith("<"):
        return None, []
    end = rest.find(">")
    if end < 0:
        return None, []
    return rest[1:end], rest[end + 1 :].split()


class Server:
    def __init__(self, opts):
        self.opts = opts
        self.hostname = "smtp.test"
        self.recorder = Recorder(opts.spool)
        self.tls_context = None
        if opts.tls != "none":
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(opts.cert, opts.key)
            self.tls_context = context
        family = socket.AF_INET6 if ":" in opts.host else socket.AF_INET
        self.listener = socket.socket(family, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind((opts.host, opts.port))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]

    def serve_forever(self):
        while True:
            try:
                sock, peer = self.listener.accept()
            except OSError:
                return
            session = Session(self, sock, peer)
            threading.Thread(target=session.run, daemon=True).start()


def parse_args(argv):
    parser = argparse.ArgumentParser(description="Capturing SMTP test server (see module docstring).")
    add = parser.add_argument
    add("--host", default="127.0.0.1")
    add("--port", type=int, default=0)
    add("--ready-file")
    add("--spool", required=True)
    add("--lifetime", type=float, default=600.0)
    add("--watch-stdin", action="store_true")
    add("--tls", choices=["none", "starttls", "implicit"], default="none")
    add("--cert")
    add("--key")
    add("--auth")
    add("--auth-mechs", default="PLAIN,LOGIN,CRAM-MD5,XOAUTH2")
    add("--auth-plaintext", action="store_true")
    add("--require-auth", action="store_true")
    add("--smtputf8", action=argparse.BooleanOptionalAction, default=True)
    add("--max-size", type=int, default=0)
    add("--pipelining", action=argparse.BooleanOptionalAction, default=True)
    add("--chunking", action=argparse.BooleanOptionalAction, default=False)
    add("--bdat-reply", action="append", default=[])
    add("--disconnect-in-bdat", type=int, default=0)
    add("--idle-timeout", type=float, default=0.0)
    add("--fault-sessions", type=int, default=0)
    add("--no-starttls-advert", action="store_true")
    add("--starttls-reply")
    add("--greeting")
    add("--disconnect-in-data", type=int, default=0)
    add("--stall")
    add("--trickle", type=float, default=0.0)
    add("--reject-rcpt", action="append", default=[])
    add("--data-reply")
    add("--data-reply-count", type=int, default=0)
    add("--reply", action="append", default=[])
    add("--close-after-message", action="store_true")
    add("--rcpt-limit", type=int, default=0)
    add("--rcpt-overshoot", type=int, default=1000)
    add("--hard-error-limit", type=int, default=0)
    add("--8bitmime", dest="eightbitmime", action=argparse.BooleanOptionalAction, default=True)
    add("--no-auth-advert", action="store_true")
    add("--oauth-introspect")
    add("--oauth-introspect-client", default="smtp-server:smtp-server-secret")
    add("--oauth-scope", default="smtp.send")
    add("--oauth-style", choices=["google", "microsoft"], default="google")
    add("--auth-line-max", type=int, default=0)
    opts = parser.parse_args(argv)

    if opts.host not in ("127.0.0.1", "::1", "localhost"):
        parser.error("--host must be a loopback address")
    if opts.tls != "none" and not (opts.cert and opts.key):
        parser.error("--tls %s needs --cert and --key" % opts.tls)
    if opts.auth:
        user, sep, password = opts.auth.partition(":")
        if not sep:
            parser.error("--auth wants USER:PASS")
        opts.auth = (user, password)
    opts.auth_mechs = [m.strip().upper() for m in opts.auth_mechs.split(",") if m.strip()]
    for mechanism in opts.auth_mechs:
        if mechanism not in ("PLAIN", "LOGIN", "CRAM-MD5", "XOAUTH2", "OAUTHBEARER"):
            parser.error("unknown AUTH mechanism %s" % mechanism)
    reply_code_ok = lambda reply: len(reply) >= 3 and reply[:3].isdigit()
    for name in ("greeting", "starttls_reply", "data_reply"):
        value = getattr(opts, name)
        if value is not None and not reply_code_ok(value):
            parser.error("--%s wants a reply starting with a 3-digit code" % name.replace("_", "-"))
    rejects = {}
    for item in opts.reject_rcpt:
        address, sep, reply = item.partition("=")
        if not sep or not reply_code_ok(reply):
            parser.error("--reject-rcpt wants ADDR=REPLY")
        rejects[address.strip("<>").lower()] = reply
    opts.reject_rcpt = rejects
    replies = {}
    for item in opts.reply:
        verb, sep, reply = item.partition("=")
        if not sep or not reply_code_ok(reply):
            parser.error("--reply wants VERB=REPLY")
        replies[verb.upper()] = reply
    opts.reply = replies
    chunk_replies = {}
    for item in opts.bdat_reply:
        number, sep, reply = item.partition("=")
        if not sep or not number.isdigit() or not reply_code_ok(reply):
            parser.error("--bdat-reply wants N=REPLY")
        chunk_replies[int(number)] = reply
    opts.bdat_reply = chunk_replies
    if opts.stall and opts.stall != "greeting":
        opts.stall = opts.stall.upper()
    return opts


def main(argv):
    opts = parse_args(argv)
    os.makedirs(opts.spool, exist_ok=True)
    server = Server(opts)

    def stop(*_):
        # Daemon threads die with the process; os._exit skips waiting for them.
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if opts.watch_stdin:
        def watch():
            try:
                while sys.stdin.buffer.read(4096):
                    pass
            finally:
                stop()
        threading.Thread(target=watch, daemon=True).start()
    lifetime = threading.Timer(opts.lifetime, stop)
    lifetime.daemon = True
    lifetime.start()

    if opts.ready_file:
        temp = opts.ready_file + ".tmp"
        with open(temp, "w") as handle:
            handle.write("%d\n" % server.port)
        os.rename(temp, opts.ready_file)
    print("smtpd.py: listening on %s port %d" % (opts.host, server.port), file=sys.stderr, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main(sys.argv[1:])

#!/usr/bin/python3
"""Self-checks of tests/server/smtpd.py, before any of our C code is involved.

Every mode and fault is driven by real clients: the curl command line (the same
libcurl the extension links) and Python's smtplib, over loopback.
Prints one TAP-like line per check ("ok N - name" / "not ok N - name" plus
indented details) and a last line "N passed, N failed"; exits 1 on any failure.

  /usr/bin/python3 tests/harness/check_server.py [--certs DIR] [-k SUBSTRING]
"""

import argparse
import base64
import concurrent.futures
import glob
import json
import os
import shutil
import smtplib
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import traceback

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SMTPD = os.path.join(ROOT, "tests", "server", "smtpd.py")
CERTS = None
MESSAGE = b"From: a@x.test\r\nTo: b@y.test\r\nSubject: hello\r\n\r\nline one\r\n.starts with a dot\r\n..two dots\r\n"


class Server:
    """One smtpd.py process in its own spool directory."""

    def __init__(self, *args, host="127.0.0.1", cert="server"):
        self.dir = tempfile.mkdtemp(prefix="smtp-harness-")
        self.host = host
        ready = os.path.join(self.dir, "ready")
        argv = ["/usr/bin/python3", SMTPD, "--host", host, "--port", "0", "--spool", self.dir,
                "--ready-file", ready, "--watch-stdin", "--lifetime", "120"]
        if "--tls" in args:
            argv += ["--cert", os.path.join(CERTS, cert + ".pem"), "--key", os.path.join(CERTS, cert + ".key")]
        argv += list(args)
        self.stderr = open(os.path.join(self.dir, "stderr"), "w+")
        started = time.monotonic()
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=self.stderr)
        while not os.path.exists(ready):
            if self.proc.poll() is not None or time.monotonic() - started > 5:
                self.stderr.seek(0)
                raise RuntimeError("smtpd.py did not start: " + self.stderr.read())
            time.sleep(0.005)
        self.startup = time.monotonic() - started
        self.port = int(open(ready).read())

    def close(self):
        self.proc.terminate()
        self.proc.wait(5)
        self.stderr.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def url(self, scheme="smtp"):
        host = "[%s]" % self.host if ":" in self.host else self.host
        return "%s://%s:%d" % (scheme, host, self.port)

    def messages(self):
        result = []
        for meta_path in sorted(glob.glob(os.path.join(self.dir, "[0-9]*.json"))):
            meta = json.load(open(meta_path))
            with open(meta_path[:-5] + ".eml", "rb") as handle:
                meta["data"] = handle.read()
            result.append(meta)
        return result

    def events(self):
        with open(os.path.join(self.dir, "log.jsonl"), encoding="utf-8") as handle:
            return [json.loads(line) for line in handle if line.endswith("\n")]

    def sessions(self, wait_closed=True, timeout=5.0):
        """Sessions keyed by number; waits until each one has closed (server side)."""
        deadline = time.monotonic() + timeout
        while True:
            sessions = {}
            for event in self.events():
                s = sessions.setdefault(event["session"], {"commands": [], "lines": [], "replies": [],
                                                           "faults": [], "tls": False, "auth_user": None,
                                                           "closed": False})
                kind = event["event"]
                if kind == "line":
                    s["lines"].append(event)
                    if event["kind"] == "command":
                        s["commands"].append(event["line"])
                elif kind == "reply":
                    s["replies"].append(event["reply"])
                elif kind == "tls":
                    s["tls"] = True
                elif kind == "auth" and event["ok"]:
                    s["auth_user"] = event["user"]
                elif kind == "fault":
                    s["faults"].append(event["fault"])
                elif kind == "close":
                    s["closed"] = True
            if not wait_closed or all(s["closed"] for s in sessions.values()) or time.monotonic() > deadline:
                return sessions
            time.sleep(0.02)


def curl(*args, data=MESSAGE, timeout=20):
    """Runs the curl command line; returns (exit code, stderr)."""
    path = tempfile.mktemp(prefix="smtp-harness-msg-")
    with open(path, "wb") as handle:
        handle.write(data)
    try:
        done = subprocess.run(["curl", "-sS", "--max-time", "15", "-T", path] + list(args),
                              capture_output=True, timeout=timeout)
        return done.returncode, done.stderr.decode(errors="replace")
    finally:
        os.unlink(path)


def send_args(server, scheme="smtp", rcpts=("b@y.test",)):
    args = ["--url", server.url(scheme), "--mail-from", "a@x.test"]
    for rcpt in rcpts:
        args += ["--mail-rcpt", rcpt]
    return args


def tls_args():
    return ["--ssl-reqd", "--cacert", os.path.join(CERTS, "ca.pem")]


def client_context():
    return ssl.create_default_context(cafile=os.path.join(CERTS, "ca.pem"))


def verbs(session):
    return [command.split(" ")[0].upper() for command in session["commands"]]


def expect(condition, what):
    if not condition:
        raise AssertionError(what)


def expect_equal(actual, wanted, what):
    if actual != wanted:
        raise AssertionError("%s: got %r, wanted %r" % (what, actual, wanted))


def raw_dialogue(server, lines, timeout=3.0):
    """Sends lines one by one over a plain socket; returns every reply line read."""
    sock = socket.create_connection((server.host, server.port), timeout=timeout)
    reader = sock.makefile("rb")
    replies = [reader.readline().decode().rstrip()]
    for line in lines:
        sock.sendall(line if isinstance(line, bytes) else (line + "\r\n").encode())
        while True:
            reply = reader.readline().decode().rstrip()
            replies.append(reply)
            if not reply or reply[3:4] != "-":
                break
    sock.close()
    return replies


CHECKS = []


def check(function):
    CHECKS.append(function)
    return function


# --- plain delivery and recording -------------------------------------------------------

@check
def starts_fast_and_spools_exact_bytes():
    with Server() as server:
        expect(server.startup < 0.5, "startup took %.3f s" % server.startup)
        code, err = curl(*send_args(server, rcpts=("b@y.test", "c@y.test")))
        expect_equal(code, 0, "curl exit (%s)" % err)
        messages = server.messages()
        expect_equal(len(messages), 1, "messages")
        message = messages[0]
        # curl dot-stuffs; the server must hand back the original bytes.
        expect_equal(message["data"], MESSAGE, "data")
        expect_equal(message["mail_from"], "a@x.test", "mail_from")
        expect_equal(message["rcpt_tos"], ["b@y.test", "c@y.test"], "rcpt_tos")
        expect_equal(message["tls"], False, "tls")
        expect_equal(message["auth_user"], None, "auth_user")
        expect_equal(message["stuffed_lines"], 2, "stuffed lines")
        expect_equal(message["mail_options"], ["SIZE=%d" % len(MESSAGE)], "mail options")
        expect(message["helo"], "helo recorded")
        session = server.sessions()[1]
        expect_equal(verbs(session), ["EHLO", "MAIL", "RCPT", "RCPT", "DATA", "QUIT"], "commands")


@check
def several_messages_over_one_connection():
    with Server() as server:
        with smtplib.SMTP(server.host, server.port, timeout=5) as client:
            for i in range(3):
                client.sendmail("a@x.test", ["r%d@y.test" % i], b"Subject: %d\r\n\r\nbody\r\n" % i)
        messages = server.messages()
        expect_equal([m["session"] for m in messages], [1, 1, 1], "all in session 1")
        expect_equal([m["rcpt_tos"] for m in messages], [["r0@y.test"], ["r1@y.test"], ["r2@y.test"]], "rcpts")
        expect_equal(len(server.sessions()), 1, "sessions")


@check
def concurrent_connections_are_separate_sessions():
    with Server() as server:
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            codes = list(pool.map(lambda i: curl(*send_args(server, rcpts=("r%d@y.test" % i,)))[0], range(4)))
        expect_equal(codes, [0, 0, 0, 0], "curl exits")
        messages = server.messages()
        expect_equal(sorted(m["session"] for m in messages), [1, 2, 3, 4], "sessions of the messages")


@check
def bare_lf_and_long_lines_are_reported():
    with Server() as server:
        body = b"Subject: x\r\n\r\nbare\nlf\r\n" + b"y" * 1200 + b"\r\n.\r\n"
        replies = raw_dialogue(server, ["EHLO t", "MAIL FROM:<a@x.test>", "RCPT TO:<b@y.test>", "DATA", body, "QUIT"])
        expect(replies[-2].startswith("250 "), "accepted: %r" % replies)
        message = server.messages()[0]
        expect_equal(message["bare_lf"], 1, "bare LF count")
        expect_equal(message["longest_line"], 1200, "longest line")
        expect_equal(message["data"], body[:-3], "data")


@check
def ipv6_loopback():
    try:
        probe = socket.socket(socket.AF_INET6)
        probe.bind(("::1", 0))
        probe.close()
    except OSError:
        return "skip: no IPv6 loopback"
    with Server(host="::1") as server:
        code, err = curl(*send_args(server))
        expect_equal(code, 0, "curl exit (%s)" % err)
        expect_equal(server.messages()[0]["peer"][0], "::1", "peer")


# --- TLS -------------------------------------------------------------------------------------

@check
def starttls_with_auth_never_sends_secrets_in_clear():
    with Server("--tls", "starttls", "--auth", "user:secret") as server:
        code, err = curl(*send_args(server), *tls_args(), "--user", "user:secret")
        expect_equal(code, 0, "curl exit (%s)" % err)
        message = server.messages()[0]
        expect_equal((message["tls"], message["auth_user"]), (True, "user"), "tls, auth_user")
        session = server.sessions()[1]
        clear = [line["line"] for line in session["lines"] if not line["tls"]]
        expect_equal([c.split(" ")[0] for c in clear], ["EHLO", "STARTTLS"], "lines before TLS")
        expect(any(v == "AUTH" for v in verbs(session)), "AUTH was logged")
        expect(session["tls"] and session["auth_user"] == "user", "session tls/auth")


@check
def implicit_tls():
    with Server("--tls", "implicit") as server:
        code, err = curl(*send_args(server, "smtps"), "--cacert", os.path.join(CERTS, "ca.pem"))
        expect_equal(code, 0, "curl exit (%s)" % err)
        expect_equal(server.messages()[0]["tls"], True, "tls")
        session = server.sessions()[1]
        expect(all(line["tls"] for line in session["lines"]), "every line over TLS")


@check
def wrong_host_and_self_signed_certificates_fail_verification():
    for cert in ("wronghost", "selfsigned"):
        with Server("--tls", "implicit", cert=cert) as server:
            code, err = curl(*send_args(server, "smtps"), "--cacert", os.path.join(CERTS, "ca.pem"))
            expect_equal(code, 60, "curl exit with %s cert (%s)" % (cert, err))
            expect_equal(server.messages(), [], "no message with %s" % cert)
            # The same server is fine when the client does not verify.
            code, err = curl(*send_args(server, "smtps"), "--insecure")
            expect_equal(code, 0, "curl --insecure with %s (%s)" % (cert, err))


@check
def starttls_not_advertised():
    with Server("--tls", "starttls", "--no-starttls-advert", "--auth", "u:p") as server:
        code, err = curl(*send_args(server), *tls_args(), "--user", "u:p")
        expect_equal(code, 64, "curl exit (%s)" % err)  # 64: requested SSL level failed
        session = server.sessions()[1]
        expect("AUTH" not in verbs(session) and "MAIL" not in verbs(session), "no AUTH, no MAIL: %r" % verbs(session))
        with smtplib.SMTP(server.host, server.port, timeout=5) as client:
            client.ehlo()
            expect(not client.has_extn("starttls"), "STARTTLS not in EHLO")
            expect_equal(client.docmd("STARTTLS")[0], 502, "STARTTLS sent anyway")


@check
def starttls_454():
    with Server("--tls", "starttls", "--starttls-reply", "454 4.7.0 TLS not available", "--auth", "u:p") as server:
        code, err = curl(*send_args(server), *tls_args(), "--user", "u:p")
        expect(code != 0, "curl must fail")
        with smtplib.SMTP(server.host, server.port, timeout=5) as client:
            client.ehlo()
            expect(client.has_extn("starttls"), "STARTTLS advertised")
            expect_equal(client.docmd("STARTTLS"), (454, b"4.7.0 TLS not available"), "reply")
        for session in server.sessions().values():
            expect("AUTH" not in verbs(session) and "MAIL" not in verbs(session), "no AUTH or MAIL")


@check
def starttls_injection_is_discarded():
    with Server("--tls", "starttls") as server:
        sock = socket.create_connection((server.host, server.port), timeout=3)
        reader = sock.makefile("rb")
        reader.readline()
        sock.sendall(b"EHLO t\r\n")
        while reader.readline()[3:4] == b"-":
            pass
        sock.sendall(b"STARTTLS\r\nMAIL FROM:<evil@x.test>\r\n")
        expect(reader.readline().startswith(b"220"), "220 to STARTTLS")
        tls = client_context().wrap_socket(sock, server_hostname="localhost")
        tls.sendall(b"NOOP\r\n")
        reply = tls.makefile("rb").readline()
        expect(reply.startswith(b"250"), "NOOP inside TLS answered: %r" % reply)
        tls.close()
        session = server.sessions()[1]
        expect("starttls-injection" in session["faults"], "injection noticed")
        expect("MAIL" not in verbs(session), "injected MAIL not executed")


# --- AUTH --------------------------------------------------------------------------------------

@check
def every_auth_mechanism_with_smtplib():
    with Server("--tls", "implicit", "--auth", "user@x.test:s3cret") as server:
        for mechanism, login in (("PLAIN", "auth_plain"), ("LOGIN", "auth_login"), ("CRAM-MD5", "auth_cram_md5")):
            with smtplib.SMTP_SSL(server.host, server.port, timeout=5, context=client_context()) as client:
                client.user, client.password = "user@x.test", "s3cret"
                client.ehlo()
                code, reply = client.auth(mechanism, getattr(client, login))
                expect_equal(code, 235, mechanism)
                client.sendmail("a@x.test", ["b@y.test"], b"Subject: " + mechanism.encode() + b"\r\n\r\nx\r\n")
        token = base64.b64encode(b"user=user@x.test\x01auth=Bearer s3cret\x01\x01").decode()
        with smtplib.SMTP_SSL(server.host, server.port, timeout=5, context=client_context()) as client:
            client.ehlo()
            expect_equal(client.docmd("AUTH", "XOAUTH2 " + token)[0], 235, "XOAUTH2")
        users = [m["auth_user"] for m in server.messages()]
        expect_equal(users, ["user@x.test"] * 3, "auth_user of each message")
        mechanisms = [e["mechanism"] for e in server.events() if e["event"] == "auth" and e["ok"]]
        expect_equal(mechanisms, ["PLAIN", "LOGIN", "CRAM-MD5", "XOAUTH2"], "mechanisms used")


@check
def curl_auth_mechanisms_and_xoauth2_bearer():
    with Server("--tls", "starttls", "--auth", "u:tok") as server:
        for mechanism in ("PLAIN", "LOGIN", "CRAM-MD5"):
            code, err = curl(*send_args(server), *tls_args(), "--user", "u:tok", "--login-options", "AUTH=" + mechanism)
            expect_equal(code, 0, "curl %s (%s)" % (mechanism, err))
        code, err = curl(*send_args(server), *tls_args(), "--user", "u:", "--oauth2-bearer", "tok")
        expect_equal(code, 0, "curl XOAUTH2 (%s)" % err)
        mechanisms = [e["mechanism"] for e in server.events() if e["event"] == "auth" and e["ok"]]
        expect_equal(mechanisms, ["PLAIN", "LOGIN", "CRAM-MD5", "XOAUTH2"], "mechanisms used")


@check
def wrong_credentials_get_535():
    with Server("--tls", "implicit", "--auth", "u:right") as server:
        code, err = curl(*send_args(server, "smtps"), "--cacert", os.path.join(CERTS, "ca.pem"), "--user", "u:wrong")
        expect_equal(code, 67, "curl exit (%s)" % err)  # 67: login denied
        with smtplib.SMTP_SSL(server.host, server.port, timeout=5, context=client_context()) as client:
            client.ehlo()
            client.user, client.password = "u", "wrong"
            try:
                client.auth("PLAIN", client.auth_plain)
                raise AssertionError("AUTH accepted")
            except smtplib.SMTPAuthenticationError as error:
                expect_equal((error.smtp_code, error.smtp_error), (535, b"5.7.8 Authentication credentials invalid"), "reply")
        expect_equal(server.messages(), [], "no message")


@check
def auth_refused_and_hidden_before_tls():
    with Server("--tls", "starttls", "--auth", "u:p") as server:
        with smtplib.SMTP(server.host, server.port, timeout=5) as client:
            client.ehlo()
            expect(not client.has_extn("auth"), "AUTH not offered in the clear")
            expect_equal(client.docmd("AUTH", "PLAIN AHUAcA==")[0], 538, "AUTH in the clear")
            client.starttls(context=client_context())
            client.ehlo()
            expect(client.has_extn("auth"), "AUTH offered after STARTTLS")
        session = server.sessions()[1]
        clear_auth = [l["line"] for l in session["lines"] if not l["tls"] and l["line"].startswith("AUTH")]
        expect_equal(clear_auth, ["AUTH PLAIN AHUAcA=="], "the clear-text AUTH line is on record")


@check
def auth_plaintext_and_require_auth():
    with Server("--auth", "u:p", "--auth-plaintext", "--require-auth", "--auth-mechs", "LOGIN") as server:
        with smtplib.SMTP(server.host, server.port, timeout=5) as client:
            client.ehlo()
            expect_equal(client.esmtp_features.get("auth", "").strip(), "LOGIN", "offered mechanisms")
            expect_equal(client.docmd("MAIL", "FROM:<a@x.test>"), (530, b"5.7.0 Authentication required"), "MAIL first")
            client.login("u", "p")
            client.sendmail("a@x.test", ["b@y.test"], b"Subject: x\r\n\r\nx\r\n")
        message = server.messages()[0]
        expect_equal((message["tls"], message["auth_user"]), (False, "u"), "tls, auth_user")


@check
def no_auth_advert():
    with Server("--auth", "u:p", "--auth-plaintext", "--no-auth-advert") as server:
        with smtplib.SMTP(server.host, server.port, timeout=5) as client:
            client.ehlo()
            expect(not client.has_extn("auth"), "AUTH not offered")
            expect_equal(client.docmd("AUTH", "PLAIN AHUAcA==")[0], 502, "AUTH sent anyway")


# --- greeting and connection faults ----------------------------------------------------------

@check
def greeting_421_closes():
    with Server("--greeting", "421 4.3.2 Service shutting down") as server:
        try:
            smtplib.SMTP(server.host, server.port, timeout=5)
            raise AssertionError("connected")
        except smtplib.SMTPConnectError as error:
            expect_equal(error.smtp_code, 421, "code")
        code, err = curl(*send_args(server))
        expect(code != 0, "curl must fail")
        sessions = server.sessions()
        expect(all(s["commands"] == [] for s in sessions.values()), "nothing accepted: %r" % sessions)


@check
def greeting_554_refuses_everything_but_quit():
    with Server("--greeting", "554 5.3.2 No service") as server:
        replies = raw_dialogue(server, ["EHLO t", "MAIL FROM:<a@x.test>", "QUIT"])
        expect_equal([r[:3] for r in replies], ["554", "503", "503", "221"], "replies")
        code, err = curl(*send_args(server))
        expect(code != 0, "curl must fail")
        expect_equal(server.messages(), [], "no message")


@check
def fault_sessions_limits_faults_to_first_connections():
    with Server("--greeting", "421 4.3.2 busy", "--fault-sessions", "1") as server:
        first, _ = curl(*send_args(server))
        second, err = curl(*send_args(server))
        expect((first != 0, second), (True, 0))
        expect_equal(second, 0, "second connection works (%s)" % err)
        expect_equal(server.messages()[0]["session"], 2, "message came in session 2")


@check
def disconnect_in_data():
    with Server("--disconnect-in-data", "100") as server:
        code, err = curl(*send_args(server), data=b"Subject: big\r\n\r\n" + b"x" * 70 + b"\r\n" * 200)
        expect(code != 0, "curl must fail")
        expect_equal(server.messages(), [], "no message")
        expect("disconnect-in-data" in server.sessions()[1]["faults"], "fault logged")


@check
def stall_at_greeting():
    with Server("--stall", "greeting") as server:
        started = time.monotonic()
        code, err = curl(*send_args(server), "--max-time", "1")
        expect_equal(code, 28, "curl timeout (%s)" % err)
        expect(0.9 < time.monotonic() - started < 5, "took about a second")
        sock = socket.create_connection((server.host, server.port), timeout=0.5)
        try:
            data = sock.recv(10)
            raise AssertionError("server said %r" % data)
        except socket.timeout:
            pass
        sock.close()


@check
def stall_after_mail_and_at_dot():
    with Server("--stall", "MAIL") as server:
        client = smtplib.SMTP(server.host, server.port, timeout=1)
        client.ehlo()
        try:
            client.mail("a@x.test")
            raise AssertionError("MAIL answered")
        except (socket.timeout, TimeoutError, smtplib.SMTPServerDisconnected):
            pass
        client.close()
        session = server.sessions()[1]
        expect_equal(verbs(session), ["EHLO", "MAIL"], "commands")
        expect_equal(session["replies"][-1][:3], "250", "last reply is the EHLO's")
    # Not curl here: after a reply timeout the curl tool still sends QUIT on the
    # stalled connection and waits for its answer far longer than --max-time.
    with Server("--stall", "DOT") as server:
        client = smtplib.SMTP(server.host, server.port, timeout=1)
        try:
            client.sendmail("a@x.test", ["b@y.test"], b"Subject: x\r\n\r\nx\r\n")
            raise AssertionError("end of DATA answered")
        except (socket.timeout, TimeoutError, smtplib.SMTPServerDisconnected):
            pass
        client.close()
        expect_equal(server.messages(), [], "no message")
        expect("stall" in server.sessions()[1]["faults"], "stall logged")


@check
def trickle_one_byte_at_a_time():
    with Server("--trickle", "0.02") as server:
        sock = socket.create_connection((server.host, server.port), timeout=5)
        started = time.monotonic()
        greeting, chunks = b"", 0
        while not greeting.endswith(b"\r\n"):
            greeting += sock.recv(100)
            chunks += 1
        elapsed = time.monotonic() - started
        sock.close()
        expect(greeting.startswith(b"220 "), "greeting %r" % greeting)
        expect(elapsed > 0.02 * (len(greeting) - 1) * 0.9, "took %.2f s for %d bytes" % (elapsed, len(greeting)))
        expect(chunks > len(greeting) / 2, "arrived in %d pieces" % chunks)


# --- replies to the envelope and data ------------------------------------------------------

@check
def rejected_recipients():
    reject = "bad@y.test=550 5.1.1 <bad@y.test> no such user"
    later = "later@y.test=451 4.2.0 <later@y.test> try again"
    with Server("--reject-rcpt", reject, "--reject-rcpt", later) as server:
        with smtplib.SMTP(server.host, server.port, timeout=5) as client:
            refused = client.sendmail("a@x.test", ["ok@y.test", "BAD@y.test", "later@y.test"], b"Subject: x\r\n\r\nx\r\n")
        expect_equal(refused, {"BAD@y.test": (550, b"5.1.1 <bad@y.test> no such user"),
                               "later@y.test": (451, b"4.2.0 <later@y.test> try again")}, "refused")
        code, err = curl(*send_args(server, rcpts=("bad@y.test", "ok2@y.test")), "--mail-rcpt-allowfails")
        expect_equal(code, 0, "curl with allowfails (%s)" % err)
        expect_equal([m["rcpt_tos"] for m in server.messages()], [["ok@y.test"], ["ok2@y.test"]], "accepted")


@check
def data_reply_temporary_then_ok():
    with Server("--data-reply", "451 4.3.0 try later", "--data-reply-count", "1") as server:
        code, err = curl(*send_args(server))
        # libcurl 7.88 maps any non-250 reply to the end of DATA to CURLE_WEIRD_SERVER_REPLY (8).
        expect_equal(code, 8, "first send fails (%s)" % err)
        expect("451 4.3.0 try later" in server.sessions()[1]["replies"], "the server said 451")
        code, err = curl(*send_args(server))
        expect_equal(code, 0, "second send (%s)" % err)
        expect_equal([m["number"] for m in server.messages()], [2], "only the second is spooled")


@check
def data_reply_permanent():
    with Server("--data-reply", "554 5.7.1 spam") as server:
        with smtplib.SMTP(server.host, server.port, timeout=5) as client:
            try:
                client.sendmail("a@x.test", ["b@y.test"], b"Subject: x\r\n\r\nx\r\n")
                raise AssertionError("accepted")
            except smtplib.SMTPDataError as error:
                expect_equal((error.smtp_code, error.smtp_error), (554, b"5.7.1 spam"), "reply")
        expect_equal(server.messages(), [], "no message")


@check
def reply_override():
    with Server("--reply", "MAIL=451 4.3.0 busy") as server:
        with smtplib.SMTP(server.host, server.port, timeout=5) as client:
            client.ehlo()
            expect_equal(client.docmd("MAIL", "FROM:<a@x.test>"), (451, b"4.3.0 busy"), "MAIL")


@check
def close_after_message():
    with Server("--close-after-message") as server:
        client = smtplib.SMTP(server.host, server.port, timeout=5)
        client.sendmail("a@x.test", ["b@y.test"], b"Subject: 1\r\n\r\nx\r\n")
        try:
            client.sendmail("a@x.test", ["b@y.test"], b"Subject: 2\r\n\r\nx\r\n")
            raise AssertionError("second message on the same connection accepted")
        except smtplib.SMTPServerDisconnected:
            pass
        client.close()
        with smtplib.SMTP(server.host, server.port, timeout=5) as client:
            client.sendmail("a@x.test", ["b@y.test"], b"Subject: 3\r\n\r\nx\r\n")
        expect_equal([m["session"] for m in server.messages()], [1, 2], "one message per session")


@check
def smtputf8_advertised_or_not():
    with Server() as server:
        with smtplib.SMTP(server.host, server.port, timeout=5) as client:
            client.ehlo()
            expect(client.has_extn("smtputf8"), "SMTPUTF8 offered by default")
            client.sendmail("ä@x.test", ["ö@y.test"], "Subject: ü\r\n\r\nü\r\n".encode(), mail_options=["SMTPUTF8", "BODY=8BITMIME"])
        message = server.messages()[0]
        expect_equal((message["mail_from"], message["rcpt_tos"]), ("ä@x.test", ["ö@y.test"]), "UTF-8 envelope")
        expect_equal(message["mail_options"][1:], ["SMTPUTF8", "BODY=8BITMIME"], "options after SIZE")
    with Server("--no-smtputf8") as server:
        with smtplib.SMTP(server.host, server.port, timeout=5) as client:
            client.ehlo()
            expect(not client.has_extn("smtputf8"), "SMTPUTF8 not offered")
            expect_equal(client.docmd("MAIL", "FROM:<a@x.test> SMTPUTF8")[0], 555, "SMTPUTF8 param refused")
        replies = raw_dialogue(server, ["EHLO t", "MAIL FROM:<\u00e4@x.test>\r\n".encode()])
        expect_equal(replies[-1][:3], "553", "UTF-8 address without SMTPUTF8")


@check
def max_size():
    with Server("--max-size", "100") as server:
        with smtplib.SMTP(server.host, server.port, timeout=5) as client:
            client.ehlo()
            expect_equal(client.esmtp_features.get("size"), "100", "SIZE advertised")
            expect_equal(client.docmd("MAIL", "FROM:<a@x.test> SIZE=101")[0], 552, "declared size too big")
        code, err = curl(*send_args(server), data=b"Subject: x\r\n\r\n" + b"y" * 200 + b"\r\n")
        expect(code != 0 and "552" in err, "curl refused (%d %s)" % (code, err))
        expect_equal(server.messages(), [], "no message")


@check
def stops_on_sigterm_and_on_stdin_eof():
    server = Server()
    server.proc.stdin.close()
    try:
        server.proc.wait(3)
    except subprocess.TimeoutExpired:
        raise AssertionError("still running after stdin EOF")
    server.close()
    server = Server()
    started = time.monotonic()
    server.close()
    expect(time.monotonic() - started < 1, "SIGTERM takes %.2f s" % (time.monotonic() - started))


def main():
    global CERTS
    parser = argparse.ArgumentParser()
    parser.add_argument("--certs", default=os.environ.get("SMTP_TEST_CERTS"))
    parser.add_argument("-k", dest="only", default="")
    opts = parser.parse_args()
    CERTS = opts.certs or os.path.join(tempfile.gettempdir(), "php-smtp-test-certs")
    subprocess.run([os.path.join(ROOT, "scripts", "certs.sh"), CERTS], check=True)
    passed = failed = skipped = 0
    checks = [c for c in CHECKS if opts.only in c.__name__]
    for number, function in enumerate(checks, 1):
        name = function.__name__.replace("_", " ")
        started = time.monotonic()
        try:
            result = function()
        except Exception as error:
            failed += 1
            print("not ok %d - %s" % (number, name))
            detail = str(error) if isinstance(error, AssertionError) else traceback.format_exc()
            for line in detail.rstrip().splitlines():
                print("#   " + line)
            continue
        if isinstance(result, str) and result.startswith("skip"):
            skipped += 1
            print("ok %d - %s # SKIP %s" % (number, name, result[5:].strip()))
        else:
            passed += 1
            print("ok %d - %s (%.2f s)" % (number, name, time.monotonic() - started))
        sys.stdout.flush()
    print("%d passed, %d failed, %d skipped" % (passed, failed, skipped))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

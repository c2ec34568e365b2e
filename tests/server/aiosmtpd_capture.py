#!/usr/bin/python3
"""A capturing SMTP server on Debian's python3-aiosmtpd: an independent SMTP
implementation for the good paths (the scripted faults live in smtpd.py).

Run with /usr/bin/python3 (Debian's aiosmtpd is not visible to pyenv's python3).

  --host ADDR --port N (0: a free port) --ready-file PATH (gets the port once listening)
  --spool DIR          each message as DIR/NNNN.eml (the DATA bytes, CRLF) and DIR/NNNN.json
                       (mail_from, rcpt_tos, mail_options, tls, auth_user, peer, helo)
  --tls none|starttls|implicit  --cert PEM --key PEM
  --auth USER:PASS     AUTH PLAIN and LOGIN, only over TLS (aiosmtpd's auth_require_tls)
  --watch-stdin        exit when stdin closes (the starter died)

With --tls starttls the server requires STARTTLS before MAIL (require_starttls).
"""

import argparse
import asyncio
import json
import os
import ssl
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class CaptureHandler:
    def __init__(self, spool):
        self.spool = spool
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
            number = self.count
        name = "%04d" % number
        data = envelope.original_content or envelope.content
        if isinstance(data, str):
            data = data.encode("utf-8", "surrogateescape")
        auth_user = None
        if session.auth_data is not None:
            login = session.auth_data.login if isinstance(session.auth_data, LoginPassword) else None
            auth_user = login.decode("utf-8", "replace") if isinstance(login, bytes) else login
        meta = {
            "number": number,
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "mail_options": list(envelope.mail_options),
            # STARTTLS sets session.ssl; implicit TLS shows only on the transport
            "tls": session.ssl is not None or server.transport.get_extra_info("ssl_object") is not None,
            "auth_user": auth_user,
            "peer": list(session.peer) if session.peer else None,
            "helo": session.host_name,
            "engine": "aiosmtpd",
        }
        self._write(name + ".eml", data)
        self._write(name + ".json", json.dumps(meta).encode())
        return "250 2.0.0 OK: queued as %s" % name

    def _write(self, name, data):
        temp = os.path.join(self.spool, "." + name + ".tmp")
        with open(temp, "wb") as handle:
            handle.write(data)
        os.rename(temp, os.path.join(self.spool, name))


def make_authenticator(user, password):
    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword)
              and auth_data.login == user.encode() and auth_data.password == password.encode())
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)
    return authenticator


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--ready-file", required=True)
    p.add_argument("--spool", required=True)
    p.add_argument("--tls", choices=["none", "starttls", "implicit"], default="none")
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--auth")
    p.add_argument("--watch-stdin", action="store_true")
    args = p.parse_args()
    if args.host not in ("127.0.0.1", "::1", "localhost"):
        sys.exit("loopback only")

    context = None
    if args.tls != "none":
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.cert, args.key)

    kwargs = {"hostname": args.host, "port": args.port, "server_hostname": "capture.test",
              "ident": "php-smtp aiosmtpd capture"}
    if args.tls == "starttls":
        kwargs.update(tls_context=context, require_starttls=True)
    elif args.tls == "implicit":
        kwargs.update(ssl_context=context)
    if args.auth:
        user, _, password = args.auth.partition(":")
        # aiosmtpd counts only STARTTLS as TLS: with implicit TLS the whole
        # session is encrypted, so AUTH need not wait for a STARTTLS that never comes
        kwargs.update(authenticator=make_authenticator(user, password),
                      auth_require_tls=args.tls != "implicit", auth_exclude_mechanism=["CRAM-MD5"])

    if args.port == 0:
        # aiosmtpd binds the port itself: find a free one first
        import socket
        family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
        with socket.socket(family) as probe:
            probe.bind((args.host, 0))
            kwargs["port"] = probe.getsockname()[1]

    controller = Controller(CaptureHandler(args.spool), **kwargs)
    controller.start()
    temp = args.ready_file + ".tmp"
    with open(temp, "w") as handle:
        handle.write(str(kwargs["port"]))
    os.rename(temp, args.ready_file)
    try:
        if args.watch_stdin:
            sys.stdin.read()
        else:
            threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


if __name__ == "__main__":
    main()

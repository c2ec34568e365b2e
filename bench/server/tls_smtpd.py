#!/usr/bin/python3
"""SMTP server for the latency bench: STARTTLS required, then AUTH, then mail.

    /usr/bin/python3 tls_smtpd.py --cert C --key K --auth user:pass --log FILE [--host 127.0.0.1]

Listens on a free port of its own choosing and prints that port on stdout.
Every accepted message appends one line to --log (sender, recipients, size),
so the bench can check that each timed run really delivered its message.
Runs with Debian's python3 (aiosmtpd). It stands in until the project's
tests/server/smtpd.py is there; nothing here is specific to the bench but
the log line.
"""
import argparse
import asyncio
import logging
import signal
import ssl

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class CountingHandler:
    def __init__(self, log_path):
        self.log_path = log_path

    async def handle_DATA(self, server, session, envelope):
        with open(self.log_path, "a", encoding="utf-8") as log:
            log.write("%s -> %s %d bytes\n" % (envelope.mail_from, ",".join(envelope.rcpt_tos),
                                               len(envelope.original_content or b"")))
        return "250 2.0.0 OK queued"

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        # The relays users send through (Postfix, Exim, Gmail, Microsoft 365)
        # offer PIPELINING; aiosmtpd does not say so, though it reads commands
        # in order from its stream and takes them pipelined. Offering it makes
        # this server answer like those relays: each client then uses it or not.
        session.host_name = hostname
        return responses[:-1] + ["250-PIPELINING", responses[-1]]


def make_authenticator(user, password):
    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword)
              and auth_data.login == user.encode() and auth_data.password == password.encode())
        return AuthResult(success=ok, handled=False)
    return authenticate


async def serve(args):
    user, _, password = args.auth.partition(":")
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(args.cert, args.key)
    handler = CountingHandler(args.log)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="bench.localhost", tls_context=tls, require_starttls=True,
                     auth_required=True, auth_require_tls=True,
                     authenticator=make_authenticator(user, password)),
        host=args.host, port=0)
    print(server.sockets[0].getsockname()[1], flush=True)
    stop = asyncio.Event()
    for signo in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signo, stop.set)
    await stop.wait()
    server.close()
    await server.wait_closed()


def main():
    # aiosmtpd 1.4 logs a warning about its own Session.login_data on every AUTH.
    logging.getLogger("mail.log").setLevel(logging.ERROR)
    parser = argparse.ArgumentParser()
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--auth", required=True, help="user:password")
    parser.add_argument("--log", required=True)
    parser.add_argument("--host", default="127.0.0.1")
    asyncio.run(serve(parser.parse_args()))


if __name__ == "__main__":
    main()

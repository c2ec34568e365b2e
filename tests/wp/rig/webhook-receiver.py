#!/usr/bin/python3
"""A webhook receiver for the alert tests: a real HTTP server on 127.0.0.1 (a free port, written to
--ready-file) that records every POST as one JSON file in --spool ({path, headers, body}) and
answers --status. Stops after --lifetime seconds so a crashed test leaves nothing running."""
import argparse
import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--spool", required=True)
    parser.add_argument("--ready-file", required=True)
    parser.add_argument("--status", type=int, default=200)
    parser.add_argument("--lifetime", type=float, default=120)
    args = parser.parse_args()
    os.makedirs(args.spool, exist_ok=True)
    counter = {"n": 0}
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode("utf-8", "replace")
            with lock:
                counter["n"] += 1
                n = counter["n"]
            record = {"path": self.path, "headers": dict(self.headers.items()), "body": body}
            tmp = os.path.join(args.spool, "%06d.tmp" % n)
            with open(tmp, "w") as f:
                json.dump(record, f)
            # Renamed into place: a reader never sees half a record.
            os.rename(tmp, os.path.join(args.spool, "%06d.json" % n))
            self.send_response(args.status)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *unused):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Timer(args.lifetime, server.shutdown).start()
    tmp = args.ready_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(tmp, args.ready_file)
    server.serve_forever()


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Parses one RFC 5322 / MIME message strictly and prints its structure as JSON.

  /usr/bin/python3 tests/inc/parse_check.py [--utf8-headers] [FILE]   (default: stdin)

Exit 0: no defect. Exit 1: defects found (listed under "defects"; the structure is
still printed when the parser got that far). Exit 2: usage error.

Defects are what Python's email package reports (every part, every header, and a
second parse with raise_on_defect=True), plus what it tolerates but a careful
writer must not produce: bare CR or LF, lines over 998 octets, NUL, 8-bit bytes in
headers (unless --utf8-headers, i.e. RFC 6532 with SMTPUTF8), 8-bit bytes in a
7bit part, base64 or quoted-printable lines over 76 characters, undecodable
base64, a missing From or Date, or a header that must appear once appearing twice.

Output:
  {"defects": [...],
   "headers": [[name, decoded value], ...],            top level, in order
   "header": {lowercase name: [decoded values]},
   "addresses": {"from"|"to"|"cc"|"reply-to"|"sender": [{"name":..., "address":...}]},
   "structure": {content_type, params, charset, cte, disposition, filename,
                 content_id, size, sha256 (of the decoded payload), text (text/*,
                 decoded), headers, parts: [...]}}
"""

import base64
import binascii
import email
import email.errors
import email.policy
import hashlib
import json
import re
import sys

SINGLETONS = ("from", "sender", "reply-to", "to", "cc", "bcc", "subject", "date", "message-id",
              "in-reply-to", "references", "mime-version", "content-type", "content-transfer-encoding")
ADDRESS_HEADERS = ("from", "sender", "reply-to", "to", "cc")


def raw_defects(raw, utf8_headers):
    found = []
    if b"\0" in raw:
        found.append("NUL byte in message")
    lines = raw.split(b"\r\n")
    in_headers = True
    for number, line in enumerate(lines, 1):
        if b"\n" in line:
            found.append("bare LF on line %d" % number)
        if b"\r" in line:
            found.append("bare CR on line %d" % number)
        if len(line) > 998:
            found.append("line %d is %d octets long (max 998)" % (number, len(line)))
        if in_headers:
            if line == b"":
                in_headers = False
            elif not utf8_headers and not line.isascii():
                found.append("8-bit byte in header line %d" % number)
    if in_headers:
        found.append("no empty line between header and body")
    if raw and not raw.endswith(b"\r\n"):
        found.append("message does not end with CRLF")
    return found[:50]


def header_value(value):
    try:
        return str(value)
    except Exception as error:  # an undecodable header is itself a defect
        return "<undecodable: %s>" % error


def part_defects(part, where, found, top):
    for defect in part.defects:
        found.append("%s: %s" % (where, defect.__class__.__name__ + (": " + str(defect) if str(defect) else "")))
    counts = {}
    for name, value in part.items():
        counts[name.lower()] = counts.get(name.lower(), 0) + 1
        for defect in getattr(value, "defects", ()):
            found.append("%s: header %s: %s: %s" % (where, name, defect.__class__.__name__, defect))
    for name in SINGLETONS:
        if counts.get(name, 0) > 1:
            found.append("%s: header %s appears %d times" % (where, name, counts[name]))
    if top:
        for name in ("from", "date"):
            if not counts.get(name):
                found.append("missing %s header" % name.capitalize())
    if part.is_multipart():
        return
    cte = (part.get("content-transfer-encoding") or "7bit").strip().lower()
    body = part.get_payload(decode=False)
    body_bytes = body.encode("utf-8", "surrogateescape") if isinstance(body, str) else bytes(body or b"")
    if cte == "7bit" and not body_bytes.isascii():
        found.append("%s: 8-bit data in a 7bit part" % where)
    if cte in ("base64", "quoted-printable"):
        long_lines = [len(l.rstrip(b"\r")) for l in body_bytes.split(b"\n") if len(l.rstrip(b"\r")) > 76]
        if long_lines:
            found.append("%s: %s line of %d characters (max 76)" % (where, cte, max(long_lines)))
        if not body_bytes.isascii():
            found.append("%s: 8-bit data in a %s part" % (where, cte))
    if cte == "base64":
        compact = re.sub(rb"\s+", b"", body_bytes)
        try:
            base64.b64decode(compact, validate=True)
        except binascii.Error as error:
            found.append("%s: invalid base64: %s" % (where, error))


def describe(part, where, found, top=False):
    part_defects(part, where, found, top)
    node = {
        "content_type": part.get_content_type(),
        "params": {k: v for k, v in part.get_params(failobj=[])[1:]} if part.get("content-type") else {},
        "charset": part.get_content_charset(),
        "cte": (part.get("content-transfer-encoding") or "").strip().lower() or None,
        "disposition": part.get_content_disposition(),
        "filename": part.get_filename(),
        "content_id": header_value(part["content-id"]).strip() if part["content-id"] is not None else None,
        "headers": [[name, header_value(value)] for name, value in part.items()],
    }
    if part.is_multipart():
        node["parts"] = [describe(child, "%s.%d" % (where, i), found) for i, child in enumerate(part.get_payload(), 1)]
        return node
    payload = part.get_payload(decode=True) or b""
    node["size"] = len(payload)
    node["sha256"] = hashlib.sha256(payload).hexdigest()
    if part.get_content_maintype() == "text":
        try:
            node["text"] = part.get_content()
        except (LookupError, UnicodeDecodeError) as error:
            found.append("%s: text cannot be decoded: %s" % (where, error))
    return node


def main(argv):
    utf8_headers = "--utf8-headers" in argv
    files = [a for a in argv if a != "--utf8-headers"]
    if len(files) > 1 or any(a.startswith("--") for a in files):
        print(__doc__, file=sys.stderr)
        return 2
    raw = open(files[0], "rb").read() if files else sys.stdin.buffer.read()

    found = raw_defects(raw, utf8_headers)
    policy = email.policy.SMTPUTF8 if utf8_headers else email.policy.SMTP
    # Collect every defect first; then a strict parse must not raise either.
    message = email.message_from_bytes(raw, policy=policy)
    result = {"defects": found}
    try:
        result["structure"] = describe(message, "message", found, top=True)
        result["headers"] = [[name, header_value(value)] for name, value in message.items()]
        header = {}
        for name, value in result["headers"]:
            header.setdefault(name.lower(), []).append(value)
        result["header"] = header
        addresses = {}
        for name in ADDRESS_HEADERS:
            for value in message.get_all(name, []):
                for address in getattr(value, "addresses", ()):
                    addresses.setdefault(name, []).append({"name": address.display_name, "address": address.addr_spec})
        result["addresses"] = addresses
    except Exception as error:
        found.append("parser failed: %s: %s" % (error.__class__.__name__, error))
    try:
        strict = email.message_from_bytes(raw, policy=policy.clone(raise_on_defect=True))
        for part in strict.walk():
            for name, value in part.items():
                str(value)
            if not part.is_multipart():
                part.get_payload(decode=True)
    except (email.errors.MessageError, ValueError, TypeError) as error:
        found.append("strict parse: %s" % error.__class__.__name__ + (": %s" % error if str(error) else ""))
    # The same defect is often seen by both passes.
    result["defects"] = list(dict.fromkeys(found))
    json.dump(result, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
    return 1 if result["defects"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

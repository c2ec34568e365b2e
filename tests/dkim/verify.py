#!/usr/bin/python3
"""Independent DKIM verification with Debian's dkimpy (python3-dkim).

    /usr/bin/python3 tests/dkim/verify.py KEYS.json MESSAGE [MESSAGE...]

KEYS.json maps DNS names to TXT records, e.g.
    {"sel._domainkey.example.com": "v=DKIM1; k=ed25519; p=..."}
and is what dkimpy's dnsfunc hook answers with: nothing leaves the machine.
MESSAGE is a file, or - for stdin.

Prints, for each message, one line per DKIM-Signature:
    <index> <pass|fail> a=<algorithm> d=<domain> s=<selector>
and a summary line "signatures=<n> passed=<n>". Exits 0 when every signature of
every message passed and each message had at least one, 1 otherwise.
"""
import json
import re
import sys

import dkim


def main():
    if len(sys.argv) < 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    with open(sys.argv[1], encoding="utf-8") as f:
        records = {name.rstrip(".").lower(): txt for name, txt in json.load(f).items()}

    def dnsfunc(name, timeout=5):
        name = name.decode("ascii") if isinstance(name, bytes) else name
        return records.get(name.rstrip(".").lower(), "")

    all_ok = True
    for path in sys.argv[2:]:
        message = sys.stdin.buffer.read() if path == "-" else open(path, "rb").read()
        signer = dkim.DKIM(message)
        headers = [v for (k, v) in signer.headers if k.lower() == b"dkim-signature"]
        passed = 0
        for idx, value in enumerate(headers):
            tags = dict(
                (m.group(1).decode(), m.group(2).decode())
                for m in re.finditer(rb"(?:^|;)\s*([a-z]+)\s*=\s*([^;]*)", value)
            )
            try:
                ok = signer.verify(idx=idx, dnsfunc=dnsfunc)
            except dkim.DKIMException as exc:
                ok = False
                print("# %s" % exc)
            passed += 1 if ok else 0
            print(
                "%d %s a=%s d=%s s=%s"
                % (idx, "pass" if ok else "fail", tags.get("a", "?"), tags.get("d", "?").strip(), tags.get("s", "?"))
            )
        print("signatures=%d passed=%d" % (len(headers), passed))
        all_ok = all_ok and headers and passed == len(headers)
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())

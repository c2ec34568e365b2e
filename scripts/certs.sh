#!/usr/bin/env bash
# Makes the TLS material the test servers use, once, into DIR (idempotent):
#   ca.pem ca.key                   a throw-away test CA
#   server.pem server.key           localhost, 127.0.0.1 and ::1, signed by the CA
#   wronghost.pem wronghost.key     CN and SAN wrong.example, signed by the CA
#   selfsigned.pem selfsigned.key   localhost/127.0.0.1/::1, but signed by nobody we trust
# Usage: scripts/certs.sh DIR
# Several tests may call this at once: a lock serialises them and the files
# appear only when complete (the stamp file is written last).
set -euo pipefail
dir=${1:?usage: certs.sh DIR}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
[ -f "$dir/.complete" ] && exit 0

exec 9>"$dir/.lock"
flock 9
[ -f "$dir/.complete" ] && exit 0

work=$(mktemp -d "$dir/.work.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"

# Short-lived keys are fine for tests; EC keys keep generation fast.
newkey() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

newkey ca.key
openssl req -x509 -new -key ca.key -sha256 -days 3650 -subj "/CN=php-smtp test CA" \
	-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
	-out ca.pem 2>/dev/null

# leaf NAME CN SAN: a server certificate signed by the test CA.
leaf() {
	newkey "$1.key"
	openssl req -new -key "$1.key" -subj "/CN=$2" -out "$1.csr" 2>/dev/null
	printf 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=%s\n' "$3" >"$1.ext"
	openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -sha256 -days 3650 \
		-extfile "$1.ext" -out "$1.pem" 2>/dev/null
	rm -f "$1.csr" "$1.ext"
}
leaf server localhost "DNS:localhost,IP:127.0.0.1,IP:::1"
leaf wronghost wrong.example "DNS:wrong.example"

newkey selfsigned.key
openssl req -x509 -new -key selfsigned.key -sha256 -days 3650 -subj "/CN=localhost" \
	-addext "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1" -out selfsigned.pem 2>/dev/null

chmod 600 ./*.key
# The server may run as another user than the one who made the keys.
chmod 644 ./*.pem
mv -f ./*.pem ./*.key "$dir/"
touch "$dir/.complete"

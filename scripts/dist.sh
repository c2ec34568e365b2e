#!/usr/bin/env bash
# The source tarball: php-smtp-<version>.tar.gz (one folder php-smtp-<version>/) made with
# git archive from the committed tree (HEAD, or the commit given), so it holds exactly
# what the repository holds. Prints its path.
#
#   scripts/dist.sh [OUT_DIR] [COMMIT]      default: ARTIFACTS/dist, HEAD
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-${ARTIFACTS:-$root/artifacts}/dist}
commit=${2:-HEAD}
version=$(git -C "$root" show "$commit:php_smtp.h" | sed -n 's/^#define PHP_SMTP_VERSION "\(.*\)"/\1/p')
[ -n "$version" ] || { echo "dist.sh: no PHP_SMTP_VERSION in $commit:php_smtp.h" >&2; exit 1; }
mkdir -p "$out"
out=$(cd "$out" && pwd)
tarball=$out/php-smtp-$version.tar.gz
git -C "$root" archive --format=tar.gz --prefix="php-smtp-$version/" -o "$tarball" "$commit"
echo "$tarball"

#!/usr/bin/env bash
# Builds the WordPress plugin as the zip a site owner uploads (Plugins -> Add New ->
# Upload Plugin): native-smtp-<version>.zip holding one folder native-smtp/ with the
# plugin's files as git tracks them (working-tree contents), readme.txt included, no
# test files. Prints the zip's path.
#
#   scripts/plugin-zip.sh [OUT_DIR]      default: ARTIFACTS/dist (artifacts/dist)
#
# PLUGIN_DIR (default wp-plugin/native-smtp) picks another plugin folder. The version is
# the plugin header's "Version:"; readme.txt's "Stable tag:" must agree with it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
plugin_dir=${PLUGIN_DIR:-$root/wp-plugin/native-smtp}
plugin_dir=$(cd "$plugin_dir" && pwd)
slug=$(basename "$plugin_dir")
out=${1:-${ARTIFACTS:-$root/artifacts}/dist}
main=$plugin_dir/$slug.php

die() { echo "plugin-zip.sh: $*" >&2; exit 1; }
[ -f "$main" ] || die "$main is missing: no plugin main file"
version=$(sed -n 's/^[ *]*Version:[[:space:]]*\([^[:space:]]*\).*/\1/p' "$main" | head -n1)
[ -n "$version" ] || die "$main has no 'Version:' header"
readme=$plugin_dir/readme.txt
[ -f "$readme" ] || die "$readme is missing: WordPress needs the plugin readme (=== Plugin Name ===, Stable tag, ...) in the zip; write it before packaging"
stable=$(sed -n 's/^Stable tag:[[:space:]]*\([^[:space:]]*\).*/\1/Ip' "$readme" | head -n1)
[ "$stable" = "$version" ] || die "readme.txt says 'Stable tag: ${stable:-(none)}' but the plugin header says $version"

# The files git tracks (plus readme.txt, even before it is committed), minus anything
# that is for testing only.
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/$slug"
{
	git -C "$plugin_dir" ls-files --cached --others --exclude-standard . 2>/dev/null || (cd "$plugin_dir" && find . -type f -printf '%P\n')
} | sort -u | grep -vE '(^|/)(tests?|phpunit[^/]*|\.[^/]+)(/|$)|Test\.php$|\.phpt$' |
	while read -r file; do
		[ -f "$plugin_dir/$file" ] || continue
		mkdir -p "$stage/$slug/$(dirname "$file")"
		cp -p "$plugin_dir/$file" "$stage/$slug/$file"
	done
[ -f "$stage/$slug/readme.txt" ] || die "readme.txt did not make it into the zip"

mkdir -p "$out"
out=$(cd "$out" && pwd)
zip_path=$out/$slug-$version.zip
rm -f "$zip_path"
(cd "$stage" && zip -qrX "$zip_path" "$slug")
echo "$zip_path"

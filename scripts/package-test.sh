#!/usr/bin/env bash
# Tests what we ship, one "ok N - ..." / "not ok N - ..." line per check, ending with
# "N passed, N failed, N skipped":
#   versions  php --ri smtp's "Proven by CI" quoted in README.md; one version everywhere:
#             PHP_SMTP_VERSION, php --ri smtp, the plugin header
#             and its constant, composer.json, debian/changelog, CHANGELOG.md
#   tarball   scripts/dist.sh: php-smtp-<version>.tar.gz from git archive
#   pie       composer.json against PIE's published schema (tests/packaging/), then what
#             PIE runs, from the tarball: phpize, configure with the php-ext options,
#             make, make install into a DESTDIR (INSTALL_ROOT)
#   zip       scripts/plugin-zip.sh: native-smtp-<version>.zip, readme.txt in, no tests
#   deb       dpkg-buildpackage (dh-php) -> php8.2-smtp; installed in a copy of a clean
#             bookworm chroot: php -m lists smtp, the phpt suite passes against the
#             installed extension (no -d extension), purge leaves nothing behind
#
#   scripts/package-test.sh [PART...]      default: all; SO=path of a built smtp.so
#                                          (versions; default scripts/build.sh's)
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export ARTIFACTS=${ARTIFACTS:-$root/artifacts}
work=$ARTIFACTS/packaging
rm -rf "$work"
mkdir -p "$work"
[ $# -eq 0 ] && set -- versions tarball pie zip deb

n=0 passed=0 failed=0 skipped=0
ok() { n=$((n + 1)) passed=$((passed + 1)); echo "ok $n - $*"; }
notok() { n=$((n + 1)) failed=$((failed + 1)); echo "not ok $n - $*"; }
skip() { n=$((n + 1)) skipped=$((skipped + 1)); echo "ok $n - # SKIP $*"; }
# check DESCRIPTION COMMAND...: ok when COMMAND succeeds; its output is kept in the log.
check() {
	local what=$1
	shift
	if "$@" >>"$work/check.log" 2>&1; then ok "$what"; else notok "$what (see $work/check.log)"; fi
}

version=$(sed -n 's/^#define PHP_SMTP_VERSION "\(.*\)"/\1/p' php_smtp.h)

part_versions() {
	local so=${SO:-}
	[ -n "$so" ] || so=$(scripts/build.sh 2>>"$work/check.log") || { notok "versions: the extension did not build"; return; }
	local -A found
	found[php_smtp.h PHP_SMTP_VERSION]=$version
	found[php --ri smtp]=$(php -n -d "extension=$so" --ri smtp | sed -n 's/^Extension version => //p')
	found[phpversion('smtp')]=$(php -n -d "extension=$so" -r 'echo phpversion("smtp");')
	found[plugin header Version]=$(sed -n 's/^[ *]*Version:[[:space:]]*//p' wp-plugin/native-smtp/native-smtp.php | head -n1)
	found[plugin NATIVE_SMTP_VERSION]=$(sed -n "s/.*define( *'NATIVE_SMTP_VERSION', *'\([^']*\)'.*/\1/p" wp-plugin/native-smtp/native-smtp.php)
	found[composer.json version]=$(php -r 'echo json_decode(file_get_contents("composer.json"), true)["version"] ?? "";')
	found[debian/changelog]=$(dpkg-parsechangelog -l debian/changelog -SVersion | sed 's/-[^-]*$//')
	# the newest released section, or the one in the making: "## [0.1.0]" or "## [0.1.0] - ..."
	found[CHANGELOG.md]=$(sed -n 's/^## \[\([0-9][^]]*\)\].*/\1/p' CHANGELOG.md | head -n1)
	if [ -f wp-plugin/native-smtp/readme.txt ]; then
		found[readme.txt Stable tag]=$(sed -n 's/^Stable tag:[[:space:]]*\([^[:space:]]*\).*/\1/Ip' wp-plugin/native-smtp/readme.txt | head -n1)
	fi
	local where bad=0
	# what CI proves: php --ri smtp's line, word for word in the README
	local proven
	proven=$(php -n -d "extension=$so" --ri smtp | grep '^Proven by CI => ')
	if [ -n "$proven" ] && grep -qxF "    $proven" README.md; then
		ok "versions: README quotes php --ri smtp's '$proven'"
	else
		notok "versions: php --ri smtp's '${proven:-Proven by CI (missing)}' is not in README.md"
	fi
	for where in "${!found[@]}"; do
		if [ "${found[$where]}" != "$version" ]; then
			echo "  $where says '${found[$where]}', php_smtp.h says '$version'"
			bad=1
		fi
	done
	if [ "$bad" -eq 0 ] && [ -n "$version" ]; then
		ok "versions: ${#found[@]} places say $version"
	else
		notok "versions disagree"
	fi
}

part_tarball() {
	tarball=$(scripts/dist.sh "$work/dist" 2>>"$work/check.log")
	if [ -f "${tarball:-}" ] && [ "$(basename "$tarball")" = "php-smtp-$version.tar.gz" ]; then
		ok "tarball: $(basename "$tarball")"
	else
		notok "tarball: scripts/dist.sh made no php-smtp-$version.tar.gz"
		return
	fi
	local listing
	listing=$(tar -tzf "$tarball")
	local file missing=""
	for file in config.m4 php_smtp.h src/smtp_module.c composer.json debian/control.in README.md; do
		[[ $'\n'"$listing"$'\n' == *$'\n'"php-smtp-$version/$file"$'\n'* ]] || missing+=" $file"
	done
	if [ -z "$missing" ]; then ok "tarball: holds the sources, composer.json and debian/"; else notok "tarball: lacks$missing"; fi
}

part_pie() {
	if /usr/bin/python3 - composer.json tests/packaging/pie-php-ext-schema.json >>"$work/check.log" 2>&1 <<'PY'; then
import json, sys
from jsonschema import Draft202012Validator
schema = json.load(open(sys.argv[2]))
Draft202012Validator.check_schema(schema)
validator = Draft202012Validator(schema)
doc = json.load(open(sys.argv[1]))
errors = list(validator.iter_errors(doc))
for e in errors:
    print("composer.json:", "/".join(map(str, e.path)), e.message)
# the schema must have teeth: a wrong php-ext is refused
assert list(validator.iter_errors({"php-ext": {"priority": 5, "configure-options": [{"name": "--bad"}]}}))
assert doc.get("type") == "php-ext" and doc["php-ext"].get("extension-name") == "smtp"
sys.exit(1 if errors else 0)
PY
		ok "pie: composer.json is valid against PIE's php-ext schema (type php-ext, extension-name smtp)"
	else
		notok "pie: composer.json does not validate (see $work/check.log)"
	fi

	# What PIE runs, in a fresh unpack of the release tarball.
	local tarball=$work/dist/php-smtp-$version.tar.gz
	[ -f "$tarball" ] || tarball=$(scripts/dist.sh "$work/dist" 2>>"$work/check.log")
	local src=$work/pie-src dest=$work/pie-destdir
	rm -rf "$src" "$dest"
	mkdir -p "$src"
	tar -C "$src" --strip-components=1 -xzf "$tarball"
	local options=()
	mapfile -t options < <(php -r 'foreach (json_decode(file_get_contents("composer.json"), true)["php-ext"]["configure-options"] ?? [] as $o) { if ($o["name"] !== "enable-smtp-dev") echo "--", $o["name"], "\n"; }')
	if (cd "$src" && phpize && ./configure --with-php-config="$(command -v php-config)" "${options[@]}" &&
		make -j"$(nproc)" && make install INSTALL_ROOT="$dest") >"$work/pie-build.log" 2>&1; then
		local so=$dest$(php-config --extension-dir)/smtp.so
		local shown
		shown=$(php -n -d "extension=$so" --ri smtp 2>&1 | sed -n 's/^Extension version => //p')
		if [ -f "$so" ] && [ "$shown" = "$version" ]; then
			ok "pie: phpize, configure ${options[*]}, make, make install from the tarball: smtp.so $version in the DESTDIR"
		else
			notok "pie: installed smtp.so missing or says '${shown}' (see $work/pie-build.log)"
		fi
	else
		notok "pie: the PIE build failed (see $work/pie-build.log)"
		tail -n 15 "$work/pie-build.log" | sed 's/^/    /'
	fi
}

part_zip() {
	# The script must refuse clearly without readme.txt (a copy of the plugin lacking it).
	local bare=$work/bare/native-smtp out
	mkdir -p "$bare"
	cp -r wp-plugin/native-smtp/. "$bare/"
	rm -f "$bare/readme.txt"
	out=$(PLUGIN_DIR=$bare scripts/plugin-zip.sh "$work/zip-bare" 2>&1)
	if [ $? -ne 0 ] && [[ "$out" == *"readme.txt is missing"* ]] && [ ! -e "$work/zip-bare/native-smtp-$version.zip" ]; then
		ok "zip: refused without readme.txt, saying so"
	else
		notok "zip: plugin-zip.sh without readme.txt did not fail clearly: $out"
	fi
	if [ ! -f wp-plugin/native-smtp/readme.txt ]; then
		skip "zip: wp-plugin/native-smtp/readme.txt is not in the tree yet, so no zip"
		return
	fi
	local zip
	if ! zip=$(scripts/plugin-zip.sh "$work/zip" 2>>"$work/check.log"); then
		notok "zip: scripts/plugin-zip.sh failed (see $work/check.log)"
		return
	fi
	local listing
	listing=$(unzip -Z1 "$zip")
	if [ "$(basename "$zip")" = "native-smtp-$version.zip" ] &&
		[[ $'\n'"$listing" == *$'\n'native-smtp/readme.txt* ]] &&
		[[ $'\n'"$listing" == *$'\n'native-smtp/native-smtp.php* ]] &&
		! grep -qE '(^|/)(tests?|phpunit[^/]*)(/|$)|Test\.php$|\.phpt$' <<<"$listing" &&
		! grep -qvE '^native-smtp/' <<<"$listing"; then
		ok "zip: native-smtp-$version.zip holds native-smtp/ with readme.txt, no test files"
	else
		notok "zip: $(basename "$zip") is not as it should be: $(tr '\n' ' ' <<<"$listing" | cut -c1-300)"
	fi
}

part_deb() {
	local src=$work/deb-src
	rm -rf "$src"
	mkdir -p "$src"
	tar -C "$src" --strip-components=1 -xzf "$work/dist/php-smtp-$version.tar.gz" 2>/dev/null ||
		tar -C "$src" --strip-components=1 -xzf "$(scripts/dist.sh "$work/dist")"
	if ! (cd "$src" && dpkg-buildpackage -b -us -uc -j"$(nproc)") >"$work/deb-build.log" 2>&1; then
		notok "deb: dpkg-buildpackage failed (see $work/deb-build.log)"
		tail -n 15 "$work/deb-build.log" | sed 's/^/    /'
		return
	fi
	local debs=("$work"/php*-smtp_"$version"_*.deb)
	if [ -f "${debs[0]}" ]; then ok "deb: dpkg-buildpackage made $(basename "${debs[0]}")"; else notok "deb: no .deb made"; return; fi
	# the package's own files: what must be there once installed and gone after purge
	dpkg-deb -c "${debs[0]}" >"$work/deb-contents.txt"
	if grep -qE '/etc/php/[0-9.]+/mods-available/smtp.ini$' "$work/deb-contents.txt" &&
		grep -qE '/usr/lib/php/[0-9]+/smtp.so$' "$work/deb-contents.txt"; then
		ok "deb: ships smtp.so and mods-available/smtp.ini"
	else
		notok "deb: smtp.so or mods-available/smtp.ini missing (see $work/deb-contents.txt)"
	fi

	# A throw-away copy of the clean bookworm chroot: install, test, purge.
	local base box
	if ! base=$(scripts/chroot.sh ensure bookworm 2>"$work/chroot.log"); then
		notok "deb: the bookworm chroot could not be made (see $work/chroot.log)"
		return
	fi
	box=$base.pkg-test
	rm -rf --one-file-system "$box"
	cp -a "$base" "$box"
	mkdir -p "$box/var/tmp/debs"
	cp "${debs[0]}" "$box/var/tmp/debs/"
	# absolute: PHP-FPM's workers in the FPM tests run elsewhere than the checkout, and the
	# certificates' path must hold for them (the checkout is mounted at the same path inside)
	local pkg inside=$root/.build/packaging
	pkg=$(dpkg-deb -f "${debs[0]}" Package)
	rm -rf "$inside"
	mkdir -p "$inside"
	# inside: install with apt (it brings what the package depends on), php -m, the phpt
	# suite against the installed extension, purge; each step leaves a marker line
	scripts/chroot.sh run-in "$box" -- bash -c '
		inside=$1 pkg=$2
		export DEBIAN_FRONTEND=noninteractive
		apt-get -o Acquire::Check-Valid-Until=false -o DPkg::Lock::Timeout=900 -y -q \
			--no-install-recommends install /var/tmp/debs/*.deb >"$inside/install.log" 2>&1 && echo "step installed"
		modules=$(php -m)
		[[ $'"'"'\n'"'"'"$modules"$'"'"'\n'"'"' == *$'"'"'\nsmtp\n'"'"'* ]] && echo "step php-m"
		ls /etc/php/*/cli/conf.d/*-smtp.ini >/dev/null 2>&1 && echo "step enabled"
		# tests/oauth stays out: its authorization server helper needs a newer node than the
		# 18 bookworm has (fetch Headers.getSetCookie); the host runs those tests
		ARTIFACTS=$inside SMTP_TEST_CERTS=$inside/certs PHPT_LOG=$inside/phpt-run.log PHPT_DEPS=0 PHPT_SKIP_DIRS=oauth \
			scripts/test.sh --phpt installed >"$inside/phpt.log" 2>&1
		echo "step phpt $(tail -n1 "$inside/phpt.log")"
		apt-get -y -q purge "$pkg" >"$inside/purge.log" 2>&1 && echo "step purged"
		left=$(find /etc/php /usr/lib/php /var/lib/php -name "*smtp*" 2>/dev/null)
		[ -z "$left" ] && echo "step nothing-left" || echo "left: $left"
		dpkg -s "$pkg" >/dev/null 2>&1 || echo "step unknown-to-dpkg"
	' chroot-package-test "$inside" "$pkg" >"$work/deb-box.log" 2>&1
	rm -rf --one-file-system "$box"
	cp -r "$inside/." "$work/" 2>/dev/null
	local steps
	steps=$(cat "$work/deb-box.log")
	step() { [[ $'\n'"$steps"$'\n' == *$'\n'"step $1"* ]]; }
	if step installed; then ok "deb: $pkg installs with apt on a clean bookworm"; else notok "deb: $pkg did not install (see $work/install.log)"; fi
	if step php-m && step enabled; then ok "deb: phpenmod enabled it: php -m lists smtp"; else notok "deb: php -m does not list smtp after install"; fi
	local phpt
	phpt=$(sed -n 's/^step phpt //p' <<<"$steps")
	if [[ "$phpt" =~ ^([0-9]+)\ passed,\ 0\ failed ]] && [ "${BASH_REMATCH[1]}" -gt 0 ]; then
		ok "deb: phpt suite against the installed extension: $phpt"
	else
		notok "deb: phpt suite against the installed extension: ${phpt:-did not run} (see $work/phpt.log)"
		grep -E '^  [A-Z]+ ' "$work/phpt.log" 2>/dev/null | head -n 10
	fi
	if step purged && step nothing-left && step unknown-to-dpkg; then
		ok "deb: purge leaves nothing (no smtp file under /etc/php, /usr/lib/php, /var/lib/php; dpkg forgets it)"
	else
		notok "deb: purge left something: $(grep -E '^left:' "$work/deb-box.log" | head -c 300)"
	fi
}

for part in "$@"; do
	case "$part" in
	versions | tarball | pie | zip | deb) "part_$part" ;;
	*) echo "package-test.sh: unknown part $part" >&2; exit 2 ;;
	esac
done

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]

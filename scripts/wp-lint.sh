#!/usr/bin/env bash
# Static checks of the WordPress plugin: `php -l` on every PHP file, and phpcs with the
# WordPress rules Debian's php-codesniffer can check (tests/wp/phpcs.xml; WPCS itself is a
# Composer package that neither Debian nor npm carries), that the plugin's copy of the bridge's
# PHPMailerNative.php is the bridge's file, and msgfmt --check of the translations.
#   scripts/wp-lint.sh        prints "N passed, N failed"; exit 1 on any failure
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/deps.sh" lint wp
cd "$root"
passed=0 failed=0
mapfile -t files < <(find wp-plugin/native-smtp tests/wp/phpunit tests/wp/rig -name '*.php' | LC_ALL=C sort)
for file in "${files[@]}"; do
	if out=$(php -l "$file" 2>&1); then
		passed=$((passed + 1))
	else
		echo "FAIL php -l $file: $out"
		failed=$((failed + 1))
	fi
done
echo "php -l: ${#files[@]} files"
if out=$(phpcs --standard=tests/wp/phpcs.xml 2>&1); then
	echo "PASS phpcs (tests/wp/phpcs.xml)"
	passed=$((passed + 1))
else
	echo "FAIL phpcs"
	printf '%s\n' "$out"
	failed=$((failed + 1))
fi
# The plugin ships the bridge's PHPMailer hand-over (it cannot count on Composer): the copy must be
# the bridge's file to the byte, so there is one source.
for vendored in PHPMailerNative.php; do
	if cmp -s "bridge/src/$vendored" "wp-plugin/native-smtp/vendor/native-smtp-bridge/$vendored"; then
		passed=$((passed + 1))
	else
		echo "FAIL wp-plugin/native-smtp/vendor/native-smtp-bridge/$vendored differs from bridge/src/$vendored;" \
			"fix: cp bridge/src/$vendored wp-plugin/native-smtp/vendor/native-smtp-bridge/"
		failed=$((failed + 1))
	fi
done
for po in wp-plugin/native-smtp/languages/*.po; do
	if out=$(msgfmt --check --output-file=/dev/null "$po" 2>&1); then
		passed=$((passed + 1))
	else
		echo "FAIL msgfmt --check $po: $out"
		failed=$((failed + 1))
	fi
done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]

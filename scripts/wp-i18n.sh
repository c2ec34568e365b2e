#!/usr/bin/env bash
# Regenerates the Native SMTP plugin's .pot with xgettext (WordPress's gettext keywords), merges
# it into every .po with msgmerge, and compiles each .po into its .mo (msgfmt --check). New
# strings show up in the .po untranslated (msgattrib --untranslated lists them): translate them,
# then run this again.
#   scripts/wp-i18n.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
plugin=$root/wp-plugin/native-smtp
lang=$plugin/languages
version=$(sed -n "s/^ \* Version: *//p" "$plugin/native-smtp.php")

cd "$plugin"
mapfile -t files < <(find . -name '*.php' -not -path './languages/*' | sed 's|^\./||' | LC_ALL=C sort)
xgettext --language=PHP --from-code=UTF-8 --add-comments=translators: --sort-by-file \
	--package-name='Native SMTP' --package-version="$version" \
	--keyword=__ --keyword=_e --keyword=esc_html__ --keyword=esc_html_e --keyword=esc_attr__ \
	--keyword=esc_attr_e --keyword=_x:1,2c --keyword=_ex:1,2c --keyword=esc_html_x:1,2c \
	--keyword=esc_attr_x:1,2c --keyword=_n:1,2 --keyword=_nx:1,2,4c --keyword=_n_noop:1,2 \
	--output="$lang/native-smtp.pot" "${files[@]}"
for po in "$lang"/*.po; do
	msgmerge --quiet --update --backup=none --no-fuzzy-matching "$po" "$lang/native-smtp.pot"
	msgattrib --no-obsolete --output-file="$po" "$po" # strings the code no longer has
	msgfmt --check --output-file="${po%.po}.mo" "$po"
	left=$(msgattrib --untranslated --no-obsolete "$po" | grep -c '^msgid ' || true)
	# The header counts as one msgid.
	echo "wp-i18n: $(basename "$po"): $((left > 0 ? left - 1 : 0)) untranslated"
done

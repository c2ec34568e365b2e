# shellcheck shell=bash
# Shared by scripts/php-libs.sh and scripts/wp-src.sh (sourced, not run): Debian packages
# fetched through a private apt configuration (the machine's own sources and lists are not
# touched) and unpacked with dpkg-deb -x into a cache; nothing is installed.
# A cache holds apt/ (while fetching), debs/, root/ (the unpacked tree), versions (one
# "package version" a line), .lock and, once complete, .complete.

# debs_lock CACHE: creates CACHE and takes its lock on fd 9, held until the script exits,
# so that several runs at once wait for each other
debs_lock() {
	mkdir -p "$1"
	exec 9>"$1/.lock"
	flock 9
}

# debs_apt CACHE RELEASE: empties CACHE and reads Debian RELEASE's main package list into a
# fresh private apt configuration under CACHE/apt; sets the array debs_opts to the apt-get and
# apt-cache options that select it
debs_apt() {
	local cache=$1 release=$2 apt=$1/apt
	rm -rf "$apt" "$cache/root" "$cache/debs"
	mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$cache/debs" "$cache/root"
	echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian $release main" >"$apt/sources.list"
	debs_opts=(-o "Dir::Etc::sourcelist=$apt/sources.list" -o "Dir::Etc::sourceparts=$apt/none"
		-o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache" -o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache="
		-o Acquire::Languages=none -o "APT::Architectures::=$(dpkg --print-architecture)" -o quiet=1)
	echo "${0##*/}: reading Debian $release's package list" >&2
	apt-get "${debs_opts[@]}" update >&2
}

# debs_unpack CACHE PACKAGE...: downloads the packages (after debs_apt) and unpacks them into
# CACHE/root, listing them in CACHE/versions
debs_unpack() {
	local cache=$1 deb
	shift
	echo "${0##*/}: fetching $*" >&2
	(cd "$cache/debs" && apt-get "${debs_opts[@]}" download "$@" >&2)
	for deb in "$cache"/debs/*.deb; do
		dpkg-deb -x "$deb" "$cache/root"
		printf '%s %s\n' "$(dpkg-deb -f "$deb" Package)" "$(dpkg-deb -f "$deb" Version)"
	done >"$cache/versions"
}

# debs_complete CACHE: drops the private apt configuration and marks CACHE complete (a later
# run finds CACHE/.complete and fetches nothing)
debs_complete() {
	rm -rf "$1/apt"
	touch "$1/.complete"
}

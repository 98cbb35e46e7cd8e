#!/usr/bin/env bash
# Installs the Debian 12 packages that building, testing and the demo need (idempotent;
# needs root when something is missing). With CITUS_TARBALL set to a Citus source tarball it also
# builds and installs Citus for the scale-out test layer (test/lib/install_citus.sh).
set -eu
if [ -n "${CITUS_TARBALL:-}" ] && [ -f "$CITUS_TARBALL" ]; then
	bash "$(dirname "$0")/install_citus.sh" "$CITUS_TARBALL"
fi
PACKAGES="build-essential postgresql-15 postgresql-server-dev-15 postgresql-contrib mariadb-server
  mariadb-client libmariadb-dev libpq-dev libyaml-dev libzstd-dev zlib1g-dev catch2 clang-14 libclang-rt-14-dev clang-format clang-tidy-14 cppcheck zstd git python3
  sysbench percona-toolkit"
installed=$(dpkg-query -W -f='${Status}\n' $PACKAGES 2>/dev/null | grep -c 'install ok installed' || true)
[ "$installed" = "$(echo $PACKAGES | wc -w)" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "missing packages; run as root: apt-get install $PACKAGES" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends $PACKAGES >/dev/null

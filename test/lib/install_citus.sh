#!/usr/bin/env bash
# Builds Citus from a source tarball and installs it system-wide, for the scale-out test layer
# (test/e2e_citus). A test dependency only: never linked into the extension. The build is cached
# under $CITUS_CACHE (default /var/cache/chameleon-citus), keyed by the tarball's sha256, so a
# later run only installs it again. Usage: install_citus.sh TARBALL (needs root).
set -eu
tarball=$1
cache=${CITUS_CACHE:-/var/cache/chameleon-citus}
pg_config=${PG_CONFIG:-pg_config}
sum=$(sha256sum "$tarball" | cut -d' ' -f1)
build=$cache/$sum
export DEBIAN_FRONTEND=noninteractive
deps="postgresql-server-dev-15 liblz4-dev libzstd-dev libkrb5-dev"
if [ "$(dpkg-query -W -f='${Status}\n' $deps 2>/dev/null | grep -c 'install ok installed')" != 4 ]; then
	apt-get install -y -qq --no-install-recommends $deps >/dev/null
fi
if [ ! -f "$build/.built" ]; then
	rm -rf "$build"
	mkdir -p "$build"
	tar xzf "$tarball" -C "$build"
	src=$(find "$build" -mindepth 1 -maxdepth 1 -type d | head -1)
	# PostgreSQL 15.20 exports have_createdb_privilege(), which Citus 13.2.2 still defines for PG < 16
	sed -i 's/^have_createdb_privilege(void)$/citus_unused_have_createdb_privilege(void)/' \
		"$src/src/include/pg_version_compat.h"
	(cd "$src" && ./configure --without-libcurl PG_CONFIG="$pg_config" >"$build/configure.log" 2>&1 &&
		make -j"${JOBS:-2}" with_llvm=no >"$build/make.log" 2>&1) ||
		{ tail -30 "$build/configure.log" "$build/make.log" >&2; exit 1; }
	touch "$build/.built"
fi
src=$(find "$build" -mindepth 1 -maxdepth 1 -type d | head -1)
make -C "$src" install with_llvm=no >"$build/install.log" 2>&1
echo "citus installed from $tarball (build cached in $build)"

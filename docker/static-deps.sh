#!/usr/bin/env bash
# Builds the static musl libraries retort links into its single binary:
# OpenSSL (libcrypto, libssl), zlib, SQLite, libpq, MariaDB Connector/C
# (libmariadb) and libcurl, plus inih, libpg_query (PostgreSQL's parser, for
# `retort lint`) and the mimalloc allocator, all from Debian 12's own source
# packages (`apt-get source`, so Debian's security patches are in), installed
# into one prefix.
#
#   docker/static-deps.sh PREFIX
#
# Used by `make static` (PREFIX defaults to ~/.cache/retort/static-deps) and by
# the Dockerfile's dependency stage; the same script, so both binaries are one.
# A finished prefix carries a stamp naming this script's checksum and the
# source versions; a second run with the same script returns at once.
#
# Needs root for apt-get (toolchain and deb-src); set RETORT_NO_APT=1 when the
# tools are present and sources should come from an already-updated index.
# Facts behind the flags: kernel headers must be visible to musl-gcc for
# OpenSSL; Debian's curl tree carries its nss/gnutls flavour patches, which are
# reversed; the newest security sources may 404 on a mirror, so older versions
# from `apt-cache showsrc` are tried in turn.  musl's own malloc gives
# freed blocks back to the kernel eagerly, and SQLite frees and reallocates
# page-sized buffers for every statement of a transaction: with mimalloc
# linked in its place a 1,000-migration --single-transaction upgrade went from
# 131 ms to 85 ms and a cold `current` from 20 ms to 16 ms (bench/, W2, W1).
set -euo pipefail

prefix=${1:?usage: docker/static-deps.sh PREFIX}
mkdir -p "$prefix"
prefix=$(cd "$prefix" && pwd)
work=${RETORT_STATIC_WORK:-$prefix.work}
jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}
packages=(openssl zlib sqlite3 postgresql-15 curl)
say() { printf 'static-deps: %s\n' "$*" >&2; }

key=$(sha256sum "${BASH_SOURCE[0]}" | cut -c1-16)
if [[ -f $prefix/.stamp ]] && grep -qx "script $key" "$prefix/.stamp"; then
	say "up to date: $prefix"
	exit 0
fi

install_toolchain() {
	[[ ${RETORT_NO_APT:-} == 1 ]] && return 0
	local list=/etc/apt/sources.list.d/retort-deb-src.sources
	if [[ ! -f $list ]]; then
		if [[ -f /etc/apt/sources.list.d/debian.sources ]]; then
			sed 's/^Types:.*/Types: deb-src/' /etc/apt/sources.list.d/debian.sources >"$list"
		else
			# One-line format (e.g. a debootstrapped image): deb -> deb-src.
			list=/etc/apt/sources.list.d/retort-deb-src.list
			sed -n 's/^deb /deb-src /p' /etc/apt/sources.list >"$list"
		fi
	fi
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		musl-tools musl-dev linux-libc-dev gcc make perl tcl autoconf automake libtool \
		dpkg-dev file pkg-config xz-utils ca-certificates cmake patch
}

# Download one source package into the current directory, trying the
# candidate version first and then every other listed version, newest first;
# prints the .dsc's name.
download_source() {
	local pkg=$1 v dsc
	if ! apt-get source --download-only -qq "$pkg" >/dev/null 2>&1; then
		for v in $(apt-cache showsrc "$pkg" | sed -n 's/^Version: //p' | sort -u |
			sort -r -V); do
			rm -f ./*.dsc
			apt-get source --download-only -qq "$pkg=$v" >/dev/null 2>&1 && break
		done
	fi
	dsc=$(ls ./*.dsc 2>/dev/null | head -1)
	[[ -n $dsc ]] || { say "cannot download the source of '$pkg'"; return 1; }
	echo "$dsc"
}

# Download and unpack one source package into $work/<name>.
fetch_source() {
	local pkg=$1 dir=$work/src-$1
	[[ -d $dir/tree ]] && return 0
	rm -rf "$dir" && mkdir -p "$dir"
	(
		cd "$dir" || exit 1
		dsc=$(download_source "$pkg") || exit 1
		# apt checked the files against the signed index; dpkg-source only
		# warns that it has no keyring, so its chatter goes to a log
		dpkg-source -x "$dsc" tree >dpkg-source.log 2>&1 || { cat dpkg-source.log; exit 1; }
		echo "$pkg $(sed -n 's/^Version: //p' "$dsc")" >version
	) || return 1
}

kernel_headers() {
	local k=$work/kinc
	mkdir -p "$k"
	ln -sfn /usr/include/linux "$k/linux"
	ln -sfn /usr/include/asm-generic "$k/asm-generic"
	ln -sfn /usr/include/x86_64-linux-gnu/asm "$k/asm"
}

build_openssl() {
	cd "$work/src-openssl/tree" || return 1
	./Configure linux-x86_64 --prefix="$prefix" --libdir=lib --openssldir=/etc/ssl \
		no-shared no-tests no-afalgeng -I"$work/kinc" -fPIC CC=musl-gcc || return 1
	make -j"$jobs" build_libs && make install_dev
}

build_zlib() {
	cd "$work/src-zlib/tree" || return 1
	CC=musl-gcc CFLAGS='-O2 -fPIC' ./configure --prefix="$prefix" --static || return 1
	make -j"$jobs" libz.a && make install
}

build_sqlite() {
	cd "$work/src-sqlite3/tree" || return 1
	./configure --prefix="$prefix" --disable-shared --enable-static --disable-tcl \
		--disable-readline --disable-editline --enable-fts5 --enable-rtree CC=musl-gcc \
		CFLAGS="-O2 -fPIC -DSQLITE_ENABLE_COLUMN_METADATA=1 -DSQLITE_ENABLE_UNLOCK_NOTIFY=1" \
		|| return 1
	make -j"$jobs" libsqlite3.la sqlite3.h sqlite3.pc || return 1
	make lib_install || return 1
	install -m 644 sqlite3.h src/sqlite3ext.h "$prefix/include/" &&
		install -D -m 644 sqlite3.pc "$prefix/lib/pkgconfig/sqlite3.pc"
}

build_libpq() {
	cd "$work/src-postgresql-15/tree" || return 1
	./configure --prefix="$prefix" --with-ssl=openssl --without-readline --without-icu \
		--without-zlib --without-gssapi --without-ldap --without-lz4 --without-zstd \
		--without-libxml --without-systemd --disable-nls CC=musl-gcc CFLAGS="-O2 -fPIC" \
		CPPFLAGS="-I$prefix/include" LDFLAGS="-L$prefix/lib" || return 1
	make -C src/backend generated-headers &&
		make -j"$jobs" -C src/port libpgport.a &&
		make -j"$jobs" -C src/common libpgcommon.a &&
		make -j"$jobs" -C src/interfaces/libpq all-static-lib libpq.pc || return 1
	# Installed by hand: Debian's patches move libpgport/libpgcommon elsewhere.
	install -m 644 src/interfaces/libpq/libpq.a src/common/libpgcommon.a \
		src/port/libpgport.a "$prefix/lib/" &&
		install -m 644 src/interfaces/libpq/libpq-fe.h src/interfaces/libpq/libpq-events.h \
			src/include/postgres_ext.h src/include/pg_config_ext.h "$prefix/include/" &&
		install -m 644 src/interfaces/libpq/libpq.pc "$prefix/lib/pkgconfig/"
}

build_curl() {
	cd "$work/src-curl/tree" || return 1
	# Debian applies its nss and gnutls flavour patches on top; undo them to
	# get the OpenSSL flavour, then regenerate the build system.
	local p
	for p in 99_nss.patch 90_gnutls.patch; do
		[[ -f debian/patches/$p ]] || continue
		patch -R -p1 -s -f <"debian/patches/$p" || return 1
	done
	autoreconf -fi || return 1
	./configure --prefix="$prefix" --disable-shared --enable-static --with-pic \
		--with-openssl="$prefix" --with-zlib="$prefix" --without-libpsl --without-brotli \
		--without-zstd --without-nghttp2 --without-ngtcp2 --without-nghttp3 \
		--without-libidn2 --without-librtmp --without-libssh2 --without-libssh \
		--without-hyper --disable-ldap --disable-ldaps --disable-manual \
		--with-ca-bundle=/etc/ssl/certs/ca-certificates.crt --with-ca-path=/etc/ssl/certs \
		CC=musl-gcc CFLAGS=-O2 CPPFLAGS="-I$prefix/include" LDFLAGS="-L$prefix/lib" \
		|| return 1
	make -j"$jobs" -C lib && make -C lib install &&
		make -C include install && make install-pkgconfigDATA
}

# MariaDB Connector/C, the libmariadb/ folder of Debian's mariadb source
# package (the library Debian ships as libmariadb3).  The package is the
# whole server, 115 MB: only that folder is unpacked, and each of Debian's
# patches that touches it is applied (none did in 10.11.18).  TLS and the
# sha256 and caching_sha2 authentication plugins use the prefix's OpenSSL,
# compression its zlib; the authentication plugins are built in, since a
# static binary cannot load one.  Connector/C's own -Werror is turned off:
# musl's headers draw warnings glibc's do not.
build_libmariadb() {
	local dir=$work/src-mariadb dsc orig top p
	rm -rf "$dir" && mkdir -p "$dir" && cd "$dir" || return 1
	dsc=$(download_source mariadb) || return 1
	orig=$(ls ./*.orig.tar.* | grep -v '\.asc$' | head -1)
	tar -xf "$orig" --wildcards '*/libmariadb/*' && tar -xf ./*.debian.tar.* || return 1
	top=$(ls -d ./*/libmariadb | head -1) && top=${top%/libmariadb}
	while read -r p _; do
		[[ -z $p || $p == \#* ]] && continue
		grep -q '^+++ [^/ ]*/libmariadb/' "debian/patches/$p" || continue
		say "applying Debian's $p to libmariadb"
		patch -d "$top" -p1 -s <"debian/patches/$p" || return 1
	done <debian/patches/series
	mkdir -p build && cd build || return 1
	cmake "../$top/libmariadb" -DCMAKE_C_COMPILER=musl-gcc -DCMAKE_BUILD_TYPE=Release \
		-DCMAKE_C_FLAGS=-fPIC -DCMAKE_COMPILE_WARNING_AS_ERROR=OFF -DWITH_UNIT_TESTS=OFF \
		-DWITH_SSL=OPENSSL -DOPENSSL_ROOT_DIR="$prefix" -DOPENSSL_USE_STATIC_LIBS=ON \
		-DWITH_EXTERNAL_ZLIB=ON -DZLIB_ROOT="$prefix" -DWITH_CURL=OFF \
		-DREMOTEIO_PLUGIN_TYPE=OFF -DCMAKE_DISABLE_FIND_PACKAGE_CURL=ON \
		-DCLIENT_PLUGIN_DIALOG=STATIC -DCLIENT_PLUGIN_MYSQL_CLEAR_PASSWORD=STATIC \
		-DCLIENT_PLUGIN_CLIENT_ED25519=STATIC -DCLIENT_PLUGIN_SHA256_PASSWORD=STATIC \
		-DCLIENT_PLUGIN_CACHING_SHA2_PASSWORD=STATIC -DCLIENT_PLUGIN_MYSQL_OLD_PASSWORD=OFF \
		-DCLIENT_PLUGIN_AUTH_GSSAPI_CLIENT=OFF || return 1
	grep -q '^WITH_SSL:.*OPENSSL' CMakeCache.txt || { say "libmariadb: OpenSSL not found"; return 1; }
	make -j"$jobs" mariadbclient || return 1
	# Connector/C's list helpers and PostgreSQL's (in libpg_query) share
	# the name list_free; a shared libmariadb keeps its own private, a
	# static one cannot, so its copy is renamed, calls and all.
	objcopy --redefine-sym list_free=ma_list_free libmariadb/libmariadbclient.a || return 1
	install -D -m 644 libmariadb/libmariadbclient.a "$prefix/lib/libmariadbclient.a" &&
		mkdir -p "$prefix/include/mariadb/mysql" &&
		install -m 644 "../$top"/libmariadb/include/{mariadb_com,mysql,mariadb_stmt,ma_pvio,ma_tls,ma_list,errmsg,mariadb_dyncol,mariadb_ctype,mariadb_rpl,mysqld_error}.h \
			include/mariadb_version.h "$prefix/include/mariadb/" &&
		install -m 644 "../$top"/libmariadb/include/mysql/{client_plugin,plugin_auth}.h \
			"$prefix/include/mariadb/mysql/" || return 1
	echo "mariadb $(sed -n 's/^Version: //p' "../$dsc") (libmariadb/ only)" >../version
	printf '%s\n' "prefix=$prefix" 'Name: libmariadb' 'Description: MariaDB Connector/C' \
		"Version: $(sed -n 's/^#define MARIADB_PACKAGE_VERSION "\(.*\)"/\1/p' include/mariadb_version.h)" \
		"Libs: -L$prefix/lib -lmariadbclient" "Libs.private: -lssl -lcrypto -lz -pthread" \
		"Cflags: -I$prefix/include/mariadb" >"$prefix/lib/pkgconfig/libmariadb.pc"
}

# libpg_query (PostgreSQL's parser, for `retort lint`) with its own
# Makefile's static target.  The protobuf-c runtime it vendors is compiled
# into the library, so only that header is installed (where Debian's
# libprotobuf-c-dev puts it: pg_query.pb-c.h includes it from there).
# Some mirrors carry no libpg-query source (the .dsc but a 404 for its
# tarballs); then libpg-query-dev's own static library is used, with the
# header from libprotobuf-c-dev.  That library was compiled against glibc
# with _FORTIFY_SOURCE: its only calls musl lacks are four fortified
# wrappers, which pg_query_glibc_chk.o forwards to the plain functions
# (jmp_buf and sigjmp_buf have the same 200-byte layout in both C
# libraries; the rest is stdio, string, ctype, setjmp and pthread keys,
# which musl provides under glibc's names).  The lint tests of the static
# binary prove the parse and error paths.
build_libpg_query() {
	local version
	fetch_source libpg-query >/dev/null 2>&1 || true
	if [[ -f $work/src-libpg-query/tree/pg_query.h ]]; then
		cd "$work/src-libpg-query/tree" || return 1
		make -j"$jobs" build CC=musl-gcc CFLAGS=-O2 || return 1
		install -m 644 libpg_query.a "$prefix/lib/" &&
			install -m 644 pg_query.h "$prefix/include/" &&
			install -D -m 644 protobuf/pg_query.pb-c.h "$prefix/include/pg_query/pg_query.pb-c.h" &&
			install -D -m 644 vendor/protobuf-c/protobuf-c.h \
				"$prefix/include/protobuf-c/protobuf-c.h" || return 1
		version=$(sed -n 's/^libpg-query //p' ../version)
	else
		say "no libpg-query source on this mirror; using libpg-query-dev's static library"
		mkdir -p "$work/pg-query-bin" && cd "$work/pg-query-bin" || return 1
		apt-get download -qq libpg-query-dev libprotobuf-c-dev >/dev/null 2>&1 || return 1
		dpkg -x libpg-query-dev_*.deb x && dpkg -x libprotobuf-c-dev_*.deb x || return 1
		cat >glibc_chk.c <<'C'
/* glibc's fortified wrappers that Debian's libpg_query.a calls, forwarded
 * to the plain functions musl has (the static image's fallback build). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
int __snprintf_chk(char *s, size_t n, int flag, size_t len, const char *fmt, ...);
int __asprintf_chk(char **s, int flag, const char *fmt, ...);
char *__strcat_chk(char *dst, const char *src, size_t len);
void __longjmp_chk(sigjmp_buf env, int val);
int __snprintf_chk(char *s, size_t n, int flag, size_t len, const char *fmt, ...)
{
	va_list ap;
	(void)flag; (void)len;
	va_start(ap, fmt);
	int r = vsnprintf(s, n, fmt, ap);
	va_end(ap);
	return r;
}
int __asprintf_chk(char **s, int flag, const char *fmt, ...)
{
	va_list ap;
	(void)flag;
	va_start(ap, fmt);
	int r = vasprintf(s, fmt, ap);
	va_end(ap);
	return r;
}
char *__strcat_chk(char *dst, const char *src, size_t len)
{
	(void)len;
	return strcat(dst, src);
}
void __longjmp_chk(sigjmp_buf env, int val)
{
	siglongjmp(env, val);
}
C
		musl-gcc -O2 -fPIC -c glibc_chk.c -o pg_query_glibc_chk.o &&
			cp "$(find x -name libpg_query.a | head -1)" "$prefix/lib/libpg_query.a" &&
			ar rs "$prefix/lib/libpg_query.a" pg_query_glibc_chk.o &&
			install -m 644 x/usr/include/pg_query.h "$prefix/include/" &&
			install -D -m 644 x/usr/include/pg_query/pg_query.pb-c.h \
				"$prefix/include/pg_query/pg_query.pb-c.h" &&
			install -D -m 644 x/usr/include/protobuf-c/protobuf-c.h \
				"$prefix/include/protobuf-c/protobuf-c.h" || return 1
		version=$(dpkg-deb -f libpg-query-dev_*.deb Version)
		echo "libpg-query-dev $version (binary)" >version
	fi
	printf '%s\n' "prefix=$prefix" 'Name: libpg_query' 'Description: PostgreSQL parser' \
		"Version: $version" "Libs: -L$prefix/lib -lpg_query" "Cflags: -I$prefix/include" \
		>"$prefix/lib/pkgconfig/libpg_query.pc"
}

# inih is one C file, compiled with its defaults as Debian's meson build
# does.  Some mirrors carry no libinih source; then Debian's own static
# library from libinih-dev is used.  It calls only stdio, string and ctype
# functions, which musl provides under the same ABI (the static binary's
# config tests prove it).
build_inih() {
	local obj version
	if fetch_source libinih >/dev/null 2>&1; then
		cd "$work/src-libinih/tree" || return 1
		musl-gcc -O2 -fPIC -c ini.c -o ini.o && ar rcs "$prefix/lib/libinih.a" ini.o || return 1
		install -m 644 ini.h "$prefix/include/" || return 1
		version=$(sed -n 's/^libinih //p' ../version)
	else
		say "no libinih source on this mirror; using libinih-dev's static library"
		mkdir -p "$work/inih-bin" && cd "$work/inih-bin" || return 1
		apt-get download -qq libinih-dev >/dev/null 2>&1 || return 1
		dpkg -x libinih-dev_*.deb x || return 1
		obj=$(find x -name libinih.a | head -1)
		install -m 644 "$obj" "$prefix/lib/libinih.a" &&
			install -m 644 x/usr/include/ini.h "$prefix/include/" || return 1
		version=$(dpkg-deb -f libinih-dev_*.deb Version)
		echo "libinih-dev $version (binary)" >version
	fi
	printf '%s\n' "prefix=$prefix" 'Name: inih' 'Description: INI parser' \
		"Version: $version" "Libs: -L$prefix/lib -linih" "Cflags: -I$prefix/include" \
		>"$prefix/lib/pkgconfig/inih.pc"
}

# mimalloc as one object file (its single-translation-unit build) that
# replaces malloc in the static link; musl supports replacing malloc.  A
# mirror without its source gets a binary on musl's allocator, slower but
# the same otherwise.
build_mimalloc() {
	if ! fetch_source mimalloc >/dev/null 2>&1; then
		say "no mimalloc source on this mirror; the binary keeps musl's malloc"
		return 0
	fi
	cd "$work/src-mimalloc/tree" || return 1
	musl-gcc -O2 -DNDEBUG -DMI_MALLOC_OVERRIDE -Iinclude -c src/static.c \
		-o "$prefix/lib/mimalloc.o"
}

# Each component once: a rerun after a failure resumes where it stopped.
# Compiler chatter goes to a log (OpenSSL alone warns by the hundred about
# the kernel headers); a failure shows the log's end.
step() {
	local name=$1 t0=$SECONDS log=$work/build-$1.log
	[[ -f $work/done-$name ]] && return 0
	say "$name ..."
	if ! ("build_$name") >"$log" 2>&1; then
		tail -n 40 "$log" >&2
		say "building $name failed; the whole log is $log"
		exit 1
	fi
	touch "$work/done-$name"
	say "$name done in $((SECONDS - t0)) s"
}

start=$SECONDS
install_toolchain
mkdir -p "$work" "$prefix/lib/pkgconfig" "$prefix/include"
for pkg in "${packages[@]}"; do
	fetch_source "$pkg" || { say "fetching '$pkg' failed"; exit 1; }
done
kernel_headers
for name in openssl zlib sqlite libpq libmariadb curl libpg_query inih mimalloc; do step "$name"; done

{
	echo "script $key"
	cat "$work"/src-*/version "$work"/inih-bin/version "$work"/pg-query-bin/version 2>/dev/null
} >"$prefix/.stamp"
rm -rf "$work"
say "prefix ready in $((SECONDS - start)) s: $prefix"

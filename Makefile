# retort build.  `make` builds build/retort; `make test` runs every test and
# ends with "N passed, M failed"; `make asan` runs them under ASan+UBSan;
# `make valgrind` under valgrind; `make deps` installs Debian's packages;
# `make fuzz` runs the libFuzzer targets in tests/fuzz (FUZZ_SECONDS each).
#
# Drivers are chosen at build time: DRIVERS="sqlite postgresql mysql" (the
# default); DRIVERS=sqlite builds a SQLite-only retort without libpq or
# libmariadb.

CC ?= cc
PREFIX ?= /usr/local
DRIVERS ?= sqlite postgresql mysql
BUILD ?= build
PKG_CONFIG ?= pkg-config

WARN = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
CFLAGS ?= -O2 -g
ALL_CFLAGS = -std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE $(WARN) $(CFLAGS) $(EXTRA_CFLAGS)
LIBS = $(shell $(PKG_CONFIG) --libs inih)
# the lease lock's heartbeat thread (db/lock_table.c)
LIBS += -pthread
# OpenSSL's libcrypto: SHA-256 of the migrations retort_history records
ALL_CFLAGS += $(shell $(PKG_CONFIG) --cflags libcrypto)
LIBS += $(shell $(PKG_CONFIG) --libs libcrypto)
# Debian's libinih makes its line-length limit a variable: retort then reads long lines whole
INIH_H = $(firstword $(wildcard $(patsubst -I%,%/ini.h,$(shell $(PKG_CONFIG) --cflags-only-I inih)) \
	/usr/include/ini.h))
ifneq ($(shell grep -qs 'extern int ini_max_line' $(INIH_H) && echo y),)
ALL_CFLAGS += -DRT_INIH_RUNTIME_LIMITS
endif

ifneq ($(filter sqlite,$(DRIVERS)),)
ALL_CFLAGS += -DRT_WITH_SQLITE $(shell $(PKG_CONFIG) --cflags sqlite3)
LIBS += $(shell $(PKG_CONFIG) --libs sqlite3)
DRIVER_SRC += src/db/sqlite.c src/db/sqlite_schema.c
endif

ifneq ($(filter postgresql,$(DRIVERS)),)
ALL_CFLAGS += -DRT_WITH_PG $(shell $(PKG_CONFIG) --cflags libpq)
LIBS += $(shell $(PKG_CONFIG) --libs libpq)
DRIVER_SRC += src/db/pg.c src/db/pg_ahead.c src/db/pg_schema.c
endif

# MySQL and MariaDB, on MariaDB Connector/C (libmariadb-dev)
ifneq ($(filter mysql,$(DRIVERS)),)
ALL_CFLAGS += -DRT_WITH_MYSQL $(shell $(PKG_CONFIG) --cflags libmariadb)
LIBS += $(shell $(PKG_CONFIG) --libs libmariadb) -lm
DRIVER_SRC += src/db/mysql.c src/db/mysql_schema.c
endif

# libpg_query (PostgreSQL's own parser, for `retort lint`; libpg-query-dev,
# whose pg_query.pb-c.h needs libprotobuf-c-dev's header).  Debian ships no
# .pc file for it; the static prefix of docker/static-deps.sh does.
LIBS += $(or $(shell $(PKG_CONFIG) --libs libpg_query 2>/dev/null),-lpg_query)
ALL_CFLAGS += $(shell $(PKG_CONFIG) --cflags libpg_query 2>/dev/null)

# libcurl (HTTP wait targets, --notify): CURL=no builds without it.
CURL ?= yes
ifeq ($(CURL),yes)
ALL_CFLAGS += -DRT_WITH_CURL $(shell $(PKG_CONFIG) --cflags libcurl)
LIBS += $(shell $(PKG_CONFIG) --libs libcurl)
endif

LIB_SRC = $(wildcard src/lib/*.c) $(wildcard src/schema/*.c) $(wildcard src/lint/*.c) src/db/driver.c src/db/version_table.c src/db/history.c $(DRIVER_SRC) \
	$(wildcard src/run/*.c)
# the lease lock, written over the driver vtable
LIB_SRC += src/db/lock_table.c
CMD_SRC = $(wildcard src/cmd/*.c) src/main.c
LIB_OBJ = $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
# the Python helpers, built into the binary as C strings (below)
GEN_SRC = $(patsubst src/run/%.py,$(BUILD)/gen/%.c,$(wildcard src/run/*.py))
LIB_OBJ += $(GEN_SRC:%.c=$(BUILD)/obj/%.o)
CMD_OBJ = $(CMD_SRC:%.c=$(BUILD)/obj/%.o)
UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all test unit asan valgrind difftest install deps deps-check demo bench clean static man \
	fuzz fuzz-smoke fuzz-bins
all: $(BUILD)/retort

$(BUILD)/obj/%.o: %.c $(wildcard src/*/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# The Python helpers retort runs with the project's own Python
# (src/run/*.py: convert's driver, the models' DDL) are built into the
# binary as C strings, rt_py_NAME (src/run/pyhelpers.h), so the static
# binary needs no files beside it.  '?' is escaped: no trigraphs.
$(BUILD)/gen/%.c: src/run/%.py
	@mkdir -p $(dir $@)
	{ echo '/* generated from $< by the Makefile */'; \
	  echo 'const char rt_py_$*[] ='; \
	  sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/?/\\?/g' -e 's/^/"/' -e 's/$$/\\n"/' $<; \
	  echo ';'; } >$@.tmp && mv $@.tmp $@

$(BUILD)/libretort.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/retort: $(CMD_OBJ) $(BUILD)/libretort.a
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(CMD_OBJ) $(BUILD)/libretort.a $(LIBS) $(EXTRA_LIBS)

$(BUILD)/tests/%: tests/unit/%.c tests/unit/unit.h $(BUILD)/libretort.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -Isrc -o $@ $< $(BUILD)/libretort.a $(LIBS) \
		$(shell $(PKG_CONFIG) --libs cmocka)

unit: $(UNIT_BIN)

test: deps-check
	@$(MAKE) --no-print-directory $(BUILD)/retort unit
	@RETORT_BIN=$(abspath $(BUILD)/retort) UNIT_DIR=$(abspath $(BUILD)/tests) tests/run.sh

asan: deps-check
	RETORT_CONTAINER_TESTS=0 $(MAKE) --no-print-directory BUILD=build/asan CC=$${CC:-gcc} \
		EXTRA_CFLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
		LDFLAGS="-fsanitize=address,undefined" test

valgrind: deps-check
	@$(MAKE) --no-print-directory $(BUILD)/retort unit
	@RETORT_BIN=$(abspath $(BUILD)/retort) UNIT_DIR=$(abspath $(BUILD)/tests) \
		RETORT_WRAP="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite" \
		tests/run.sh

# libFuzzer targets (tests/fuzz), built with clang against an ASan+UBSan
# library in build/fuzz; each runs FUZZ_SECONDS on a scratch copy of its
# seed corpus, and a crash fails the run.  make fuzz-smoke: 10 s each (CI).
FUZZ_SECONDS ?= 60
FUZZ_TARGETS = script pyrev sqllex url config graph
FUZZ_SAN = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_BIN = $(FUZZ_TARGETS:%=$(BUILD)/fuzz/fuzz_%)

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(BUILD)/libretort.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer $(LDFLAGS) -Isrc -o $@ $< $(BUILD)/libretort.a $(LIBS)

fuzz-bins: $(FUZZ_BIN)

fuzz: deps-check
	@$(MAKE) --no-print-directory BUILD=build/fuzz CC=clang CFLAGS="-O1 -g" \
		EXTRA_CFLAGS="$(FUZZ_SAN) -fsanitize=fuzzer-no-link" LDFLAGS="$(FUZZ_SAN)" fuzz-bins
	@FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run.sh build/fuzz/fuzz $(FUZZ_TARGETS)

fuzz-smoke:
	@$(MAKE) --no-print-directory FUZZ_SECONDS=10 fuzz

# The differential test against Alembic on more seeds: make difftest SEEDS=1000
SEEDS ?= 1000
difftest: $(BUILD)/retort
	/usr/bin/python3 tests/diff/alembic_diff.py $(abspath $(BUILD)/retort) 1 $(SEEDS)

# The man page and completion scripts, generated from the command and
# settings tables by the binary itself.
man: $(BUILD)/retort.1
$(BUILD)/retort.1: $(BUILD)/retort
	$(BUILD)/retort manpage >$@

install: $(BUILD)/retort $(BUILD)/retort.1
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions \
		$(DESTDIR)$(PREFIX)/share/zsh/site-functions
	install -m 0755 $(BUILD)/retort $(DESTDIR)$(PREFIX)/bin/retort
	install -m 0644 $(BUILD)/retort.1 $(DESTDIR)$(PREFIX)/share/man/man1/retort.1
	$(BUILD)/retort completion bash >$(DESTDIR)$(PREFIX)/share/bash-completion/completions/retort
	$(BUILD)/retort completion zsh >$(DESTDIR)$(PREFIX)/share/zsh/site-functions/_retort

# Debian 12 packages for building and testing (python3-alembic: the
# interoperability tests run the real Alembic against retort's databases;
# mariadb-server: mariadb-install-db and mariadbd for the MySQL tests;
# pgbouncer: the transaction pooler the lease-lock tests put before PostgreSQL;
# python3-flask-migrate: a real `flask db` project for convert's tests;
# python3-pymysql: Alembic's own runs on MariaDB).
DEPS = gcc make libc6-dev pkg-config libsqlite3-dev libinih-dev libpq-dev libcurl4-openssl-dev \
	libmariadb-dev libcmocka-dev bats libssl-dev libpg-query-dev libprotobuf-c-dev \
	sqlite3 valgrind clang libclang-rt-14-dev python3-alembic python3-psycopg2 graphviz util-linux postgresql-15 \
	groff-base zsh iptables iproute2 mariadb-server pgbouncer python3-flask-migrate python3-pymysql
SUDO = $(shell [ "$$(id -u)" = 0 ] || echo sudo)
deps:
	$(SUDO) apt-get update -qq
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(DEPS)

# Install whatever of $(DEPS) is missing (Debian only), so that `make demo`
# and `make test` work on a fresh machine.
deps-check:
	@command -v dpkg >/dev/null || exit 0; \
	missing=$$(for p in $(DEPS); do dpkg -s $$p >/dev/null 2>&1 || printf '%s ' $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "retort: installing missing Debian packages: $$missing"; \
		$(SUDO) apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

# The main job on the embedded default database (sqlite:///app.db).
demo: deps-check
	@$(MAKE) --no-print-directory $(BUILD)/retort
	$(BUILD)/retort upgrade head
	$(BUILD)/retort history
	$(BUILD)/retort current

# One fully static x86_64 musl executable with SQLite, libpq, libmariadb
# (MariaDB Connector/C) and libcurl (OpenSSL for TLS and the checksums of
# retort_history), and mimalloc in place of musl's malloc when the deps have
# it: build/static/retort.  The libraries are built once from Debian's sources
# into STATIC_DEPS by docker/static-deps.sh, the script the Dockerfile uses
# too; later builds reuse them.
STATIC_DEPS ?= $(HOME)/.cache/retort/static-deps
static:
	docker/static-deps.sh $(STATIC_DEPS)
	$(MAKE) --no-print-directory BUILD=build/static CC=musl-gcc CFLAGS=-O2 DRIVERS="sqlite postgresql mysql" \
		PKG_CONFIG="env PKG_CONFIG_LIBDIR=$(STATIC_DEPS)/lib/pkgconfig pkg-config --static" \
		LDFLAGS="-static -s $$(ls $(STATIC_DEPS)/lib/mimalloc.o 2>/dev/null)" \
		EXTRA_LIBS="-lm -pthread" build/static/retort
	@file build/static/retort

# Daily use, through scripts/migrate.sh (compose's `migrate` service; add
# RETORT_LOCAL=1 to use build/retort instead).
MIGRATE = scripts/migrate.sh
.PHONY: migrate makemigrations migrate-check migrate-show migrate-rollback migrate-history migrate-current
migrate:
	$(MIGRATE) upgrade head
makemigrations:
	@test -n "$(msg)" || { echo 'usage: make makemigrations msg="what changes"' >&2; exit 64; }
	$(MIGRATE) makemigrations -m "$(msg)"
migrate-check:
	$(MIGRATE) check
migrate-show:
	$(MIGRATE) showmigrations
migrate-rollback:
	$(MIGRATE) rollback --steps $(or $(steps),1)
migrate-history:
	$(MIGRATE) history --indicate-current
migrate-current:
	$(MIGRATE) current

bench: $(BUILD)/retort
	bench/run.sh

clean:
	rm -rf build

#!/usr/bin/env bats
# Covers the shape of the source tree, statically and in well under a
# second: every src/**/*.c file opens with a comment (/* on line 1) saying
# what it is for; and the folders include each other in one direction
# only, so the layers stay layers:
#   src/lib     includes only lib
#   src/schema  lib and schema
#   src/lint    lib, schema and lint (a branch beside db and run: only cmd
#               uses the linter, and the linter never touches the project's
#               database; SQLite's rules use a scratch one in memory)
#   src/db      lib, schema and db
#   src/run     lib, schema, db and run
#   src/cmd and src/main.c  anything.
# And no library message spells a command-line flag: the library knows
# settings, and the command layer words its hints with the flags
# (src/cmd/report.c); only src/lib/config.c, which owns the settings table,
# and src/lib/parseopt.c, the option parser itself ("--help"), name flags.
# A failure lists every offending file, or file:line and the include or
# the string.

SRC=$BATS_TEST_DIRNAME/../../src

# flag_literals DIR: each string literal of the library folders under DIR
# (lib, schema, lint, db, run: their C and the Python helpers run embeds;
# not lib/config.c or lib/parseopt.c) that spells a long flag (--word), as
# FILE:LINE: "TEXT".
# Comments are skipped (C's /* */ and //, Python's #); a Python
# triple-quoted string may span lines.  A "-- " SQL comment is no flag.
flag_literals() {
	(cd "$1" && find lib schema lint db run -type f \( -name '*.[ch]' -o -name '*.py' \) \
		! -path lib/config.c ! -path lib/parseopt.c | sort | xargs awk '
		FNR == 1 { py = FILENAME ~ /\.py$/; incom = 0; tq = "" }
		function check(s) {
			if (s ~ /(^|[^-[:alnum:]_])--[[:alpha:]]/)
				printf "%s:%d: \"%s\"\n", FILENAME, FNR, s
		}
		{
			line = $0; n = length(line); i = 1
			while (i <= n) {
				c = substr(line, i, 1)
				if (incom) {
					if (substr(line, i, 2) == "*/") { incom = 0; i += 2 } else i++
					continue
				}
				if (tq != "") {
					if (substr(line, i, 3) == tq) { check(lit); tq = ""; i += 3; continue }
					if (c == "\\") { lit = lit substr(line, i, 2); i += 2; continue }
					lit = lit c; i++
					continue
				}
				if (!py && substr(line, i, 2) == "/*") { incom = 1; i += 2; continue }
				if ((!py && substr(line, i, 2) == "//") || (py && c == "#")) break
				if (py && (substr(line, i, 3) == "\"\"\"" || substr(line, i, 3) == "\047\047\047")) {
					tq = substr(line, i, 3); lit = ""; i += 3; continue
				}
				if (c == "\"" || c == "\047") {
					q = c; lit = ""; i++
					while (i <= n && substr(line, i, 1) != q) {
						if (substr(line, i, 1) == "\\") { lit = lit substr(line, i, 2); i += 2 }
						else { lit = lit substr(line, i, 1); i++ }
					}
					i++
					check(lit)
					continue
				}
				i++
			}
			if (tq != "") lit = lit " "
		}')
}

@test "every C file opens with a comment saying what it is for" {
	cd "$SRC"
	bad=$(find . -name '*.c' | sort | xargs awk '
		FNR == 1 { file = substr(FILENAME, 3); first = $0; open = 0
			if ($0 ~ /^\/\*+ *[[:alpha:]]/) { nextfile }
			if ($0 ~ /^\/\*+ *$/) { open = 1; next }
			printf "%s: line 1 is not an opening comment: %s\n", file, first; nextfile }
		FNR == 2 { if (!(open && $0 ~ /^ *\*+ *[[:alpha:]]/))
				printf "%s: the opening comment says nothing on its first lines\n", file
			nextfile }')
	[ -z "$bad" ] || { echo "$bad"; echo "$(echo "$bad" | wc -l) file(s) without an opening comment"; return 1; }
}

@test "folders include each other in one direction only: lib < schema < db < run < cmd, main.c; lib < schema < lint < cmd" {
	cd "$SRC"
	bad=$(find . -name '*.[ch]' | sort | xargs awk '
		BEGIN {
			allow["lib"] = " lib "
			allow["schema"] = " lib schema "
			allow["lint"] = " lib schema lint "
			allow["db"] = " lib schema db "
			allow["run"] = " lib schema db run "
		}
		# resolve "../x/y.h" from folder d (paths under src/, no leading ./)
		function resolve(d, inc,   n, parts, i, out) {
			n = split((d == "" ? "" : d "/") inc, parts, "/")
			out = ""
			for (i = 1; i <= n; i++) {
				if (parts[i] == "..") sub(/\/?[^\/]*$/, "", out)
				else if (parts[i] != "." && parts[i] != "") out = out (out == "" ? "" : "/") parts[i]
			}
			return out
		}
		function folder(p) { return p ~ /\// ? substr(p, 1, index(p, "/") - 1) : "." }
		FNR == 1 { file = substr(FILENAME, 3); dir = file; if (!sub(/\/[^\/]*$/, "", dir)) dir = ""
			from = folder(file); free = (from == "cmd" || file == "main.c")
			if (!free && !(from in allow)) printf "%s: in a folder the layering does not know\n", file }
		free || !(from in allow) { nextfile }
		/^[ \t]*#[ \t]*include[ \t]*"/ {
			inc = $0; sub(/^[^"]*"/, "", inc); sub(/".*/, "", inc)
			to = folder(resolve(dir, inc))
			if (index(allow[from], " " to " ") == 0)
				printf "%s:%d: includes \"%s\" (src/%s): src/%s may include only%s\n", file, FNR, inc, to, from, allow[from]
		}')
	[ -z "$bad" ] || { echo "$bad"; echo "$(echo "$bad" | wc -l) include(s) against the layering"; return 1; }
}

@test "the flag scan finds a flag in any literal of the library, and none in comments or in config.c" {
	local t=$BATS_TEST_TMPDIR/src found
	cp -r "$SRC" "$t"
	cat >>"$t/lib/plan.c" <<-'EOF'
		static const char *planted1 = "give --planted-one";
		static const char *planted2 = "several " "--planted-two=x";
		/* "--in-a-comment" and --in-a-comment */
		// "--in-a-line-comment"
		static const char *sql = "-- migrate:upgrade is a SQL comment, and a--b no flag";
	EOF
	cat >>"$t/db/pg.c" <<-'EOF'
		static const char quote = '"'; static const char *planted3 = "a \"quoted\" --planted-three";
	EOF
	cat >>"$t/run/schema_models.py" <<-'EOF'
		fail('use --planted-four')  # "--in-a-python-comment"
		"""a docstring
		naming --planted-five"""
	EOF
	echo 'static const char *own = "--config-names-its-flags";' >>"$t/lib/config.c"
	found=$(flag_literals "$t" | grep -v -F -x -f <(flag_literals "$SRC") || true)
	echo "$found"
	[ "$(grep -c planted <<<"$found")" -eq 5 ]
	for w in one two three four five; do grep -q -- "--planted-$w" <<<"$found"; done
	[ "$(wc -l <<<"$found")" -eq 5 ]
}

@test "no library message spells a command-line flag: lib, schema, lint, db and run name settings, cmd words the flags" {
	bad=$(flag_literals "$SRC")
	[ -z "$bad" ] || { echo "$bad"; echo "$(echo "$bad" | wc -l) library string(s) spelling a flag: give the error an rt_hint worded in src/cmd/report.c, or name the setting in words"; return 1; }
}

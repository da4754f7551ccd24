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
# A failure lists every offending file, or file:line and the include.

SRC=$BATS_TEST_DIRNAME/../../src

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

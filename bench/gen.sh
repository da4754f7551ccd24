#!/usr/bin/env bash
# bench/gen.sh DIR N: write N linear revisions into DIR/versions (each
# creates one table with a primary key and two columns; its downgrade drops
# it) and the same SQL as a database's own CLI would apply it, with the
# version-row change of each migration: DIR/floor.sql with one transaction
# per migration, DIR/floor1.sql with no BEGIN/COMMIT (run it as one
# transaction: sqlite3 inside BEGIN/COMMIT, psql -1).
set -eu
dir=$1 n=$2
mkdir -p "$dir/versions"
floor="$dir/floor.sql"
floor1="$dir/floor1.sql"
printf 'CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num));\n' >"$floor1"
printf 'CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num));\n' >"$floor"
prev=""
for i in $(seq 1 "$n"); do
	id=$(printf 'b%011d' "$i")
	{
		printf -- '-- create table t%d\n--\n-- Revision ID: %s\n-- Revises: %s\n-- Create Date: 2026-11-22 10:00:00\n\n' "$i" "$id" "$prev"
		printf -- '-- migrate:upgrade\nCREATE TABLE t%d (id INTEGER PRIMARY KEY, name TEXT NOT NULL, created_at TEXT);\n\n' "$i"
		printf -- '-- migrate:downgrade\nDROP TABLE t%d;\n' "$i"
	} >"$dir/versions/${id}_create_table_t$i.sql"
	if [ -z "$prev" ]; then
		ver="INSERT INTO alembic_version (version_num) VALUES ('$id');"
	else
		ver="UPDATE alembic_version SET version_num='$id' WHERE version_num='$prev';"
	fi
	printf 'BEGIN;\nCREATE TABLE t%d (id INTEGER PRIMARY KEY, name TEXT NOT NULL, created_at TEXT);\n%s\nCOMMIT;\n' "$i" "$ver" >>"$floor"
	printf 'CREATE TABLE t%d (id INTEGER PRIMARY KEY, name TEXT NOT NULL, created_at TEXT);\n%s\n' "$i" "$ver" >>"$floor1"
	prev=$id
done

#!/usr/bin/env bats
# Covers what only the MySQL/MariaDB driver does, against a real MariaDB
# server (tests/mysql/server.sh):
#   - the URL forms (mysql://, mariadb://, SQLAlchemy's +pymysql, +mysqldb,
#     +mysqlconnector, +aiomysql, +asyncmy, mariadb+mariadbconnector), over
#     TCP with a password and over the Unix socket; %-escapes in user and
#     password; charset (utf8mb4 unless given), ssl_mode, connect_timeout;
#   - that passwords are masked in every message, and `wait` fails fast on
#     access denied and unknown database;
#   - MySQL's implicit commits: a DML-only section is one transaction with
#     its version row, a section with DDL that fails mid-way keeps what ran,
#     says so at file:line:col, leaves the version row, and the next run
#     resumes after what ran (refusing if a statement that ran was edited);
#     and --single-transaction is refused unless every pending section is DML;
#   - MySQL's SQL: backtick names, # and version comments, backslash
#     escapes, DELIMITER blocks for a procedure and a trigger;
#   - consecutive one-statement migrations sent as one multi-statement
#     query (a batch), each reported, timed and failing as when each had a
#     round trip of its own;
#   - offline --sql exactly as the real Alembic renders it for MySQL;
#   - --statement-timeout and --ddl-lock-timeout; PostgreSQL-only options refused.
# Upgrades, downgrades, stamps and their errors on every backend:
# shared/0100-upgrade-downgrade.bats (run there as [mysql]); the GET_LOCK
# migration lock, held by another session and taken in turns by concurrent
# runners: shared/0110-concurrent-runs.bats; the declarative schema:
# shared/0200-schema.bats and 1710-schema-mysql.bats.

load helpers
backend mysql

# A URL for the password user over TCP: my_tcp_url SCHEME [QUERY]
my_tcp_url() {
	echo "$1://retort_pw:$RETORT_TEST_MYSQL_PASSWORD@127.0.0.1:$RETORT_TEST_MYSQL_PORT/$MY_DB${2:+?$2}"
}

@test "mysql: every URL form connects, the driver suffix dropped" {
	linear3
	rt -q upgrade head
	for scheme in mysql mariadb mysql+pymysql mysql+mysqldb mysql+mysqlconnector mysql+aiomysql \
		mysql+asyncmy mariadb+mariadbconnector MySQL+PyMySQL; do
		run rt -u "$(my_tcp_url "$scheme" charset=utf8mb4)" current
		[ "$status" -eq 0 ] || { echo "$scheme: $output"; return 1; }
		[[ "$output" == *"3c4d5e6f7a8b (head)"* ]]
	done
	# the socket, named in the query (the default URL of these tests)
	run rt -u "mysql://root@localhost/$MY_DB?unix_socket=$RETORT_TEST_MYSQL_SOCKET" current
	[ "$status" -eq 0 ]
	[[ "$output" == *"3c4d5e6f7a8b (head)"* ]]
}

@test "mysql: user and password are %-decoded, and the password never shows" {
	my_admin "CREATE USER 'ret@usr'@'%' IDENTIFIED BY 'Zq9a@Zq9b:Zq9c/Zq9d?Zq9e#Zq9f%Zq9g';
		GRANT ALL ON $MY_DB.* TO 'ret@usr'@'%'"
	linear3
	local good="mysql+pymysql://ret%40usr:Zq9a%40Zq9b%3AZq9c%2FZq9d%3FZq9e%23Zq9f%25Zq9g@127.0.0.1:$RETORT_TEST_MYSQL_PORT/$MY_DB"
	run rt -u "$good" -v upgrade head
	my_admin "DROP USER 'ret@usr'@'%'" || true
	[ "$status" -eq 0 ]
	[[ "$output" == *"ret%40usr:***@127.0.0.1"* ]]
	[[ "$output" != *Zq9* ]]
	[ "$(db_versions)" = "3c4d5e6f7a8b" ]
	# a wrong password: the server's message, without it
	run rt -u "mysql://retort_pw:Zq9wrong@127.0.0.1:$RETORT_TEST_MYSQL_PORT/$MY_DB" -v current
	[ "$status" -eq 2 ]
	[[ "$output" == *"1045 (28000): Access denied for user 'retort_pw'"* ]]
	[[ "$output" == *"retort_pw:***@"* ]]
	[[ "$output" != *Zq9* ]]
}

@test "mysql: charset defaults to utf8mb4 and can be chosen; bad ssl_mode and connect_timeout are refused" {
	mkrev 1a2b3c4d5e6f "" "charset" "CREATE TABLE cs AS SELECT @@character_set_client AS c;" "DROP TABLE cs;"
	rt -q upgrade head
	[ "$(db_sql 'SELECT c FROM cs')" = "utf8mb4" ]
	rt -q downgrade base
	run rt -u "$(my_tcp_url mysql charset=latin1)" -q upgrade head
	[ "$status" -eq 0 ]
	[ "$(db_sql 'SELECT c FROM cs')" = "latin1" ]
	run rt -u "$(my_tcp_url mysql ssl_mode=sometimes)" current
	[ "$status" -eq 64 ]
	[[ "$output" == *"ssl_mode=sometimes in the database url is not one of DISABLED, PREFERRED, REQUIRED"* ]]
	run rt -u "$(my_tcp_url mysql connect_timeout=soon)" current
	[ "$status" -eq 64 ]
	[[ "$output" == *"connect_timeout=soon in the database url is not a positive number"* ]]
	# the test server has no TLS: REQUIRED must fail, never fall back to plain text
	run rt -u "$(my_tcp_url mysql ssl_mode=REQUIRED)" current
	[ "$status" -eq 2 ]
	[[ "$output" == *"cannot connect to the database"* ]]
	[[ "$output" != *"$RETORT_TEST_MYSQL_PASSWORD"* ]]
}

@test "mysql: wait is ready at once, fails fast on access denied and unknown database, waits for a closed port" {
	run rt wait -t 10 "$(my_tcp_url mysql)"
	[ "$status" -eq 0 ]
	[[ "$output" == *"is ready"* ]]
	SECONDS=0
	run rt wait -t 20 "mysql://retort_pw:Zq9bad@127.0.0.1:$RETORT_TEST_MYSQL_PORT/$MY_DB"
	[ "$status" -eq 2 ]
	[[ "$output" == *"Access denied"* ]]
	[[ "$output" != *Zq9bad* ]]
	run rt wait -t 20 "mysql://root@localhost/no_such_db?unix_socket=$RETORT_TEST_MYSQL_SOCKET"
	[ "$status" -eq 2 ]
	[[ "$output" == *"1049 (42000): Unknown database 'no_such_db'"* ]]
	[ "$SECONDS" -lt 10 ]
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	run rt wait -t 1 "mysql://retort_pw:Zq9x@127.0.0.1:$port/db"
	[ "$status" -eq 3 ]
	[[ "$output" != *Zq9x* ]]
	# --wait before a command, on the configured database
	linear3
	run rt --wait --wait-timeout 10 upgrade head
	[ "$status" -eq 0 ]
	[ "$(db_versions)" = "3c4d5e6f7a8b" ]
}

@test "mysql: --statement-timeout stops a runaway statement (MariaDB's max_statement_time)" {
	mkrev 1a2b3c4d5e6f "" "slow" "CREATE TABLE t (x INT);
INSERT INTO t SELECT SLEEP(5);" "-"
	SECONDS=0
	run rt --statement-timeout 0.3 upgrade head
	[ "$status" -eq 2 ]
	[ "$SECONDS" -lt 4 ]
	[[ "$output" == *"1a2b3c4d5e6f_slow.sql:9:1: 1969 (70100): Query execution was interrupted (max_statement_time exceeded)"* ]]
	[ "$(db_versions)" = "" ]
}

@test "mysql: a DML-only section is one transaction with its version row" {
	mkrev 1a2b3c4d5e6f "" "table" "CREATE TABLE t (id INT PRIMARY KEY) ENGINE=InnoDB;" "DROP TABLE t;"
	mkrev 2b3c4d5e6f7a 1a2b3c4d5e6f "rows" "INSERT INTO t VALUES (1);
INSERT INTO t VALUES (2);
INSERT INTO t VALUES (1);" "DELETE FROM t;"
	run rt upgrade head
	[ "$status" -eq 2 ]
	[[ "$output" == *"2b3c4d5e6f7a_rows.sql:10:1: 1062 (23000): Duplicate entry '1' for key 'PRIMARY'"* ]]
	[[ "$output" != *"stay applied"* ]]
	# rolled back whole: no row of it, and the version row did not move
	[ "$(db_sql 'SELECT count(*) FROM t')" = "0" ]
	[ "$(db_versions)" = "1a2b3c4d5e6f" ]
}

@test "mysql: a one-statement migration goes with its version change in one round trip, and its error is still placed" {
	mkrev 1a2b3c4d5e6f "" "base" "CREATE TABLE a (id INT);" "DROP TABLE a;"
	mkrev 2b3c4d5e6f7a 1a2b3c4d5e6f "alter" "ALTER TABLE a
  ADD COLUMN y INT DEFAULT FROM;" "ALTER TABLE a DROP COLUMN y;"
	rt -q upgrade 1a2b
	run rt upgrade head
	[ "$status" -eq 2 ]
	[[ "$output" == *"2b3c4d5e6f7a_alter.sql:9:28: 1064 (42000): You have an error in your SQL syntax"*"near 'FROM' at line 2 (upgrade 1a2b3c4d5e6f -> 2b3c4d5e6f7a)"* ]]
	[[ "$output" == *"LINE 9:   ADD COLUMN y INT DEFAULT FROM;"$'\n'"                                   ^"* ]]
	[ "$(db_versions)" = "1a2b3c4d5e6f" ]
	sed -i 's/ DEFAULT FROM;/;/' migrations/versions/2b3c4d5e6f7a_alter.sql
	my_admin "SET GLOBAL general_log = 0; TRUNCATE mysql.general_log; SET GLOBAL log_output = 'TABLE'; SET GLOBAL general_log = 1"
	run rt -q upgrade head
	my_admin "SET GLOBAL general_log = 0"
	[ "$status" -eq 0 ]
	[ "$(db_versions)" = "2b3c4d5e6f7a" ]
	[ "$(db_sql "SELECT revision, duration_ms IS NOT NULL FROM retort_history ORDER BY id DESC LIMIT 1")" = "2b3c4d5e6f7a|1" ]
	# the ALTER, the version row and the history row: one query
	[ "$(my_admin "SELECT COUNT(*) FROM mysql.general_log WHERE command_type = 'Query' AND argument LIKE '%ALTER TABLE a%'
		AND argument LIKE '%UPDATE \`alembic_version\`%' AND argument LIKE '%retort_history%' AND argument LIKE '%COMMIT'")" = 1 ]
}

@test "mysql: one-statement migrations go as one batch; each is reported with its own duration, a failure stops at its own" {
	mkrev 1a2b3c4d5e6f "" "create a" "CREATE TABLE a (id INT);" "DROP TABLE a;"
	mkrev 2b3c4d5e6f7a 1a2b3c4d5e6f "slow b" "CREATE TABLE b AS SELECT SLEEP(0.4) AS s;" "DROP TABLE b;"
	mkrev 3c4d5e6f7a8b 2b3c4d5e6f7a "create c" "CREATE TABLE c (id INT);" "DROP TABLE c;"
	mkrev 4d5e6f7a8b9c 3c4d5e6f7a8b "fails" "CREATE TABLE d (id INT,
  id INT);" "DROP TABLE d;"
	mkrev 5e6f7a8b9c0d 4d5e6f7a8b9c "create e" "CREATE TABLE e (id INT);" "DROP TABLE e;"
	my_admin "SET GLOBAL general_log = 0; TRUNCATE mysql.general_log; SET GLOBAL log_output = 'TABLE'; SET GLOBAL general_log = 1"
	run rt upgrade head
	my_admin "SET GLOBAL general_log = 0"
	echo "$output"
	[ "$status" -eq 2 ]
	[[ $output == *"upgrade <base> -> 1a2b3c4d5e6f, create a ("*$'\n'"upgrade 1a2b3c4d5e6f -> 2b3c4d5e6f7a, slow b ("*$'\n'"upgrade 2b3c4d5e6f7a -> 3c4d5e6f7a8b, create c ("* ]]
	[[ $output == *"retort: error: migrations/versions/4d5e6f7a8b9c_fails.sql:8:1: 1060 (42S21): Duplicate column name 'id' (upgrade 3c4d5e6f7a8b -> 4d5e6f7a8b9c)"* ]]
	[[ $output != *"create e"* ]]
	[ "$(db_versions)" = "3c4d5e6f7a8b" ]
	[ "$(db_tables)" = "a alembic_version b c" ]
	# the five went in one query, which the server stopped at the fourth
	[ "$(my_admin "SELECT COUNT(*) FROM mysql.general_log WHERE command_type = 'Query' AND argument LIKE '%CREATE TABLE a %'
		AND argument LIKE '%CREATE TABLE d %' AND argument LIKE '%CREATE TABLE e %'")" = 1 ]
	# the durations the server counted, each from its own start: the one
	# after the slow migration does not carry its 0.4 s
	[ "$(db_sql "SELECT duration_ms >= 400 FROM retort_history WHERE revision = '2b3c4d5e6f7a'")" = 1 ]
	[ "$(db_sql "SELECT duration_ms < 300 FROM retort_history WHERE revision = '3c4d5e6f7a8b'")" = 1 ]
	[[ $output =~ "slow b ("([0-9]+)" ms)" ]] && [ "${BASH_REMATCH[1]}" -ge 400 ]
	# a syntax error in the third of three: the first two are applied (MySQL
	# parses each statement as it comes to it), and the error is the one a
	# round trip each would have given
	rt -q downgrade base
	mkrev 3c4d5e6f7a8b 2b3c4d5e6f7a "create c" "CREATE TABLE c (id INT,);" "DROP TABLE c;"
	run rt upgrade head
	[ "$status" -eq 2 ]
	[[ $output == *"slow b ("* ]]
	[[ $output == *"migrations/versions/3c4d5e6f7a8b_create_c.sql:8:24: 1064 (42000): You have an error in your SQL syntax"*"near ')' at line 1 (upgrade 2b3c4d5e6f7a -> 3c4d5e6f7a8b)"* ]]
	[ "$(db_versions)" = "2b3c4d5e6f7a" ]
}

@test "mysql: a transaction:false migration whose one statement is a COMMIT goes by itself, and the batch's reports stay its own" {
	mkrev 1a2b3c4d5e6f "" "create a" "CREATE TABLE a (id INT);" "DROP TABLE a;"
	mkrev 2b3c4d5e6f7a 1a2b3c4d5e6f "commit" "COMMIT;" "COMMIT;"
	sed -i 's/^-- migrate:upgrade$/-- migrate:upgrade transaction:false/' migrations/versions/2b3c4d5e6f7a_commit.sql
	mkrev 3c4d5e6f7a8b 2b3c4d5e6f7a "create c" "CREATE TABLE c (id INT);" "DROP TABLE c;"
	mkrev 4d5e6f7a8b9c 3c4d5e6f7a8b "fails" "CREATE TABLE c (id INT);" "DROP TABLE c;"
	run rt upgrade head
	[ "$status" -eq 2 ]
	[[ $output == *"upgrade <base> -> 1a2b3c4d5e6f, create a ("*$'\n'"upgrade 1a2b3c4d5e6f -> 2b3c4d5e6f7a, commit ("*$'\n'"upgrade 2b3c4d5e6f7a -> 3c4d5e6f7a8b, create c ("* ]]
	[[ $output == *"4d5e6f7a8b9c_fails.sql:8:1: 1050 (42S01): Table 'c' already exists (upgrade 3c4d5e6f7a8b -> 4d5e6f7a8b9c)"* ]]
	# the COMMIT of its own was not taken for the end of a migration:
	# nothing is reported done before it ran
	[[ $output != *", fails ("* ]]
	[ "$(db_versions)" = "3c4d5e6f7a8b" ]
	[ "$(db_sql "SELECT COUNT(*) FROM retort_history")" = 3 ]
}

@test "mysql: a section with DDL failing mid-way keeps what ran, says so at file:line:col, and keeps the version row" {
	mkrev 1a2b3c4d5e6f "" "base" "CREATE TABLE a (id INT);" "DROP TABLE a;"
	mkrev 2b3c4d5e6f7a 1a2b3c4d5e6f "partial" "CREATE TABLE b (id INT);
INSERT INTO b VALUES (1);
ALTER TABLE b
  ADD COLUMN x INT,
  ADD COLUMN y INT DEFAULT FROM;
CREATE TABLE c (id INT);" "DROP TABLE b;"
	rt -q upgrade 1a2b
	run rt upgrade head
	[ "$status" -eq 2 ]
	# the server says "line 3" of the statement: that is line 12 of the file
	[[ "$output" == *"2b3c4d5e6f7a_partial.sql:12:28: 1064 (42000): You have an error in your SQL syntax"*"near 'FROM' at line 3 (upgrade 1a2b3c4d5e6f -> 2b3c4d5e6f7a)"* ]]
	[[ "$output" == *"LINE 12:   ADD COLUMN y INT DEFAULT FROM;"$'\n'"                                    ^"* ]]
	[[ "$output" == *"2 statement(s) before it ran outside a transaction and stay applied; the version row was not advanced"* ]]
	[[ "$output" == *"2 of 4 statements ran; the next run resumes after them"* ]]
	[ "$(db_tables)" = "a alembic_version b retort_progress" ]
	[ "$(db_sql 'SELECT id FROM b')" = "1" ]
	[ "$(db_versions)" = "1a2b3c4d5e6f" ]
	run rt current -v
	[[ "$output" == *"Left part-way: upgrade of 2b3c4d5e6f7a, 2 statement(s) ran"* ]]
	# fixed, it resumes at the ALTER: the INSERT does not run twice
	sed -i 's/ADD COLUMN y INT DEFAULT FROM;/ADD COLUMN y INT;/' migrations/versions/2b3c4d5e6f7a_partial.sql
	run rt upgrade head
	[ "$status" -eq 0 ]
	[[ "$output" == *"resuming upgrade 1a2b3c4d5e6f -> 2b3c4d5e6f7a: 2 of 4 statements ran in an earlier run and are unchanged"* ]]
	[ "$(db_sql 'SELECT count(*) FROM b')" = "1" ]
	[ "$(db_tables)" = "a alembic_version b c retort_progress" ]
	[ "$(db_versions)" = "2b3c4d5e6f7a" ]
}

@test "mysql: a statement edited after it ran is refused on resume" {
	mkrev 1a2b3c4d5e6f "" "partial" "CREATE TABLE b (id INT);
INSERT INTO b VALUES (1);
INSERT INTO missing VALUES (1);" "DROP TABLE b;"
	run rt upgrade head
	[ "$status" -eq 2 ]
	sed -i 's/^INSERT INTO b VALUES (1);$/INSERT INTO b VALUES (2);/; s/missing/b/' migrations/versions/1a2b3c4d5e6f_partial.sql
	run rt upgrade head
	[ "$status" -eq 2 ]
	[[ "$output" == *"1a2b3c4d5e6f_partial.sql:9:1: statement 2 was edited since an earlier run applied it (2 of its statements ran then); retort resumes only past statements that are unchanged"* ]]
	[[ "$output" == *"delete the migration's rows from retort_progress (revision '1a2b3c4d5e6f')"* ]]
	[ "$(db_sql 'SELECT id FROM b')" = "1" ]
	[ "$(db_versions)" = "" ]
}

@test "mysql: --single-transaction is refused for DDL and holds for DML-only sections" {
	mkrev 1a2b3c4d5e6f "" "table" "CREATE TABLE t (id INT PRIMARY KEY);" "DROP TABLE t;"
	mkrev 2b3c4d5e6f7a 1a2b3c4d5e6f "one" "INSERT INTO t VALUES (1);" "DELETE FROM t WHERE id = 1;"
	mkrev 3c4d5e6f7a8b 2b3c4d5e6f7a "two" "INSERT INTO t VALUES (2); INSERT INTO missing VALUES (1);" "-"
	run rt --single-transaction upgrade head
	[ "$status" -eq 2 ]
	[[ "$output" == *"1a2b3c4d5e6f_table.sql:8:1: 'CREATE TABLE t (id INT PRIMARY KEY)' is DDL, which MySQL commits implicitly, so this run cannot be one transaction, which needs every pending section to be DML only; nothing was run; run without --single-transaction"* ]]
	[ "$(db_tables)" = "" ]
	rt -q upgrade 1a2b
	# DML only from here: one transaction for both, rolled back whole
	run rt --single-transaction upgrade head
	[ "$status" -eq 2 ]
	[[ "$output" == *"every migration of this run was rolled back"* ]]
	[ "$(db_sql 'SELECT count(*) FROM t')" = "0" ]
	[ "$(db_versions)" = "1a2b3c4d5e6f" ]
	sed -i 's/ INSERT INTO missing VALUES (1);//' migrations/versions/3c4d5e6f7a8b_two.sql
	run rt --single-transaction upgrade head
	[ "$status" -eq 0 ]
	[ "$(db_sql 'SELECT count(*) FROM t')" = "2" ]
	[ "$(db_versions)" = "3c4d5e6f7a8b" ]
}

@test "mysql: backticks, # and version comments, backslash escapes and DELIMITER blocks" {
	mkdir -p migrations/versions
	cat >migrations/versions/1a2b3c4d5e6f_mysql_sql.sql <<'SQL'
-- MySQL's own SQL
--
-- Revision ID: 1a2b3c4d5e6f
-- Revises:

-- migrate:upgrade
CREATE TABLE `order` (`id;x` INT PRIMARY KEY, note TEXT); # a comment; with a semicolon
/*!40101 SET @retort_seen = 'version; comment' */;
INSERT INTO `order` VALUES (1, 'it\'s; "quoted"'), (2, "dq; \"x\""), (3, @retort_seen);
CREATE TABLE audit (n INT);
DELIMITER //
CREATE PROCEDURE bump()
BEGIN
  INSERT INTO audit VALUES (1);
  INSERT INTO audit VALUES (2);
END //
CREATE TRIGGER order_ins AFTER INSERT ON `order` FOR EACH ROW
BEGIN
  IF NEW.`id;x` > 10 THEN
    INSERT INTO audit VALUES (NEW.`id;x`);
  END IF;
END//
DELIMITER ;
CALL bump();
INSERT INTO `order` VALUES (11, 'fires the trigger');

-- migrate:downgrade
DROP TRIGGER order_ins;
DROP PROCEDURE bump;
DROP TABLE audit;
DROP TABLE `order`;
SQL
	run rt upgrade head
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	[ "$(db_sql 'SELECT note FROM `order` ORDER BY 1' | tr '\n' '/')" = "dq; \"x\"/fires the trigger/it's; \"quoted\"/version; comment/" ]
	[ "$(db_sql 'SELECT n FROM audit ORDER BY n' | tr '\n' ' ')" = "1 2 11 " ]
	# the offline script carries the DELIMITER lines, and the mysql client takes it
	rt -q downgrade base
	[ "$(db_tables)" = "alembic_version retort_progress" ]
	db_sql 'DROP TABLE alembic_version; DROP TABLE retort_progress'
	rt upgrade head --sql >up.sql
	db_load up.sql
	[ "$(db_sql 'SELECT n FROM audit ORDER BY n' | tr '\n' ' ')" = "1 2 11 " ]
	[ "$(db_versions)" = "1a2b3c4d5e6f" ]
}

@test "mysql: offline --sql is exactly what Alembic prints for a MySQL URL" {
	if ! /usr/bin/python3 -c 'import alembic' 2>/dev/null; then
		skip "python3-alembic is not installed (apt-get install python3-alembic)"
	fi
	linear3
	/usr/bin/python3 -m alembic init pyal >/dev/null
	sed -i "s|^sqlalchemy.url.*|sqlalchemy.url = mysql+pymysql://u:p@127.0.0.1:1/db|" alembic.ini
	mv alembic.ini pyal.ini
	for f in migrations/versions/*.sql; do
		id=$(sed -n 's/^-- Revision ID: //p' "$f")
		parent=$(sed -n 's/^-- Revises: *//p' "$f")
		up=$(sed -n '/^-- migrate:upgrade/{n;p}' "$f")
		down=$(sed -n '/^-- migrate:downgrade/{n;p}' "$f")
		dr=None
		if [ -n "$parent" ]; then dr="'$parent'"; fi
		cat >"pyal/versions/$id.py" <<PY
from alembic import op
revision = '$id'
down_revision = $dr
branch_labels = None
depends_on = None
def upgrade():
    op.execute("${up%;}")
def downgrade():
    op.execute("${down%;}")
PY
	done
	/usr/bin/python3 -m alembic -c pyal.ini upgrade head --sql >alembic_up.sql 2>alembic.err || { cat alembic.err; return 1; }
	/usr/bin/python3 -m alembic -c pyal.ini downgrade 3c4d5e6f7a8b:base --sql >alembic_down.sql 2>/dev/null
	rt -u "mysql+pymysql://u:p@127.0.0.1:1/db" upgrade head --sql >retort_up.sql
	rt -u "mysql+pymysql://u:p@127.0.0.1:1/db" downgrade 3c4d5e6f7a8b:base --sql >retort_down.sql
	grep -q 'CREATE TABLE alembic_version' alembic_up.sql
	# besides retort's own history rows (shared/0600-checksums.bats), Alembic's text
	grep -q 'INSERT INTO retort_history' retort_up.sql
	diff alembic_up.sql <(without_history retort_up.sql)
	diff alembic_down.sql <(without_history retort_down.sql)
	! grep -q 'BEGIN' retort_up.sql
}

@test "mysql: PostgreSQL-only options are refused, and --version-table works" {
	linear3
	run rt --search-path app upgrade head
	[ "$status" -eq 64 ]
	[[ "$output" == *"--search-path applies to PostgreSQL only; this database is MySQL"* ]]
	run rt --version-table-schema meta upgrade head
	[ "$status" -eq 64 ]
	run rt --version-table my_versions upgrade head
	[ "$status" -eq 0 ]
	[ "$(db_sql 'SELECT version_num FROM my_versions')" = "3c4d5e6f7a8b" ]
	[ "$(db_column my_versions version_num)" = "varchar(32) not null" ]
}

@test "mysql: --ddl-lock-timeout gives up on a table another session holds (lock_wait_timeout)" {
	mkrev 1a2b3c4d5e6f "" "table" "CREATE TABLE a (id INT);" "DROP TABLE a;"
	mkrev 2b3c4d5e6f7a 1a2b3c4d5e6f "alter" "ALTER TABLE a ADD COLUMN x INT;" "ALTER TABLE a DROP COLUMN x;"
	rt -q upgrade 1a2b
	# an open transaction that read the table holds its metadata lock
	mariadb --no-defaults -S "$RETORT_TEST_MYSQL_SOCKET" -u root "$MY_DB" -N -B --unbuffered -e \
		"START TRANSACTION; SELECT count(*) FROM a; SELECT SLEEP(20)" >holder.out 2>&1 3>&- &
	holder=$!
	for _ in $(seq 1 50); do [ -s holder.out ] && break; sleep 0.1; done
	SECONDS=0
	run rt --ddl-lock-timeout 1 upgrade head
	kill $holder 2>/dev/null || true
	[ "$status" -eq 2 ]
	[ "$SECONDS" -lt 10 ]
	[[ "$output" == *"2b3c4d5e6f7a_alter.sql:8:1: 1205 (HY000): Lock wait timeout exceeded"* ]]
	[ "$(db_versions)" = "1a2b3c4d5e6f" ]
}

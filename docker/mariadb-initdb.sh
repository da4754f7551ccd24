# Run once by the mariadb image (mounted into /docker-entrypoint-initdb.d,
# sourced by its entrypoint) when it initialises an empty volume: lets the
# application's user create and drop the databases retort makes on MySQL,
# retort_scratch_<pid> (a declarative schema loaded for check, autogenerate
# and diff) and retort_test_<pid> (retort test).  Nothing else is granted.
retort_grant="GRANT ALL ON \`retort\\_scratch\\_%\`.* TO '${MARIADB_USER:-${MYSQL_USER}}'@'%';
GRANT ALL ON \`retort\\_test\\_%\`.* TO '${MARIADB_USER:-${MYSQL_USER}}'@'%';"
if command -v docker_process_sql >/dev/null 2>&1; then
	printf '%s\n' "$retort_grant" | docker_process_sql
else
	mariadb -uroot ${MARIADB_ROOT_PASSWORD:+-p"$MARIADB_ROOT_PASSWORD"} -e "$retort_grant"
fi
unset retort_grant

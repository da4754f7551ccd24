/*
 * The command table: every command in the order `retort --help` lists
 * them.  Each entry is declared in its own file (src/cmd/NAME.c) with its
 * options, argument count and needs; aliases (makemigrations, migrate,
 * rollback) are entries with preset options beside the command they
 * preset.
 */
#include "cmd.h"

const struct cmd *const commands[] = {
	&cmd_init,
	&cmd_revision,
	&cmd_makemigrations,
	&cmd_merge,
	&cmd_convert,
	&cmd_upgrade,
	&cmd_migrate,
	&cmd_downgrade,
	&cmd_rollback,
	&cmd_stamp,
	&cmd_current,
	&cmd_history,
	&cmd_graph,
	&cmd_heads,
	&cmd_branches,
	&cmd_show,
	&cmd_check,
	&cmd_lint,
	&cmd_diff,
	&cmd_dump,
	&cmd_showmigrations,
	&cmd_status,
	&cmd_test,
	&cmd_wait,
	&cmd_completion,
	&cmd_manpage,
	NULL,
};

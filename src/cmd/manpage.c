/* manpage: the man page in roff, generated from the tables (`make man`). */
#include "cmd.h"

static int run_manpage(struct app *app, void *opts, const struct strvec *args, struct rt_error *err)
{
	(void)app;
	(void)opts;
	(void)args;
	(void)err;
	help_manpage();
	return 0;
}

const struct cmd cmd_manpage = {
	.name = "manpage",
	.brief = "Print the man page (roff), as 'make man' installs it.",
	.run = run_manpage,
	.max_args = 0,
	.hidden = 1,
};

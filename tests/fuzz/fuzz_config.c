/*
 * The config reader with configparser-style interpolation: the input is
 * written as retort.ini in a private temporary directory (entered once)
 * and loaded with an environment that has nothing set, then released.
 * On success the settings that always have a value have one.
 */
#include "fuzz.h"

#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "lib/config.h"

static char dir[PATH_MAX];

static const char *no_env(const char *name)
{
	(void)name;
	return NULL;
}

static void cleanup(void)
{
	unlink("retort.ini");
	if (chdir("/") == 0)
		rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	const char *tmp = getenv("TMPDIR");
	snprintf(dir, sizeof(dir), "%s/retort-fuzz-config-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir) || chdir(dir)) {
		perror("fuzz_config: temporary directory");
		abort();
	}
	atexit(cleanup);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rt_config c;
	struct rt_config_flags f;
	struct rt_error err = RT_ERROR_INIT;
	FILE *fp = fopen("retort.ini", "wb");

	if (!fp)
		abort();
	if (size && fwrite(data, 1, size, fp) != size)
		abort();
	if (fclose(fp))
		abort();
	rt_config_flags_init(&f);
	rt_config_init(&c);
	if (!rt_config_load(&c, &f, no_env, &err)) {
		FUZZ_CHECK(c.config_file != NULL);
		FUZZ_CHECK(c.script_location != NULL);
		FUZZ_CHECK(c.url != NULL);
		FUZZ_CHECK(c.file_template != NULL);
		FUZZ_CHECK(c.version_locations.v != NULL);
		for (size_t i = 0; i < c.warnings.nr; i++)
			FUZZ_CHECK(c.warnings.v[i] != NULL);
		(void)rt_config_xarg(&c, "k");
	} else {
		FUZZ_CHECK(err.msg[0] != '\0');
	}
	rt_config_release(&c);
	rt_config_flags_release(&f);
	return 0;
}

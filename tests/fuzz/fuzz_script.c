/*
 * The migration-file parser: any bytes as a .sql revision file.  On
 * success every section lies inside the text, and byte offsets map to
 * 1-based lines and columns.
 */
#include "fuzz.h"

#include <string.h>

#include "lib/script.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rt_script s;
	struct rt_error err = RT_ERROR_INIT;
	char *text = malloc(size + 1);  /* taken over by the parser */

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	rt_script_init(&s);
	if (!rt_script_parse(&s, "versions/fuzz.sql", text, size, &err)) {
		const struct rt_section *sec[2] = { &s.up, &s.downgrade };
		FUZZ_CHECK(s.id != NULL);
		FUZZ_CHECK(s.text_len == size);
		for (int i = 0; i < 2; i++) {
			if (!sec[i]->present)
				continue;
			FUZZ_CHECK(sec[i]->off <= size);
			FUZZ_CHECK(sec[i]->len <= size - sec[i]->off);
			FUZZ_CHECK(sec[i]->marker_line >= 1);
			int line, col;
			rt_script_position(&s, sec[i]->off + sec[i]->len, &line, &col);
			FUZZ_CHECK(line >= 1 && col >= 1);
		}
		for (size_t k = 0; k < s.down.nr; k++)
			FUZZ_CHECK(s.down.v[k] && *s.down.v[k]);
	} else {
		FUZZ_CHECK(err.msg[0] != '\0');
	}
	rt_script_release(&s);
	return 0;
}

/*
 * The Alembic .py header reader: any bytes as a .py revision file.  On
 * success the id is a valid revision id, every listed id is non-empty,
 * the message is the longdoc's first paragraph, and the header lines lie
 * inside the text; on failure there is a message.
 */
#include "fuzz.h"

#include <string.h>

#include "lib/pyrev.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rt_script s;
	struct rt_error err = RT_ERROR_INIT;
	char *text = malloc(size + 1);  /* taken over by the parser: not used after it */

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	rt_script_init(&s);
	if (!rt_pyrev_parse(&s, "versions/fuzz.py", text, size, &err)) {
		struct rt_error e2 = RT_ERROR_INIT;
		int lines = 1;
		/* the parser may have replaced the text (Latin-1 decoded to UTF-8) */
		for (size_t i = 0; i < s.text_len; i++)
			lines += s.text[i] == '\n';
		FUZZ_CHECK(s.id && !rt_revid_check(s.id, "", &e2));
		FUZZ_CHECK(!s.has_sql && !s.up.present);
		FUZZ_CHECK(s.doc && s.longdoc && !strncmp(s.doc, s.longdoc, strlen(s.doc)));
		FUZZ_CHECK(!strstr(s.doc, "\n\n"));
		FUZZ_CHECK(s.id_line >= 1 && s.id_line <= lines);
		FUZZ_CHECK(s.down_line >= 1 && s.down_line <= lines);
		for (size_t k = 0; k < s.down.nr; k++)
			FUZZ_CHECK(s.down.v[k] && *s.down.v[k]);
		for (size_t k = 0; k < s.deps.nr; k++)
			FUZZ_CHECK(s.deps.v[k] && *s.deps.v[k]);
	} else {
		FUZZ_CHECK(err.msg[0] != '\0');
	}
	rt_script_release(&s);
	return 0;
}

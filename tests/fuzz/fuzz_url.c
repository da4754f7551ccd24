/*
 * The URL parser and masker.  rt_url_mask() must survive any input, and
 * the masked form must never show the password rt_url_parse() read.
 *
 * The property, made honest: the password P (decoded, >= 4 bytes) may
 * legitimately appear in the masked text when the URL carries P outside
 * its password too ("postgresql://u:h/db@h/db" has P = "h/db" in its
 * host and path).  So the harness finds the raw password span itself,
 * from URL syntax alone rather than the library's code: it starts right
 * after the first ':' after "://" (a user name holds no ':'), and ends at
 * the one '@' where percent-decoding the span gives P (decoded lengths
 * grow with the span, so at most one '@' matches).  If P occurs in the
 * text before or after that span, only "***" is required; if P holds a
 * '*' it might be spelt by the mask itself, likewise.  Otherwise the
 * masked text must not contain P, nor the span as written (escapes
 * and all), under the same rule.
 */
#include "fuzz.h"

#include <string.h>

#include "lib/url.h"

static int hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Does percent-decoding s[0..n) give exactly p[0..pn)? */
static int decodes_to(const char *s, size_t n, const char *p, size_t pn)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++, o++) {
		int c = (unsigned char)s[i];
		if (c == '%') {
			if (i + 2 >= n || hex(s[i + 1]) < 0 || hex(s[i + 2]) < 0)
				return 0;
			c = hex(s[i + 1]) * 16 + hex(s[i + 2]);
			i += 2;
		}
		if (o >= pn || (unsigned char)p[o] != c)
			return 0;
	}
	return o == pn;
}

static int contains(const char *s, size_t n, const char *p, size_t pn)
{
	return pn <= n && memmem(s, n, p, pn) != NULL;
}

static void check_mask(const char *s, const char *pw)
{
	size_t n = strlen(s), pn = strlen(pw);
	const char *sep = strstr(s, "://");
	char *m = rt_url_mask(s);

	FUZZ_CHECK(sep != NULL);
	FUZZ_CHECK(strstr(m, "***") != NULL);
	const char *colon = strchr(sep + 3, ':');
	FUZZ_CHECK(colon != NULL);
	size_t a = (size_t)(colon + 1 - s), b = 0;
	for (size_t j = a; j < n && !b; j++)
		if (s[j] == '@' && decodes_to(s + a, j - a, pw, pn))
			b = j;
	FUZZ_CHECK(b != 0);  /* the password is the text between ':' and an '@' */
	/* the password as decoded, and as written (percent-escapes and all) */
	const char *shown[2] = { pw, s + a };
	size_t len[2] = { pn, b - a };
	for (int i = 0; i < 2; i++) {
		int elsewhere = contains(s, a, shown[i], len[i]) ||
				contains(s + b, n - b, shown[i], len[i]) ||
				memchr(shown[i], '*', len[i]) != NULL;
		if (!elsewhere && contains(m, strlen(m), shown[i], len[i])) {
			fprintf(stderr, "url: %s\nmasked: %s\npassword: %s\n", s, m, pw);
			FUZZ_CHECK(!"the masked url shows the password");
		}
	}
	free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rt_url u;
	struct rt_error err = RT_ERROR_INIT;
	char *s = malloc(size + 1);

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';  /* a URL is a C string: bytes after a NUL are not seen */
	free(rt_url_mask(s));
	free(rt_url_origin(s));
	if (!rt_url_parse(&u, s, &err)) {
		FUZZ_CHECK(u.backend != NULL);
		/* "%00" cuts the C string short of the decoded password: skip */
		if (u.password && strlen(u.password) >= 4 && !strstr(s, "%00"))
			check_mask(s, u.password);
		(void)rt_url_query(&u, "password");
		rt_url_release(&u);
	} else {
		FUZZ_CHECK(err.msg[0] != '\0');
	}
	free(s);
	return 0;
}

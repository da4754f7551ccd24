/*
 * Checksums of migration sections (see checksum.h): the normalization,
 * and SHA-256 by libcrypto's EVP interface.
 */
#include "checksum.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

void rt_checksum_normalize(const char *text, size_t len, struct strbuf *out)
{
	size_t start = out->len, i = 0;
	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
		i = 3;
	for (; i < len; i++) {
		if (text[i] == '\r' && i + 1 < len && text[i + 1] == '\n')
			continue; /* the LF that follows is kept */
		strbuf_addch(out, text[i]);
	}
	/* drop the final line ends, then any last line that is blank, in turn */
	size_t n = out->len;
	for (;;) {
		while (n > start && out->buf[n - 1] == '\n')
			n--;
		size_t ls = n;
		while (ls > start && out->buf[ls - 1] != '\n')
			ls--;
		size_t k = ls;
		while (k < n && (out->buf[k] == ' ' || out->buf[k] == '\t'))
			k++;
		if (n == start || k < n)
			break;
		n = ls;
	}
	strbuf_setlen(out, n);
	if (n > start)
		strbuf_addch(out, '\n');
}

void rt_checksum_preload(void)
{
	char sum[RT_CHECKSUM_HEX];
	rt_checksum_text("", 0, sum);
}

void rt_checksum_text(const char *text, size_t len, char out[RT_CHECKSUM_HEX])
{
	struct strbuf norm = STRBUF_INIT;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	rt_checksum_normalize(text, len, &norm);
	/* EVP_Digest fails only without memory or a SHA-256 provider: then no checksum */
	if (!EVP_Digest(norm.buf, norm.len, md, &mdlen, EVP_sha256(), NULL))
		mdlen = 0;
	out[0] = '\0';
	for (unsigned int j = 0; j < mdlen && j < 32; j++)
		snprintf(out + 2 * j, 3, "%02x", md[j]);
	strbuf_release(&norm);
}

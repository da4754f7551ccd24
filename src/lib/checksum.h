/*
 * Checksums of migration sections, as retort_history records them
 * (db/history.h): SHA-256, through OpenSSL's libcrypto, of the section's
 * text normalized so that only real edits change it:
 *
 *   - CRLF line ends read as LF (a checkout with core.autocrlf);
 *   - a UTF-8 byte order mark at the start is dropped (an editor's);
 *   - blank lines (empty, or spaces and tabs only) at the end are dropped,
 *     and the text ends with one LF (an editor's final newline or not).
 *
 * Anything else, a changed comment or a space inside a line included, is
 * an edit.
 */
#ifndef RT_CHECKSUM_H
#define RT_CHECKSUM_H

#include <stddef.h>

#include "strbuf.h"

/* 64 hex digits and a NUL. */
#define RT_CHECKSUM_HEX 65

/* Append the normalized form of text[0..len) to `out`. */
void rt_checksum_normalize(const char *text, size_t len, struct strbuf *out);
/* The SHA-256 of the normalized text, in lower-case hex. */
void rt_checksum_text(const char *text, size_t len, char out[RT_CHECKSUM_HEX]);
/* Load libcrypto's configuration and SHA-256 now, once, rather than at the
 * first checksum: a process about to fork many children calls it first,
 * so that none of them pays for it again. */
void rt_checksum_preload(void);

#endif

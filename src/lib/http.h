/*
 * HTTP through libcurl, for the wait probe (GET) and notifications (POST
 * of JSON).  Built only with RT_WITH_CURL; without it every call fails with
 * an error saying so.  Messages never contain the URL (a webhook's path is
 * often its secret): callers name the target as they may show it.
 */
#ifndef RT_HTTP_H
#define RT_HTTP_H

#include "error.h"

/*
 * One request: GET when `json` is NULL, else POST of `json` with
 * Content-Type application/json.  Redirects are not followed.  Returns 0
 * once a response arrived (whatever its status, in *status), -1 with err
 * when none did (refused, timed out, TLS failure...); err->code is
 * RT_EXIT_USAGE when retrying cannot help (a malformed or unsupported URL).
 */
int rt_http_request(const char *url, const char *json, double timeout, long *status,
		    struct rt_error *err);
/* "libcurl/7.88.1 OpenSSL/3.0.20 ...", or NULL when built without it. */
const char *rt_http_version(void);
/* Free libcurl's global state (at exit; harmless when never used). */
void rt_http_cleanup(void);

#endif

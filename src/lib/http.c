/* HTTP for wait targets and webhooks, through libcurl (or a clear error without it). */
#include "http.h"

#include <stddef.h>

#ifdef RT_WITH_CURL
#include <curl/curl.h>

static int curl_ready;

/* The response body is not needed: only the status counts. */
static size_t discard(char *p, size_t size, size_t n, void *ctx)
{
	(void)p;
	(void)ctx;
	return size * n;
}

int rt_http_request(const char *url, const char *json, double timeout, long *status,
		    struct rt_error *err)
{
	char ebuf[CURL_ERROR_SIZE] = "";
	struct curl_slist *hdrs = NULL;
	CURL *h;
	CURLcode rc;

	if (!curl_ready) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT))
			return rt_error_set(err, RT_EXIT_ERROR, "cannot initialise libcurl");
		curl_ready = 1;
	}
	if (!(h = curl_easy_init()))
		return rt_error_set(err, RT_EXIT_ERROR, "cannot initialise libcurl");
	long ms = timeout > 0.001 ? (long)(timeout * 1000) : 1;
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, ebuf);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, ms);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, ms);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "retort");
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	if (json) {
		hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, json);
	}
	rc = curl_easy_perform(h);
	if (rc == CURLE_OK) {
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
	} else {
		int fatal = rc == CURLE_URL_MALFORMAT || rc == CURLE_UNSUPPORTED_PROTOCOL;
		rt_error_set(err, fatal ? RT_EXIT_USAGE : RT_EXIT_ERROR, "%s",
			     ebuf[0] ? ebuf : curl_easy_strerror(rc));
	}
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(h);
	return rc == CURLE_OK ? 0 : -1;
}

const char *rt_http_version(void)
{
	return curl_version();
}

void rt_http_cleanup(void)
{
	if (curl_ready)
		curl_global_cleanup();
	curl_ready = 0;
}

#else

int rt_http_request(const char *url, const char *json, double timeout, long *status,
		    struct rt_error *err)
{
	(void)url;
	(void)json;
	(void)timeout;
	(void)status;
	return rt_error_set(err, RT_EXIT_USAGE, "this retort was built without libcurl, so it "
			    "cannot make HTTP requests; rebuild with CURL=yes");
}

const char *rt_http_version(void)
{
	return NULL;
}

void rt_http_cleanup(void)
{
}

#endif

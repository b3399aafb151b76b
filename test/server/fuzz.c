/*
 * fuzz.c
 *		Mutated answers for fault rules of mode "fuzz" (README, "Fault rules").
 *
 * Case n of seed s is a pure function of (s, n): a PRNG (splitmix64) seeded
 * from both picks, in this order, a body (a valid success envelope A, B or
 * C, an error envelope, something that is no envelope, or a body within a
 * few bytes of the client's limit; for the token endpoint mostly a token
 * answer with a bad access_token or expires_in), wrong values for its parts (status,
 * code, data, messages, httpStatusCode: wrong types, huge numbers, deep
 * nesting, bad escapes), byte mutations of the whole text (flips,
 * truncation, invalid UTF-8, NUL, a huge number or a slice inserted), then
 * the framing: the status (1xx to 5xx and status lines that are not HTTP),
 * a 1xx before the answer, Content-Length (right, absent, chunked, too
 * short, too long, huge, garbage, twice), Retry-After garbage,
 * Content-Type, junk header lines.  Every answer ends by closing the
 * connection, so no mutation can leave the client waiting.
 *
 * The weights keep the answers that a client must take for an outage (no
 * usable answer, or 500/502/503/504) to about 5 %, so that five in a row,
 * which opens the gofive worker's circuit breaker (and lets a row be sent
 * more often than max_attempts), stay improbable.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "fuzz.h"

typedef struct Rng
{
	uint64_t	s;
} Rng;

static uint64_t
rng_next(Rng *r)
{
	uint64_t	z = (r->s += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static long
below(Rng *r, long n)
{
	return n <= 1 ? 0 : (long) (rng_next(r) % (uint64_t) n);
}

/* true with a probability of per_mille / 1000 */
static bool
chance(Rng *r, int per_mille)
{
	return below(r, 1000) < per_mille;
}

#define PICK(r, list) ((list)[below((r), (long) (sizeof(list) / sizeof((list)[0])))])

static void
note(FuzzAnswer *a, const char *what)
{
	size_t		used = strlen(a->kind);

	snprintf(a->kind + used, sizeof(a->kind) - used, "%s%s", used ? "+" : "", what);
}

/* ---- the parts of an envelope ---- */

static const char *const good_data[] = {
	"{\"productCode\":\"PD001\",\"productName\":\"\xe0\xb8\xaa\xe0\xb8\xb4\xe0\xb8\x99\xe0\xb8\x84\xe0\xb9\x89\xe0\xb8\xb2 1\","
	"\"qty\":10,\"price\":12.5,\"active\":true,\"tags\":[\"a\",\"b\"],\"note\":null}",
	"[{\"productCode\":\"PD001\",\"qty\":1,\"isSuccess\":true,\"error\":null},"
	"{\"productCode\":\"PD002\",\"qty\":2,\"isSuccess\":true,\"error\":null}]",
	"[{\"productCode\":\"PD001\",\"qty\":1,\"isSuccess\":true,\"error\":null},"
	"{\"productCode\":\"GONE\",\"qty\":2,\"isSuccess\":false,\"error\":{\"code\":4001,\"message\":\"product not found\"}}]",
	"[{\"unitId\":1,\"unitName\":\"pcs\"},{\"unitId\":2,\"unitName\":\"box\"}]",
	"{\"runningNumber\":\"MN1\",\"productCode\":\"PD001\",\"serialNumber\":null,\"status\":true,\"productId\":1}",
	"[]", "{}", "null", "true", "\"ok\"", "42", "[{\"a\":1,\"a\":2,\"\":\"\"}]",
};

static const char *const bad_data[] = {
	"1e999999", "-1e-999999", "1E+2147483648", "1e2147483648", "0.000000000000000000000000000001e-1000",
	"123456789012345678901234567890123456789012345678901234567890",
	"\"\\u0000\"", "\"a\\u0000b\"", "\"\\ud800\"", "\"\\udc00\\ud800\"", "\"\\uZZZZ\"", "\"\\u12\"",
	"-0", "1e-400", "[1e308,-1e308,4.9e-324]", "\"\\x41\"", "\"tab\there\"", "NaN", "Infinity",
	"{\"isSuccess\":false}", "[{\"isSuccess\":\"false\",\"error\":[[[[\"x\"]]]]},{\"isSuccess\":false,\"error\":null}]",
	"[{\"isSuccess\":false,\"productCode\":12,\"error\":{\"message\":{\"deep\":[1,{\"m\":\"z\"}]}}}]",
};

static const char *const good_codes[] = {"\"1000\"", "1000"};

static const char *const bad_codes[] = {
	"\"E01\"", "null", "true", "[]", "{\"x\":1}", "1000.0", "\"1000.0\"", "1e3", "-1000", "\"-1\"",
	"99999999999999999999", "\"99999999999999999999\"", "\"4001\"", "4002", "\"\"",
	"\"\xef\xbc\x91\xef\xbc\x90\xef\xbc\x90\xef\xbc\x90\"", "\"1000\\u0000\"", "\"\\ud800\"", "1e999999",
	"\" 1000\"", "\"1000 \"", "\"01000\"", "2147483648", "\"+1000\"", "0", "200", "\"200\"",
};

static const char *const bad_messages[] = {
	"{\"a\":[\"b\"]}", "42", "[[[[[[\"deep\"]]]]]]", "null", "[1,2,{\"m\":\"x\"}]", "\"\\u0000\"",
	"[\"\\ud800\"]", "{\"errors\":{\"field\":[\"e1\",\"e2\"]}}", "true",
};

static const char *const bad_status_objects[] = {
	"\"1000\"", "[1000]", "null", "1000", "{\"description\":\"no code\"}", "{\"code\":{\"code\":\"1000\"}}",
};

static const char *const http_status_codes[] = {"200", "\"200\"", "400", "null", "2e2", "-1", "500"};

static const char *const not_envelopes[] = {
	"", " \r\n ", "<html>oops</html>", "null", "[]", "\"text\"", "123", "true",
	"\xef\xbb\xbf{\"data\":1,\"statusCode\":1000,\"httpStatusCode\":200}",
	"{\"data\":1}{\"data\":2}", "{\"data\":1,}", "{'data':1}", "{\"data\":[1,2,3]", "{\"a\":\"\\",
	"{\"data\":NaN}", "{\"data\":\"\\x41\"}", "{\"data\":1} trailing", "{\"statusCode\":1000}",
	"{\"status\":{}}", "{\"data\":{\"value\":1,\"value\":2},\"statusCode\":1000,\"httpStatusCode\":200}",
};

/* A long run of digits, a long string, or nesting near and past the reader's limit. */
static void
generated_value(Rng *r, StrBuf *out, FuzzAnswer *a)
{
	static const long depths[] = {999, 1000, 1001, 5000, 100000};
	long		n;

	switch (below(r, 4))
	{
		case 0:
			note(a, "digits");
			n = PICK(r, ((const long[]) {999, 1000, 1001, 5000, 100000}));
			sb_append(out, "1", 1);
			for (long i = 1; i < n; i++)
				sb_append(out, "0123456789" + i % 10, 1);
			break;
		case 1:
			note(a, "long_string");
			n = 1000 + below(r, 30000);
			sb_append(out, "\"", 1);
			for (long i = 0; i < n; i++)
				sb_append(out, "abc\xe0\xb8\x81" + (i % 4 == 3 ? 3 : i % 4), i % 4 == 3 ? 3 : 1);
			sb_append(out, "\"", 1);
			break;
		default:
			{
				bool		objects = chance(r, 500);

				n = PICK(r, depths);
				note(a, objects ? "deep_objects" : "deep_arrays");
				for (long i = 0; i < n; i++)
					sb_append_str(out, objects ? "{\"a\":" : "[");
				sb_append(out, "1", 1);
				for (long i = 0; i < n; i++)
					sb_append(out, objects ? "}" : "]", 1);
			}
			break;
	}
}

static void
data_value(Rng *r, StrBuf *out, FuzzAnswer *a)
{
	if (chance(r, 80))
		generated_value(r, out, a);
	else if (chance(r, 150))
	{
		note(a, "bad_data");
		sb_append_str(out, PICK(r, bad_data));
	}
	else
		sb_append_str(out, PICK(r, good_data));
}

static void
code_value(Rng *r, StrBuf *out, FuzzAnswer *a)
{
	if (chance(r, 120))
	{
		note(a, "bad_code");
		sb_append_str(out, PICK(r, bad_codes));
	}
	else
		sb_append_str(out, PICK(r, good_codes));
}

static void
maybe_messages(Rng *r, StrBuf *out, FuzzAnswer *a)
{
	if (chance(r, 850))
		return;
	sb_append_str(out, ",\"messages\":");
	if (chance(r, 500))
	{
		note(a, "bad_messages");
		sb_append_str(out, PICK(r, bad_messages));
	}
	else if (chance(r, 100))
	{
		note(a, "long_messages");
		sb_append_str(out, "[\"");
		for (int i = 0; i < 3000; i++)
			sb_append_str(out, "m\xe0\xb8\x81 ");
		sb_append_str(out, "\"]");
	}
	else
		sb_append_str(out, "[\"product not found\",\"second\"]");
}

/*
 * A successful envelope B of exactly size bytes (at least the envelope),
 * padded with spaces: a body at the client's limit, or just past it.
 */
static void
sized_body(StrBuf *out, long size)
{
	static const char tail[] = "],\"statusCode\":1000,\"httpStatusCode\":200}";
	long		id = 0;

	sb_append_str(out, "{\"data\":[");
	for (;;)
	{
		char		item[96];
		int			len = snprintf(item, sizeof(item), "%s{\"id\":%ld,\"name\":\"item %ld\"}",
								   id > 0 ? "," : "", id + 1, id + 1);

		if ((long) (out->len + (size_t) len + sizeof(tail) - 1) > size)
			break;
		sb_append(out, item, (size_t) len);
		id++;
	}
	sb_append(out, tail, sizeof(tail) - 2);
	while ((long) out->len < size - 1)
		sb_append(out, " ", 1);
	sb_append(out, "}", 1);
}

static const char *const bad_tokens[] = {
	"\"abc\\r\\nX-Injected: 1\"", "\"abc def\"", "\"\"", "null", "42", "[\"abc\"]", "{\"t\":1}",
	"\"ab=c\"", "\"\xe0\xb8\x81\"", "\"abc\\u0000\"", "\"a\\tb\"", "\"abc\\nX-Injected: 1\"", "\"abc;def\"",
	"\"abc\\\"def\"", "true",
};

static const char *const bad_expires[] = {
	"1e13", "1e30", "-5", "\"soon\"", "0", "1e-9", "null", "99999999999999999999", "1e999999",
	"\"3600\"", "3600.5", "[3600]", "-0", "86401", "2147483648",
};

/*
 * A token endpoint's answer: {"access_token", "token_type", "expires_in",
 * "scope"}, the token or expires_in sometimes wrong.  This server did not
 * issue the token, so the API refuses it (401) after it is accepted.
 */
static void
token_answer(Rng *r, StrBuf *out, int *status, FuzzAnswer *a)
{
	*status = 200;
	note(a, "token");
	sb_append_str(out, "{\"access_token\":");
	if (chance(r, 400))
	{
		note(a, "bad_token");
		sb_append_str(out, PICK(r, bad_tokens));
	}
	else if (chance(r, 50))
	{
		note(a, "long_token");
		sb_append_str(out, "\"");
		for (int i = 0; i < 10000; i++)
			sb_append(out, "a", 1);
		sb_append_str(out, "\"");
	}
	else
		sb_append_str(out, "\"fuzz-Tok.en~_+/abc==\"");
	sb_append_str(out, ",\"token_type\":\"Bearer\"");
	if (chance(r, 900))
	{
		sb_append_str(out, ",\"expires_in\":");
		if (chance(r, 400))
		{
			note(a, "bad_expires_in");
			sb_append_str(out, PICK(r, bad_expires));
		}
		else
			sb_append_str(out, "3600");
	}
	sb_append_str(out, ",\"scope\":\"venio.api\"}");
}

/* The body before byte mutations; *status is the status it goes with. */
static void
envelope(Rng *r, long limit, bool token, StrBuf *out, int *status, FuzzAnswer *a)
{
	long		which = below(r, 100);

	*status = 200;
	if (token && which >= 12)
	{
		token_answer(r, out, status, a);
		return;
	}
	if (which < 6)
	{
		static const long deltas[] = {-1000, -1, 0, 1, 2, 1000};
		long		delta = PICK(r, deltas);

		note(a, delta > 0 ? "over_limit" : "near_limit");
		sized_body(out, limit + delta);
		return;
	}
	if (which < 12)
	{
		note(a, "not_envelope");
		sb_append_str(out, PICK(r, not_envelopes));
		return;
	}
	if (which < 24)
	{
		note(a, "error");
		*status = 400;
		if (chance(r, 500))
			sb_append_str(out, "{\"status\":{\"code\":\"4001\",\"description\":\"bad request\"},\"data\":null}");
		else
		{
			sb_append_str(out, "{\"data\":null,\"statusCode\":4001,\"httpStatusCode\":400");
			maybe_messages(r, out, a);
			sb_append_str(out, "}");
		}
		return;
	}
	switch (below(r, 3))
	{
		case 0:
			note(a, "A");
			sb_append_str(out, "{\"status\":");
			if (chance(r, 60))
			{
				note(a, "bad_status");
				sb_append_str(out, PICK(r, bad_status_objects));
			}
			else
			{
				sb_append_str(out, "{\"code\":");
				code_value(r, out, a);
				sb_append_str(out, ",\"description\":\"Success\"}");
			}
			sb_append_str(out, ",\"data\":");
			data_value(r, out, a);
			maybe_messages(r, out, a);
			sb_append_str(out, "}");
			break;
		case 1:
			note(a, "B");
			sb_append_str(out, "{\"data\":");
			data_value(r, out, a);
			sb_append_str(out, ",\"statusCode\":");
			code_value(r, out, a);
			if (chance(r, 900))
			{
				sb_append_str(out, ",\"httpStatusCode\":");
				sb_append_str(out, chance(r, 100) ? PICK(r, http_status_codes) : "200");
			}
			maybe_messages(r, out, a);
			sb_append_str(out, "}");
			break;
		default:
			note(a, "C");
			sb_append_str(out, "{\"data\":{\"value\":");
			data_value(r, out, a);
			sb_append_str(out, ",\"statusCode\":200},\"statusCode\":");
			code_value(r, out, a);
			sb_append_str(out, ",\"httpStatusCode\":200}");
			break;
	}
}

/* ---- byte mutations of the body ---- */

static void
insert_at(StrBuf *b, size_t pos, const char *s, size_t n)
{
	StrBuf		out;

	sb_init(&out, b->len + n + 1);
	sb_append(&out, b->data, pos);
	sb_append(&out, s, n);
	sb_append(&out, b->data + pos, b->len - pos);
	sb_free(b);
	*b = out;
}

static void
mutate_bytes(Rng *r, StrBuf *b, FuzzAnswer *a)
{
	static const char *const bad_utf8[] = {
		"\xff", "\xfe", "\xc0\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xe0\xb8", "\x80",
		"\xf8\x88\x80\x80\x80", "\xc3", "\xef\xbf\xbf",
	};
	static const char *const huge[] = {"1e999999", "-1e-999999", "99999999999999999999999999999999"};

	if (b->len > 0 && chance(r, 120))
	{
		long		n = 1 + below(r, 8);

		note(a, "flip");
		for (long i = 0; i < n; i++)
			b->data[below(r, (long) b->len)] = (char) below(r, 256);
	}
	if (b->len > 0 && chance(r, 70))
	{
		note(a, "truncate");
		b->len = (size_t) below(r, (long) b->len);
		b->data[b->len] = '\0';
	}
	if (chance(r, 60))
	{
		const char *s = PICK(r, bad_utf8);

		note(a, "bad_utf8");
		insert_at(b, (size_t) below(r, (long) b->len + 1), s, strlen(s));
	}
	if (chance(r, 40))
	{
		bool		raw = chance(r, 500);

		note(a, raw ? "nul" : "nul_escape");
		insert_at(b, (size_t) below(r, (long) b->len + 1), raw ? "\0" : "\\u0000", raw ? 1 : 6);
	}
	if (chance(r, 30))
	{
		const char *s = PICK(r, huge);

		note(a, "huge_number");
		insert_at(b, (size_t) below(r, (long) b->len + 1), s, strlen(s));
	}
	if (b->len > 0 && chance(r, 30))
	{
		size_t		from = (size_t) below(r, (long) b->len);
		size_t		n = (size_t) below(r, (long) (b->len - from)) + 1;
		char	   *slice = xmemdup(b->data + from, n);

		note(a, "repeat");
		insert_at(b, (size_t) below(r, (long) b->len + 1), slice, n);
		free(slice);
	}
}

/* ---- framing ---- */

static const int informational[] = {100, 101, 102, 103, 199};

static const int odd_statuses[] = {
	201, 202, 203, 204, 205, 206, 226, 299, 300, 301, 302, 303, 304,
	305, 307, 308, 399, 400, 401, 402, 403, 404, 405, 406, 408, 409, 410, 411, 413, 414, 415,
	418, 422, 425, 429, 431, 451, 499, 501, 505, 507, 511, 599,
};

static const char *const retry_afters[] = {
	"0", "1", "2", "-5", "soon", "", "1e9", "99999999999999999999", "2147483647", "2147483648",
	"4294967297", "86400", "  1  ", "5, 6", "Wed, 21 Oct 2015 07:28:00 GMT",
	"Fri, 31 Dec 9999 23:59:59 GMT", "\xff\xfe", "1.5", "0x10",
};

static const char *const content_types[] = {
	"text/html", NULL, "application/json; charset=iso-8859-1", "application/octet-stream",
	"application/json; charset=utf-16",
};

/* The status line; false when it is not an HTTP/1.x status line. */
static bool
status_line(Rng *r, int status, StrBuf *out, FuzzAnswer *a)
{
	static const char *const weird[] = {
		"HTTP/1.1 999 Odd\r\n", "HTTP/1.1 20 OK\r\n", "HTTP/2 200\r\n", "ICY 200 OK\r\n",
		"HTTP/1.1 200OK\r\n", "HTTP/1.1 -200 OK\r\n", "\r\n", "HTTP/1.1 2000 OK\r\n",
	};

	if (chance(r, 6))
	{
		note(a, "status_line");
		sb_append_str(out, PICK(r, weird));
		return false;
	}
	sb_printf(out, chance(r, 50) ? "HTTP/1.0 %d OK\r\n" : "HTTP/1.1 %d X\r\n", status);
	return true;
}

static void
content_length(Rng *r, const StrBuf *body, StrBuf *head, bool *chunked, FuzzAnswer *a)
{
	static const char *const garbage[] = {"abc", "-1", "12, 13", " 5 ", "0x10", "", "1e3"};
	static const char *const huge[] = {"99999999999999999999", "18446744073709551616", "9223372036854775807"};
	long		which = below(r, 1000);

	*chunked = false;
	if (which < 700)
		sb_printf(head, "Content-Length: %zu\r\n", body->len);
	else if (which < 780)
		note(a, "no_length");
	else if (which < 860)
	{
		note(a, "chunked");
		*chunked = true;
		sb_append_str(head, "Transfer-Encoding: chunked\r\n");
	}
	else if (which < 865)
	{
		note(a, "chunked_garbage");
		*chunked = true;
		sb_append_str(head, "Transfer-Encoding: chunked\r\n");
		/* the body is sent as one chunk with a broken size line */
	}
	else if (which < 871)
	{
		note(a, "cl_long");
		sb_printf(head, "Content-Length: %zu\r\n", body->len + 1 + (size_t) below(r, 1000));
	}
	else if (which < 930)
	{
		note(a, "cl_short");
		sb_printf(head, "Content-Length: %zu\r\n", body->len > 0 ? (size_t) below(r, (long) body->len) : 0);
	}
	else if (which < 980)
	{
		note(a, "cl_huge");
		sb_printf(head, "Content-Length: %s\r\n", PICK(r, huge));
	}
	else if (which < 992)
	{
		note(a, "cl_garbage");
		sb_printf(head, "Content-Length: %s\r\n", PICK(r, garbage));
	}
	else
	{
		note(a, "cl_twice");
		sb_printf(head, "Content-Length: %zu\r\nContent-Length: %zu\r\n", body->len, body->len + 7);
	}
	if (*chunked && strstr(a->kind, "chunked_garbage"))
		*chunked = false;		/* written by the caller as garbage */
}

static void
junk_headers(Rng *r, StrBuf *head, FuzzAnswer *a)
{
	if (!chance(r, 25))
		return;
	switch (below(r, 5))
	{
		case 0:
			note(a, "header_no_colon");
			sb_append_str(head, "NoColonHere\r\n");
			break;
		case 1:
			note(a, "header_long");
			sb_append_str(head, "X-Long: ");
			for (int i = 0; i < 20000; i++)
				sb_append(head, "x", 1);
			sb_append_str(head, "\r\n");
			break;
		case 2:
			note(a, "header_binary");
			sb_append(head, "X-Bin: \xff\xfe\x01\r\n", 13);
			break;
		case 3:
			note(a, "header_many");
			for (int i = 0; i < 300; i++)
				sb_printf(head, "X-H%d: %d\r\n", i, i);
			break;
		default:
			note(a, "header_folded");
			sb_append_str(head, "X-Folded: a\r\n  continued\r\n");
			break;
	}
}

static void
append_chunked(Rng *r, StrBuf *out, const StrBuf *body)
{
	size_t		pos = 0;

	while (pos < body->len)
	{
		size_t		n = 1 + (size_t) below(r, 4096);

		if (n > body->len - pos)
			n = body->len - pos;
		sb_printf(out, "%zx\r\n", n);
		sb_append(out, body->data + pos, n);
		sb_append_str(out, "\r\n");
		pos += n;
	}
	sb_append_str(out, "0\r\n\r\n");
}

void
fuzz_build(unsigned long seed, long case_no, long limit, bool token, FuzzAnswer *a)
{
	Rng			r = {.s = (uint64_t) seed * 0x2545F4914F6CDD1DULL ^ (uint64_t) case_no};
	StrBuf		body;
	StrBuf		head;
	int			status;
	bool		chunked;
	const char *type = "application/json; charset=utf-8";

	memset(a->kind, 0, sizeof(a->kind));
	rng_next(&r);
	sb_init(&body, 256);
	sb_init(&head, 256);
	sb_init(&a->raw, 512);

	envelope(&r, limit, token, &body, &status, a);
	mutate_bytes(&r, &body, a);

	/* the status: mostly the body's own; outages (500, 502-504) rare */
	if (chance(&r, 10))
	{
		note(a, "outage");
		status = PICK(&r, ((const int[]) {500, 502, 503, 504}));
	}
	else if (chance(&r, 8))
	{
		/* as the final status: the client waits for another, then the close */
		note(a, "status_1xx");
		status = PICK(&r, informational);
	}
	else if (chance(&r, 200))
	{
		/* 429 more often than the others: its Retry-After pauses a client */
		note(a, "status");
		status = chance(&r, 100) ? 429 : PICK(&r, odd_statuses);
	}
	a->status = status;

	/* a 1xx before the answer (valid), rarely alone (no answer at all) */
	if (chance(&r, 40))
	{
		bool		alone = chance(&r, 75);

		note(a, alone ? "1xx_alone" : "1xx_first");
		sb_append_str(&a->raw, chance(&r, 500) ? "HTTP/1.1 100 Continue\r\n\r\n"
					  : "HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\n");
		if (alone)
		{
			a->status = 0;
			goto done;
		}
	}
	if (!status_line(&r, status, &a->raw, a))
		a->status = 0;

	if (chance(&r, 150))
	{
		type = PICK(&r, content_types);
		note(a, "content_type");
	}
	if (type)
		sb_printf(&head, "Content-Type: %s\r\n", type);
	if (status == 429 || status == 503 ? chance(&r, 700) : chance(&r, 40))
	{
		note(a, "retry_after");
		sb_printf(&head, "Retry-After: %s\r\n", PICK(&r, retry_afters));
	}
	content_length(&r, &body, &head, &chunked, a);
	junk_headers(&r, &head, a);
	sb_append_str(&head, "Connection: close\r\n\r\n");
	sb_append(&a->raw, head.data, head.len);

	if (chunked)
		append_chunked(&r, &a->raw, &body);
	else if (strstr(a->kind, "chunked_garbage"))
	{
		sb_printf(&a->raw, "%s\r\n", PICK(&r, ((const char *[]) {"fffffffffffffffffff", "-5", "zz", "1;"})));
		sb_append(&a->raw, body.data, body.len);
	}
	else
		sb_append(&a->raw, body.data, body.len);
done:
	sb_free(&body);
	sb_free(&head);
}

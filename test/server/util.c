/*
 * util.c
 *		Small helpers shared by the local Venio server (see util.h).
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Bangkok is UTC+7 all year round (no daylight saving time). */
#define BANGKOK_OFFSET_SECONDS	(7 * 3600)

/* How deeply request bodies may nest. */
#define JSON_MAX_DEPTH			64

/* ---------------------------------------------------------------- memory */

static void
out_of_memory(void)
{
	fputs("venio_server: out of memory\n", stderr);
	abort();
}

void *
xmalloc(size_t size)
{
	void	   *p = malloc(size ? size : 1);

	if (p == NULL)
		out_of_memory();
	return p;
}

void *
xrealloc(void *ptr, size_t size)
{
	void	   *p = realloc(ptr, size ? size : 1);

	if (p == NULL)
		out_of_memory();
	return p;
}

char *
xstrdup(const char *s)
{
	return xmemdup(s, strlen(s));
}

char *
xmemdup(const char *s, size_t len)
{
	char	   *p = xmalloc(len + 1);

	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

/* ---------------------------------------------------------------- StrBuf */

void
sb_init(StrBuf *sb, size_t cap)
{
	sb->cap = cap < 64 ? 64 : cap;
	sb->data = xmalloc(sb->cap);
	sb->len = 0;
	sb->data[0] = '\0';
}

static void
sb_reserve(StrBuf *sb, size_t extra)
{
	size_t		need = sb->len + extra + 1;

	if (need <= sb->cap)
		return;
	while (sb->cap < need)
		sb->cap *= 2;
	sb->data = xrealloc(sb->data, sb->cap);
}

void
sb_append(StrBuf *sb, const char *s, size_t n)
{
	sb_reserve(sb, n);
	memcpy(sb->data + sb->len, s, n);
	sb->len += n;
	sb->data[sb->len] = '\0';
}

void
sb_append_str(StrBuf *sb, const char *s)
{
	sb_append(sb, s, strlen(s));
}

static void
sb_vprintf(StrBuf *sb, const char *fmt, va_list ap)
{
	va_list		retry;
	int			n;

	va_copy(retry, ap);
	n = vsnprintf(sb->data + sb->len, sb->cap - sb->len, fmt, ap);
	if (n >= 0 && (size_t) n >= sb->cap - sb->len)
	{
		sb_reserve(sb, (size_t) n);
		vsnprintf(sb->data + sb->len, sb->cap - sb->len, fmt, retry);
	}
	va_end(retry);
	if (n > 0)
		sb->len += (size_t) n;
}

void
sb_printf(StrBuf *sb, const char *fmt,...)
{
	va_list		ap;

	va_start(ap, fmt);
	sb_vprintf(sb, fmt, ap);
	va_end(ap);
}

/* Hand the buffer over to the caller (who frees it). */
char *
sb_steal(StrBuf *sb, size_t *len)
{
	char	   *data = sb->data;

	if (len)
		*len = sb->len;
	sb->data = NULL;
	sb->len = sb->cap = 0;
	return data;
}

void
sb_free(StrBuf *sb)
{
	free(sb->data);
	sb->data = NULL;
	sb->len = sb->cap = 0;
}

/* ---------------------------------------------------------- MessageList */

void
msg_init(MessageList *ml)
{
	ml->items = NULL;
	ml->count = 0;
	ml->cap = 0;
}

void
msg_add(MessageList *ml, const char *fmt,...)
{
	StrBuf		sb;
	va_list		ap;

	sb_init(&sb, 128);
	va_start(ap, fmt);
	sb_vprintf(&sb, fmt, ap);
	va_end(ap);

	if (ml->count == ml->cap)
	{
		ml->cap = ml->cap ? ml->cap * 2 : 4;
		ml->items = xrealloc(ml->items, sizeof(char *) * ml->cap);
	}
	ml->items[ml->count++] = sb_steal(&sb, NULL);
}

char *
msg_join(const MessageList *ml, const char *sep)
{
	StrBuf		sb;

	sb_init(&sb, 128);
	for (int i = 0; i < ml->count; i++)
	{
		if (i > 0)
			sb_append_str(&sb, sep);
		sb_append_str(&sb, ml->items[i]);
	}
	return sb_steal(&sb, NULL);
}

void
msg_free(MessageList *ml)
{
	for (int i = 0; i < ml->count; i++)
		free(ml->items[i]);
	free(ml->items);
	msg_init(ml);
}

/* ---------------------------------------------------------------- clocks */

static double
clock_seconds(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

double
clock_realtime(void)
{
	return clock_seconds(CLOCK_REALTIME);
}

double
clock_monotonic(void)
{
	return clock_seconds(CLOCK_MONOTONIC);
}

/*
 * Format t as Bangkok local time with strftime's fmt.  Computed from UTC so
 * the result does not depend on the TZ of the machine running the tests.
 */
void
format_bangkok_time(char *buf, size_t size, time_t t, const char *fmt)
{
	time_t		local = t + BANGKOK_OFFSET_SECONDS;
	struct tm	tm;

	gmtime_r(&local, &tm);
	if (strftime(buf, size, fmt, &tm) == 0 && size > 0)
		buf[0] = '\0';
}

/* ------------------------------------------------------------------ text */

static int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Percent-decode len bytes of src into dst (which has room for len + 1
 * bytes) and NUL-terminate it; returns the decoded length.  A malformed
 * escape, and "%00" (which would cut a C string short), are kept literally.
 * plus_is_space is for form and query values, where '+' means a space.
 */
size_t
percent_decode(char *dst, const char *src, size_t len, bool plus_is_space)
{
	size_t		o = 0;

	for (size_t i = 0; i < len; i++)
	{
		char		c = src[i];

		if (c == '%' && i + 2 < len)
		{
			int			hi = hex_value(src[i + 1]);
			int			lo = hex_value(src[i + 2]);

			if (hi >= 0 && lo >= 0 && (hi | lo) != 0)
			{
				dst[o++] = (char) (hi * 16 + lo);
				i += 2;
				continue;
			}
		}
		dst[o++] = (plus_is_space && c == '+') ? ' ' : c;
	}
	dst[o] = '\0';
	return o;
}

bool
starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/*
 * Length of the well-formed UTF-8 sequence at s (at most len bytes), or 0
 * when it is malformed: overlong forms, surrogates and code points above
 * U+10FFFF are refused, as is NUL (which PostgreSQL's jsonb cannot hold).
 */
static size_t
utf8_sequence_length(const unsigned char *s, size_t len)
{
	unsigned char c = s[0];
	size_t		n;
	uint32_t	cp;

	if (c == 0)
		return 0;
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		n = 2, cp = c & 0x1F;
	else if (c >= 0xE0 && c <= 0xEF)
		n = 3, cp = c & 0x0F;
	else if (c >= 0xF0 && c <= 0xF4)
		n = 4, cp = c & 0x07;
	else
		return 0;
	if (n > len)
		return 0;
	for (size_t i = 1; i < n; i++)
	{
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
		cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return n;
}

/*
 * A malloc'd copy of s in which every byte that is not part of well-formed
 * UTF-8 is replaced by U+FFFD, so that whatever a client sends can go into
 * the journal as a JSON string that PostgreSQL accepts.
 */
char *
utf8_sanitize(const char *s, size_t len, size_t *out_len)
{
	static const char replacement[] = "\xEF\xBF\xBD";
	const unsigned char *u = (const unsigned char *) s;
	StrBuf		sb;
	size_t		i = 0;

	sb_init(&sb, len + 1);
	while (i < len)
	{
		size_t		n = utf8_sequence_length(u + i, len - i);

		if (n == 0)
		{
			sb_append(&sb, replacement, 3);
			i++;
		}
		else
		{
			sb_append(&sb, s + i, n);
			i += n;
		}
	}
	return sb_steal(&sb, out_len);
}

/* ------------------------------------------------------------------ JSON */

/*
 * json-c accepts raw control characters inside strings, which JSON (and
 * PostgreSQL) do not; refuse them before parsing.
 */
static bool
strings_are_clean(const char *text, size_t len)
{
	bool		in_string = false;

	for (size_t i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) text[i];

		if (!in_string)
		{
			if (c == '"')
				in_string = true;
			continue;
		}
		if (c == '\\')
			i++;				/* skip the escaped character */
		else if (c == '"')
			in_string = false;
		else if (c < 0x20)
			return false;
	}
	return true;
}

/* json-c also accepts NaN and Infinity, which JSON does not. */
static bool
all_numbers_finite(json_object *obj)
{
	switch (json_object_get_type(obj))
	{
		case json_type_double:
			return isfinite(json_object_get_double(obj));
		case json_type_array:
			for (size_t i = 0; i < json_object_array_length(obj); i++)
				if (!all_numbers_finite(json_object_array_get_idx(obj, i)))
					return false;
			return true;
		case json_type_object:
			{
				json_object_object_foreach(obj, key, val)
				{
					(void) key;
					if (!all_numbers_finite(val))
						return false;
				}
				return true;
			}
		default:
			return true;
	}
}

/*
 * Parse len bytes of JSON text; text[len] must be a NUL (the buffers of this
 * server always are), which lets json-c see the end of a trailing number.
 * *valid says whether the text is one well-formed JSON value; the result is
 * NULL both for invalid text and for the JSON literal null.
 */
json_object *
json_parse_text(const char *text, size_t len, bool *valid)
{
	json_tokener *tok;
	json_object *obj;

	*valid = false;
	if (len == 0 || len >= INT_MAX || memchr(text, '\0', len) != NULL ||
		!strings_are_clean(text, len))
		return NULL;

	tok = json_tokener_new_ex(JSON_MAX_DEPTH);
	if (tok == NULL)
		return NULL;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	obj = json_tokener_parse_ex(tok, text, (int) len + 1);
	if (json_tokener_get_error(tok) == json_tokener_success &&
		json_tokener_get_parse_end(tok) == len &&
		all_numbers_finite(obj))
		*valid = true;
	else
	{
		json_object_put(obj);
		obj = NULL;
	}
	json_tokener_free(tok);
	return obj;
}

/* Compact JSON text of obj (NULL prints as null), malloc'd. */
char *
json_to_text(json_object *obj, size_t *len)
{
	size_t		n;
	const char *s = json_object_to_json_string_length(obj,
													  JSON_C_TO_STRING_PLAIN |
													  JSON_C_TO_STRING_NOSLASHESCAPE,
													  &n);

	if (len)
		*len = n;
	return xmemdup(s, n);
}

/* The value of key, or NULL when obj is not an object, or key is absent or null. */
json_object *
json_field(json_object *obj, const char *key)
{
	json_object *v = NULL;

	if (obj == NULL || !json_object_is_type(obj, json_type_object))
		return NULL;
	if (!json_object_object_get_ex(obj, key, &v))
		return NULL;
	return v;
}

/* Whether key is present in obj, even with a null value. */
bool
json_has_field(json_object *obj, const char *key)
{
	if (obj == NULL || !json_object_is_type(obj, json_type_object))
		return false;
	return json_object_object_get_ex(obj, key, NULL);
}

/* The string value of key, or NULL when it is absent, null or not a string. */
const char *
json_field_string(json_object *obj, const char *key)
{
	json_object *v = json_field(obj, key);

	if (v == NULL || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

json_object *
json_new_string_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

/*
 * Whether a JSON number has no fractional part, judged like PostgreSQL's
 * numeric (which the extension's own validation uses): 10 and 1e2 are
 * integers, 10.0 and 1.55e1 are not.  json-c keeps the text of parsed
 * doubles, so the scale can be read from it.
 */
bool
json_is_integral(json_object *v)
{
	const char *text;
	const char *p;
	long		frac_digits = 0;
	long		exponent = 0;

	if (v == NULL)
		return false;
	if (json_object_is_type(v, json_type_int))
		return true;
	if (!json_object_is_type(v, json_type_double))
		return false;

	text = json_object_get_string(v);
	p = strchr(text, '.');
	if (p)
		for (p++; isdigit((unsigned char) *p); p++)
			frac_digits++;
	p = strpbrk(text, "eE");
	if (p)
		exponent = strtol(p + 1, NULL, 10);
	return frac_digits - exponent <= 0;
}

/* A JSON number as a long (fractions truncated); false when it is not a number. */
bool
json_get_long(json_object *v, long *out)
{
	if (v == NULL)
		return false;
	if (json_object_is_type(v, json_type_int))
	{
		int64_t		n = json_object_get_int64(v);

		*out = (long) n;
		return true;
	}
	if (json_object_is_type(v, json_type_double))
	{
		double		d = json_object_get_double(v);

		if (d > (double) LONG_MAX)
			*out = LONG_MAX;
		else if (d < (double) LONG_MIN)
			*out = LONG_MIN;
		else
			*out = (long) d;
		return true;
	}
	return false;
}

/* -------------------------------------------------------------- sleeping */

/*
 * Injected latency sleeps here.  A shutdown wakes every sleeper, so that
 * SIGTERM is answered promptly even while handlers wait.
 */
static pthread_mutex_t sleep_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t sleep_cond;
static pthread_once_t sleep_once = PTHREAD_ONCE_INIT;
static bool sleep_cancelled = false;

static void
sleep_setup(void)
{
	pthread_condattr_t attr;

	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&sleep_cond, &attr);
	pthread_condattr_destroy(&attr);
}

void
sleep_interruptible_ms(long ms)
{
	struct timespec deadline;

	if (ms <= 0)
		return;
	pthread_once(&sleep_once, sleep_setup);
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += ms / 1000;
	deadline.tv_nsec += (ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L)
	{
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}

	pthread_mutex_lock(&sleep_mutex);
	while (!sleep_cancelled)
	{
		if (pthread_cond_timedwait(&sleep_cond, &sleep_mutex, &deadline) == ETIMEDOUT)
			break;
	}
	pthread_mutex_unlock(&sleep_mutex);
}

void
wake_sleepers_for_shutdown(void)
{
	pthread_once(&sleep_once, sleep_setup);
	pthread_mutex_lock(&sleep_mutex);
	sleep_cancelled = true;
	pthread_cond_broadcast(&sleep_cond);
	pthread_mutex_unlock(&sleep_mutex);
}

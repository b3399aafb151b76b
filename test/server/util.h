/*
 * util.h
 *		Small helpers shared by the local Venio server: memory, a growable
 *		buffer, message lists, clocks, percent-decoding, UTF-8 clean-up, JSON
 *		parsing and printing, and sleeping that a shutdown interrupts.
 */
#ifndef VENIO_UTIL_H
#define VENIO_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <json-c/json.h>

/* ---- memory: these never return NULL (they abort on exhaustion) ---- */
extern void *xmalloc(size_t size);
extern void *xrealloc(void *ptr, size_t size);
extern char *xstrdup(const char *s);
extern char *xmemdup(const char *s, size_t len);	/* adds a NUL */

/* ---- a growable byte buffer, always NUL-terminated ---- */
typedef struct StrBuf
{
	char	   *data;
	size_t		len;
	size_t		cap;
} StrBuf;

extern void sb_init(StrBuf *sb, size_t cap);
extern void sb_append(StrBuf *sb, const char *s, size_t n);
extern void sb_append_str(StrBuf *sb, const char *s);
extern void sb_printf(StrBuf *sb, const char *fmt,...)
			__attribute__((format(printf, 2, 3)));
extern char *sb_steal(StrBuf *sb, size_t *len);
extern void sb_free(StrBuf *sb);

/* ---- the messages of a 400 answer ---- */
typedef struct MessageList
{
	char	  **items;
	int			count;
	int			cap;
} MessageList;

extern void msg_init(MessageList *ml);
extern void msg_add(MessageList *ml, const char *fmt,...)
			__attribute__((format(printf, 2, 3)));
extern char *msg_join(const MessageList *ml, const char *sep);
extern void msg_free(MessageList *ml);

/* ---- clocks ---- */
extern double clock_realtime(void);		/* Unix epoch seconds */
extern double clock_monotonic(void);	/* for expiry times */
extern void format_bangkok_time(char *buf, size_t size, time_t t, const char *fmt);

/* ---- text ---- */
extern size_t percent_decode(char *dst, const char *src, size_t len, bool plus_is_space);
extern char *utf8_sanitize(const char *s, size_t len, size_t *out_len);
extern bool starts_with(const char *s, const char *prefix);

/* ---- JSON ---- */
extern json_object *json_parse_text(const char *text, size_t len, bool *valid);
extern char *json_to_text(json_object *obj, size_t *len);
extern json_object *json_field(json_object *obj, const char *key);
extern bool json_has_field(json_object *obj, const char *key);
extern const char *json_field_string(json_object *obj, const char *key);
extern json_object *json_new_string_or_null(const char *s);
extern bool json_is_integral(json_object *v);
extern bool json_get_long(json_object *v, long *out);

/* ---- sleeping that a shutdown cuts short ---- */
extern void sleep_interruptible_ms(long ms);
extern void wake_sleepers_for_shutdown(void);

#endif							/* VENIO_UTIL_H */

/*
 * validate.c
 *		Check a request body against the catalog, the way the API answers a
 *		bad request: every problem becomes one message,
 *
 *			Field Required: <name>
 *			Invalid value: <name> must be <type>
 *			Invalid value: <name> must be one of <v1>, <v2>, ...
 *			Invalid value: <name> must be between <min> and <max>
 *			Invalid value: <name> must be between <min> and <max> when <sibling> is <n>
 *
 * with nested names dotted ("contractService.frequency") and array elements
 * indexed ("products[0].productCode", "[2].qty" for a top-level array).
 * The rules mirror the extension's own check (src/convert/validate.c), so a
 * body the extension accepts is accepted here; fields the catalog does not
 * know are ignored.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "validate.h"

/* Older catalogs ended integer enums with 0. */
#ifndef GOFIVE_ENUM_END
#define GOFIVE_ENUM_END 0
#endif

static void validate_fields(const GofiveField *fields, json_object *obj,
							const char *prefix, ValidateMode mode,
							MessageList *messages);

static char *
field_path(const char *prefix, const char *name)
{
	StrBuf		sb;

	sb_init(&sb, 64);
	if (*prefix)
		sb_printf(&sb, "%s.%s", prefix, name);
	else
		sb_append_str(&sb, name);
	return sb_steal(&sb, NULL);
}

static bool
type_matches(GofiveJsonType type, json_object *v)
{
	switch (type)
	{
		case GOFIVE_ANY:
			return true;
		case GOFIVE_STRING:
			return json_object_is_type(v, json_type_string);
		case GOFIVE_INTEGER:
			return json_is_integral(v);
		case GOFIVE_NUMBER:
			return json_object_is_type(v, json_type_int) ||
				json_object_is_type(v, json_type_double);
		case GOFIVE_BOOLEAN:
			return json_object_is_type(v, json_type_boolean);
		case GOFIVE_ARRAY:
			return json_object_is_type(v, json_type_array);
		case GOFIVE_OBJECT:
			return json_object_is_type(v, json_type_object);
	}
	return false;
}

static void
report_type(MessageList *messages, const char *path, GofiveJsonType type)
{
	msg_add(messages, "Invalid value: %s must be %s", path, gofive_json_type_name(type));
}

static bool
enum_value_allowed(const GofiveField *f, json_object *v)
{
	long		n;

	if (f->enum_values && json_get_long(v, &n))
	{
		for (const long *e = f->enum_values; *e != GOFIVE_ENUM_END; e++)
			if (*e == n)
				return true;
		return false;
	}
	if (f->enum_text && json_object_is_type(v, json_type_string))
	{
		for (const char *const *e = f->enum_text; *e; e++)
			if (strcmp(*e, json_object_get_string(v)) == 0)
				return true;
		return false;
	}
	return true;
}

static void
report_enum(MessageList *messages, const char *path, const GofiveField *f)
{
	StrBuf		allowed;

	sb_init(&allowed, 128);
	if (f->enum_values)
		for (const long *e = f->enum_values; *e != GOFIVE_ENUM_END; e++)
			sb_printf(&allowed, "%s%ld", e == f->enum_values ? "" : ", ", *e);
	else
		for (const char *const *e = f->enum_text; *e; e++)
			sb_printf(&allowed, "%s%s", e == f->enum_text ? "" : ", ", *e);
	msg_add(messages, "Invalid value: %s must be one of %s", path, allowed.data);
	sb_free(&allowed);
}

/* Enum and range of a value whose type is right. */
static void
check_constraints(const GofiveField *f, json_object *v, const char *path,
				  MessageList *messages)
{
	long		n;

	if (!enum_value_allowed(f, v))
	{
		report_enum(messages, path, f);
		return;
	}
	if (f->min_value < f->max_value && json_get_long(v, &n) &&
		(n < f->min_value || n > f->max_value))
		msg_add(messages, "Invalid value: %s must be between %ld and %ld",
				path, f->min_value, f->max_value);
}

/* The narrower range that a sibling's value selects ("Point" by "SourceType"). */
static void
check_ranges_when(const GofiveField *f, json_object *obj, json_object *v,
				  const char *path, MessageList *messages)
{
	long		n,
				sibling;

	if (f->ranges_when == NULL || !type_matches(f->type, v) || !json_get_long(v, &n))
		return;
	for (const GofiveRangeWhen *r = f->ranges_when; r->sibling; r++)
		if (json_get_long(json_field(obj, r->sibling), &sibling) && sibling == r->equals &&
			(n < r->min_value || n > r->max_value))
			msg_add(messages, "Invalid value: %s must be between %ld and %ld when %s is %ld",
					path, r->min_value, r->max_value, r->sibling, r->equals);
}

/* A sibling is given: present, non-null, and not an empty array. */
static bool
is_given(json_object *obj, const char *key)
{
	json_object *v = json_field(obj, key);

	return v != NULL &&
		!(json_object_is_type(v, json_type_array) && json_object_array_length(v) == 0);
}

/* The elements of an array field: item type, and children of object items. */
static void
validate_items(const GofiveField *f, json_object *array, const char *path,
			   ValidateMode mode, MessageList *messages)
{
	size_t		n = json_object_array_length(array);

	for (size_t i = 0; i < n; i++)
	{
		json_object *item = json_object_array_get_idx(array, i);
		StrBuf		item_path;

		sb_init(&item_path, 64);
		sb_printf(&item_path, "%s[%zu]", path, i);
		if (f->item_type != GOFIVE_ANY &&
			(item == NULL || !type_matches(f->item_type, item)))
			report_type(messages, item_path.data, f->item_type);
		else if (f->children && json_object_is_type(item, json_type_object))
			validate_fields(f->children, item, item_path.data, mode, messages);
		sb_free(&item_path);
	}
}

/* A present, non-null value. */
static void
validate_value(const GofiveField *f, json_object *v, const char *path,
			   ValidateMode mode, MessageList *messages)
{
	if (!type_matches(f->type, v))
	{
		report_type(messages, path, f->type);
		return;
	}
	check_constraints(f, v, path, messages);
	if (f->type == GOFIVE_ARRAY)
		validate_items(f, v, path, mode, messages);
	else if (f->type == GOFIVE_OBJECT && f->children)
		validate_fields(f->children, v, path, mode, messages);
}

static void
validate_fields(const GofiveField *fields, json_object *obj, const char *prefix,
				ValidateMode mode, MessageList *messages)
{
	for (const GofiveField *f = fields; f && f->name; f++)
	{
		json_object *v = NULL;
		bool		present = obj && json_object_object_get_ex(obj, f->name, &v);
		char	   *path = field_path(prefix, f->name);

		if (!present || (v == NULL && !(f->flags & GOFIVE_NULLABLE)))
		{
			/* absent, or null where null is not allowed */
			bool		waived = f->required_unless && is_given(obj, f->required_unless);

			if (f->flags & GOFIVE_REQUIRED)
			{
				if (!waived && mode == VALIDATE_ALL)
					msg_add(messages, "Field Required: %s", path);
			}
			else if (present)
				report_type(messages, path, f->type);
		}
		else if (v != NULL)
		{
			validate_value(f, v, path, mode, messages);
			check_ranges_when(f, obj, v, path, messages);
		}
		free(path);
	}
}

/*
 * Validate a whole body (NULL when absent or JSON null).  An absent object
 * body is checked as {}, so every required field is reported.
 */
void
validate_body(const GofiveOperation *op, json_object *body, ValidateMode mode,
			  MessageList *messages)
{
	switch (op->body)
	{
		case GOFIVE_BODY_NONE:
			return;
		case GOFIVE_BODY_OBJECT:
			if (body != NULL && !json_object_is_type(body, json_type_object))
			{
				msg_add(messages, "Invalid value: body must be object");
				return;
			}
			validate_fields(op->fields, body, "", mode, messages);
			return;
		case GOFIVE_BODY_ARRAY:
			if (body == NULL)
			{
				if (mode == VALIDATE_ALL)
					msg_add(messages, "Field Required: body");
				return;
			}
			if (!json_object_is_type(body, json_type_array))
			{
				msg_add(messages, "Invalid value: body must be array");
				return;
			}
			for (size_t i = 0; i < json_object_array_length(body); i++)
			{
				json_object *item = json_object_array_get_idx(body, i);
				char		prefix[32];

				snprintf(prefix, sizeof(prefix), "[%zu]", i);
				if (item == NULL || !json_object_is_type(item, json_type_object))
					msg_add(messages, "Invalid value: %s must be object", prefix);
				else
					validate_fields(op->fields, item, prefix, mode, messages);
			}
			return;
	}
}

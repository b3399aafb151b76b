/*
 * validate.h
 *		Generic validation of a request body against the catalog's fields,
 *		collecting every problem as an API-style message.
 */
#ifndef VENIO_VALIDATE_H
#define VENIO_VALIDATE_H

#include <json-c/json.h>

#include "catalog.h"
#include "util.h"

typedef enum ValidateMode
{
	VALIDATE_ALL,				/* presence, types, enums, ranges */
	VALIDATE_TYPES_ONLY			/* for handlers that check presence themselves */
} ValidateMode;

extern void validate_body(const GofiveOperation *op, json_object *body,
						  ValidateMode mode, MessageList *messages);

#endif							/* VENIO_VALIDATE_H */

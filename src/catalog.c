/*
 * src/catalog.c
 *		The table of Venio API operations (see catalog.h).
 *
 * Sources: the API's pages, as docs/api.md sums them up; the three seed
 * pages win where they disagree.  Adding an operation is adding one
 * entry here plus its tests.
 */
#include <stdlib.h>
#include <string.h>

#include "catalog.h"

/* Shorthands that keep the table readable. */
#define REQ(n, t)		{ .name = (n), .type = (t), .flags = GOFIVE_REQUIRED }
#define OPT(n, t)		{ .name = (n), .type = (t) }
#define OPTNULL(n, t)	{ .name = (n), .type = (t), .flags = GOFIVE_NULLABLE }
#define REQARR(n, it)	{ .name = (n), .type = GOFIVE_ARRAY, .flags = GOFIVE_REQUIRED, .item_type = (it) }
#define OPTARR(n, it)	{ .name = (n), .type = GOFIVE_ARRAY, .item_type = (it) }
#define END				{ .name = NULL }
/* ends a list the documentation shows more fields for than it lists */
#define END_MORE		{ .name = NULL, .flags = GOFIVE_MORE_FIELDS }
/* a date/time string field, and how the API writes it (docs/api.md, Date formats) */
#define REQDT(n, f)		{ .name = (n), .type = GOFIVE_STRING, .flags = GOFIVE_REQUIRED, .date_format = (f) }
#define OPTDT(n, f)		{ .name = (n), .type = GOFIVE_STRING, .date_format = (f) }


/* ---- Enums and ranges (docs/api.md, Enums) ---- */

static const long contract_frequency[] = {260001, 260002, 260003, 260004, 260005, GOFIVE_ENUM_END};
static const long case_types[] = {1, 2, GOFIVE_ENUM_END};
static const long satisfaction_sources[] = {1, 2, GOFIVE_ENUM_END};
static const long expense_types[] = {1001, 1002, 1003, 1004, 1005, 1006, 1007, 1008, GOFIVE_ENUM_END};
static const long product_types[] = {1301, 1302, GOFIVE_ENUM_END};
static const long type_for[] = {1, 2, GOFIVE_ENUM_END};
static const long payment_status[] = {1, 2, GOFIVE_ENUM_END};
static const char *const warranty_units[] = {"y", "m", "d", NULL};

#define ENUM(n, fl, values)	{ .name = (n), .type = GOFIVE_INTEGER, .flags = (fl), .enum_values = (values) }
#define RANGE(n, fl, lo, hi) { .name = (n), .type = GOFIVE_INTEGER, .flags = (fl), .min_value = (lo), .max_value = (hi) }

/* ---- SQL arguments ---- */

#define ARG_BODY		{ "payload", "jsonb", GOFIVE_ARG_BODY, NULL, false, NULL }
#define ARG_FILTER		{ "filter", "jsonb", GOFIVE_ARG_BODY, NULL, true, NULL }
#define ARG_PATH(sql, type, wire) { sql, type, GOFIVE_ARG_PATH, wire, false, NULL }
#define ARGS_END		{ NULL, NULL, 0, NULL, false, NULL }

static const GofiveArg no_args[] = {ARGS_END};
static const GofiveArg body_only_args[] = {ARG_BODY, ARGS_END};
static const GofiveArg filter_args[] = {ARG_FILTER, ARGS_END};

/* ---- Customer ---- */

static const GofiveField customer_fields[] = {
	OPTNULL("customerCode", GOFIVE_STRING),	/* null creates, a code updates */
	REQ("customerName", GOFIVE_STRING),
	REQ("customerState", GOFIVE_INTEGER),
	OPTNULL("customerStatus", GOFIVE_INTEGER),
	OPTNULL("customerType", GOFIVE_INTEGER),	/* int|null: the page lists no values */
	OPTNULL("customerPicture", GOFIVE_STRING),
	OPTNULL("customer2ndName", GOFIVE_STRING),
	{.name = "customerAliases", .type = GOFIVE_ARRAY, .flags = GOFIVE_NULLABLE, .item_type = GOFIVE_STRING},
	OPTNULL("customerTaxNo", GOFIVE_STRING),
	OPTNULL("branchCode", GOFIVE_STRING),
	OPTNULL("customerPhone", GOFIVE_STRING),
	OPTNULL("customerMobile", GOFIVE_STRING),
	OPT("customerEmail", GOFIVE_STRING),
	OPTNULL("customerPosition", GOFIVE_STRING),
	OPTNULL("customerGender", GOFIVE_INTEGER),
	OPTNULL("customerMaritalStatus", GOFIVE_INTEGER),
	OPTNULL("customerBirthdate", GOFIVE_STRING),
	OPTNULL("customerIncome", GOFIVE_STRING),
	OPTNULL("creditLimit", GOFIVE_STRING),
	{.name = "addresses", .type = GOFIVE_ARRAY, .flags = GOFIVE_NULLABLE, .item_type = GOFIVE_OBJECT},
	END_MORE					/* the fields after addresses could not be read */
};

/* the page: CSAT points are 1-5, NPS points 1-10 */
static const GofiveRangeWhen satisfaction_points[] = {
	{"SourceType", 1, 1, 5},
	{"SourceType", 2, 1, 10},
	{NULL}
};

static const GofiveField satisfaction_fields[] = {
	REQ("SourceName", GOFIVE_STRING),
	ENUM("SourceType", GOFIVE_REQUIRED, satisfaction_sources),	/* 1 CSAT, 2 NPS */
	{.name = "Point", .type = GOFIVE_INTEGER, .flags = GOFIVE_REQUIRED, .min_value = 1, .max_value = 10,
	 .ranges_when = satisfaction_points},
	REQ("CustomerCode", GOFIVE_STRING),
	REQ("DateCreated", GOFIVE_STRING),
	OPT("AnswerBy", GOFIVE_STRING),
	OPT("Comment", GOFIVE_STRING),
	END
};

static const GofiveField customer_event_fields[] = {
	REQ("eventName", GOFIVE_STRING),
	REQ("eventType", GOFIVE_INTEGER),
	REQDT("eventDate", GOFIVE_DATE_LOCAL),	/* 2024-02-01T10:00:00 */
	REQ("customerCode", GOFIVE_STRING),
	OPT("description", GOFIVE_STRING),
	END
};

/* Edit Customer Event: the same fields; which are required is unreadable */
static const GofiveField customer_event_edit_fields[] = {
	OPT("eventName", GOFIVE_STRING),
	OPT("eventType", GOFIVE_INTEGER),
	OPTDT("eventDate", GOFIVE_DATE_LOCAL),
	OPT("customerCode", GOFIVE_STRING),
	OPT("description", GOFIVE_STRING),
	END
};

static const GofiveField customer_event_filter_fields[] = {
	OPT("dateFrom", GOFIVE_STRING),
	OPT("dateTo", GOFIVE_STRING),
	END
};

static const GofiveArg customer_event_edit_args[] = {
	ARG_PATH("event_id", "text", "eventId"), ARG_BODY, ARGS_END
};

static const GofiveArg customer_events_args[] = {
	{"customer_code", "text", GOFIVE_ARG_QUERY, "customerCode", false, NULL},
	{"event_type_ids", "integer", GOFIVE_ARG_QUERY, "eventTypeIds", true, NULL},
	ARG_FILTER,
	ARGS_END
};

/* ---- Case ---- */

static const GofiveField case_fields[] = {
	ENUM("caseType", GOFIVE_REQUIRED, case_types),
	REQ("subject", GOFIVE_STRING),
	REQ("categoryId", GOFIVE_INTEGER),
	REQDT("dateCase", GOFIVE_DATE_OFFSET_MS),	/* 2025-02-05T17:35:53.693+0700 */
	REQDT("dateDue", GOFIVE_DATE_OFFSET_MS),
	REQ("assignedToUserId", GOFIVE_STRING),
	OPT("customerCode", GOFIVE_STRING),
	OPTARR("activityNos", GOFIVE_STRING),
	OPTARR("dealNos", GOFIVE_STRING),
	OPT("note", GOFIVE_STRING),
	END
};

static const GofiveField case_edit_fields[] = {
	REQ("subject", GOFIVE_STRING),
	REQ("categoryId", GOFIVE_INTEGER),
	REQDT("dateCase", GOFIVE_DATE_OFFSET_MS),	/* 2025-02-05T17:35:53.693+0700 */
	REQDT("dateDue", GOFIVE_DATE_OFFSET_MS),
	REQ("assignedToUserId", GOFIVE_STRING),
	OPT("customerNo", GOFIVE_STRING),
	OPT("customerCode", GOFIVE_STRING),	/* the page's example sends this */
	OPTARR("activityNos", GOFIVE_STRING),
	OPTARR("dealNos", GOFIVE_STRING),
	OPT("note", GOFIVE_STRING),
	END
};

static const GofiveArg case_edit_args[] = {ARG_PATH("case_no", "text", "caseNo"), ARG_BODY, ARGS_END};

/* ---- Contract ---- */

static const GofiveField contract_service_fields[] = {
	ENUM("frequency", GOFIVE_REQUIRED, contract_frequency),
	REQ("subject", GOFIVE_STRING),
	REQ("numberOfTimes", GOFIVE_INTEGER),
	OPTNULL("agreementNote", GOFIVE_STRING),
	END
};

static const GofiveField contract_fields[] = {
	OPTNULL("contractNo", GOFIVE_STRING),	/* null creates, a number updates */
	REQ("contractName", GOFIVE_STRING),
	REQ("contractType", GOFIVE_STRING),
	OPTNULL("contractValue", GOFIVE_INTEGER),
	REQ("customerCode", GOFIVE_STRING),
	REQDT("dateStart", GOFIVE_DATE_SPACE),	/* 2025-06-18 00:00:00 */
	REQDT("dateEnd", GOFIVE_DATE_SPACE),
	OPTNULL("description", GOFIVE_STRING),
	REQ("owner", GOFIVE_STRING),
	{.name = "contractService", .type = GOFIVE_OBJECT, .flags = GOFIVE_NULLABLE,
	 .children = contract_service_fields},
	END
};

static const GofiveField service_agreement_fields[] = {
	REQ("contractNo", GOFIVE_STRING),
	ENUM("frequency", GOFIVE_REQUIRED, contract_frequency),
	REQ("subject", GOFIVE_STRING),
	REQ("numberOfTimes", GOFIVE_INTEGER),
	OPTNULL("contractServiceId", GOFIVE_INTEGER),	/* null creates */
	OPTNULL("agreementNote", GOFIVE_STRING),
	END
};

static const GofiveArg contract_no_args[] = {ARG_PATH("contract_no", "text", "no"), ARGS_END};

/* ---- Deal ---- */

#define DEAL_COMMON_FIELDS \
	REQ("dealName", GOFIVE_STRING), \
	REQ("probability", GOFIVE_INTEGER), \
	REQ("dealValue", GOFIVE_INTEGER), \
	REQDT("expectedCloseDate", GOFIVE_DATE_OFFSET), \
	REQ("assignTo", GOFIVE_STRING), \
	OPTDT("dealDate", GOFIVE_DATE_OFFSET), \
	OPT("dealQuantity", GOFIVE_INTEGER), \
	OPT("dealQuantityUnit", GOFIVE_STRING), \
	OPTARR("dealInterests", GOFIVE_INTEGER), \
	OPTARR("dealLabels", GOFIVE_INTEGER), \
	OPT("note", GOFIVE_STRING), \
	OPTARR("participantCodes", GOFIVE_STRING), \
	/* the schema says yyyy-MM-ddTHH:mm:ss, the example sends an offset */ \
	{.name = "dateFollowUp", .type = GOFIVE_STRING, .date_format = GOFIVE_DATE_LOCAL, \
	 .date_also = GOFIVE_DATE_OFFSET}, \
	OPT("followUpNotes", GOFIVE_STRING), \
	OPT("remark", GOFIVE_STRING), \
	OPT("dealStageId", GOFIVE_INTEGER), \
	OPT("reasonCategoryId", GOFIVE_INTEGER), \
	OPT("markAllTaskAsDone", GOFIVE_BOOLEAN), \
	OPT("cancleAllOrder", GOFIVE_BOOLEAN)	/* sic: spelt so on the wire */

static const GofiveField deal_fields[] = {
	REQARR("customerCodes", GOFIVE_STRING),
	REQ("boardId", GOFIVE_INTEGER),
	DEAL_COMMON_FIELDS,
	END
};

static const GofiveField deal_update_fields[] = {DEAL_COMMON_FIELDS, END};

static const GofiveArg deal_update_args[] = {ARG_PATH("deal_id", "bigint", "id"), ARG_BODY, ARGS_END};

/* ---- Expense ---- */

static const long expense_types_create[] = {0, 1001, 1002, 1003, 1004, 1005, 1006, 1007, 1008, GOFIVE_ENUM_END};

#define EXPENSE_DETAIL_FIELDS \
	REQ("amount", GOFIVE_NUMBER), \
	OPTNULL("expenseDetailId", GOFIVE_INTEGER), \
	OPTNULL("night", GOFIVE_INTEGER),	/* accommodation */ \
	OPTNULL("milesStart", GOFIVE_INTEGER),	/* fuel, below milesEnd */ \
	OPTNULL("milesEnd", GOFIVE_INTEGER), \
	OPTNULL("trainingTitle", GOFIVE_STRING),	/* training */ \
	OPTNULL("hours", GOFIVE_INTEGER), \
	OPTNULL("minutes", GOFIVE_INTEGER)

/* expenseTypeId 0 (none) is allowed when creating only */
static const GofiveField expense_detail_create_fields[] = {
	ENUM("expenseTypeId", GOFIVE_REQUIRED, expense_types_create),
	EXPENSE_DETAIL_FIELDS,
	END_MORE					/* 16 fields; the others could not be read */
};

static const GofiveField expense_detail_fields[] = {
	ENUM("expenseTypeId", GOFIVE_REQUIRED, expense_types),
	EXPENSE_DETAIL_FIELDS,
	END_MORE					/* 15 fields; the others could not be read */
};

#define EXPENSE_HEADER_FIELDS \
	OPTNULL("activityId", GOFIVE_STRING), \
	OPTNULL("dateTransaction", GOFIVE_STRING), \
	OPTNULL("remark", GOFIVE_STRING), \
	{.name = "attachments", .type = GOFIVE_ARRAY, .flags = GOFIVE_NULLABLE, .item_type = GOFIVE_OBJECT}

static const GofiveField expense_fields[] = {
	{.name = "ExpenseDetails", .type = GOFIVE_ARRAY, .flags = GOFIVE_REQUIRED, .item_type = GOFIVE_OBJECT,
	 .children = expense_detail_create_fields},
	OPT("subject", GOFIVE_STRING),
	EXPENSE_HEADER_FIELDS,
	END_MORE					/* Create Expense's top level could not be read */
};

static const GofiveField expense_update_fields[] = {
	{.name = "ExpenseDetails", .type = GOFIVE_ARRAY, .flags = GOFIVE_REQUIRED, .item_type = GOFIVE_OBJECT,
	 .children = expense_detail_fields},
	REQ("subject", GOFIVE_STRING),
	EXPENSE_HEADER_FIELDS,
	END_MORE					/* partly readable */
};

static const GofiveField expense_enquiry_fields[] = {
	ENUM("expenseTypeId", GOFIVE_REQUIRED, expense_types),
	{.name = "statusIds", .type = GOFIVE_ARRAY, .flags = GOFIVE_NULLABLE, .item_type = GOFIVE_STRING},
	{.name = "staffCodes", .type = GOFIVE_ARRAY, .flags = GOFIVE_NULLABLE, .item_type = GOFIVE_STRING},
	OPTNULL("searchText", GOFIVE_STRING),
	OPTNULL("dateStart", GOFIVE_STRING),
	OPTNULL("dateEnd", GOFIVE_STRING),
	END
};

static const GofiveArg expense_id_args[] = {ARG_PATH("expense_id", "text", "id"), ARGS_END};
static const GofiveArg expense_update_args[] = {ARG_PATH("expense_id", "text", "id"), ARG_BODY, ARGS_END};

/* ---- Product ---- */

static const GofiveField price_fields[] = {
	REQ("priceTierName", GOFIVE_STRING),
	REQ("regularPrice", GOFIVE_NUMBER),
	OPTNULL("salePrice", GOFIVE_NUMBER),
	OPTNULL("vatValue", GOFIVE_NUMBER),
	OPTNULL("useDefaultVat", GOFIVE_BOOLEAN),
	END
};

static const GofiveField attribute_fields[] = {
	REQ("attributeName", GOFIVE_STRING),
	REQ("attributeValueName", GOFIVE_STRING),
	END
};

static const GofiveField variant_fields[] = {
	REQ("productCode", GOFIVE_STRING),
	REQ("productName", GOFIVE_STRING),
	REQ("active", GOFIVE_BOOLEAN),
	{.name = "prices", .type = GOFIVE_ARRAY, .flags = GOFIVE_REQUIRED, .item_type = GOFIVE_OBJECT,
	 .children = price_fields},
	{.name = "attribute", .type = GOFIVE_ARRAY, .flags = GOFIVE_REQUIRED, .item_type = GOFIVE_OBJECT,
	 .children = attribute_fields},
	OPT("productBarcode", GOFIVE_STRING),
	OPT("productDescription", GOFIVE_STRING),
	OPT("cost", GOFIVE_NUMBER),
	OPTARR("productImage", GOFIVE_STRING),
	OPT("qty", GOFIVE_INTEGER),
	OPT("lowStockAlert", GOFIVE_INTEGER),
	END
};

/*
 * "productCode (required when there is no SKU)": a product's SKUs are its
 * productVariant items, each with a productCode of its own.
 */
static const GofiveField product_fields[] = {
	{.name = "productCode", .type = GOFIVE_STRING, .flags = GOFIVE_REQUIRED,
	 .required_unless = "productVariant"},
	REQ("productName", GOFIVE_STRING),
	REQ("category", GOFIVE_STRING),
	REQ("cost", GOFIVE_NUMBER),
	{.name = "prices", .type = GOFIVE_ARRAY, .flags = GOFIVE_REQUIRED, .item_type = GOFIVE_OBJECT,
	 .children = price_fields},
	REQ("productUnitName", GOFIVE_STRING),
	REQ("trackInventory", GOFIVE_BOOLEAN),
	REQ("useWarranty", GOFIVE_BOOLEAN),
	REQ("visibility", GOFIVE_BOOLEAN),
	REQ("active", GOFIVE_BOOLEAN),
	OPT("productBarcode", GOFIVE_STRING),
	OPT("productDescription", GOFIVE_STRING),
	OPT("subCategory", GOFIVE_STRING),
	OPT("sub_SubCategory", GOFIVE_STRING),
	OPT("productWeight", GOFIVE_NUMBER),
	OPT("productWeightUnit", GOFIVE_STRING),
	OPTARR("productTag", GOFIVE_STRING),
	OPTARR("productImage", GOFIVE_STRING),
	OPT("qty", GOFIVE_INTEGER),
	OPT("lowStockAlert", GOFIVE_INTEGER),
	OPT("timeWarrantyValue", GOFIVE_INTEGER),
	{.name = "timeWarrantyUnit", .type = GOFIVE_STRING, .enum_text = warranty_units},
	OPT("warrantyNote", GOFIVE_STRING),
	OPT("brandName", GOFIVE_STRING),
	{.name = "productVariant", .type = GOFIVE_ARRAY, .item_type = GOFIVE_OBJECT, .children = variant_fields},
	END
};

static const GofiveField products_body_fields[] = {
	{.name = "products", .type = GOFIVE_ARRAY, .flags = GOFIVE_REQUIRED, .item_type = GOFIVE_OBJECT,
	 .children = product_fields},
	END
};

static const GofiveField product_take_status_fields[] = {
	REQ("take", GOFIVE_INTEGER),
	REQARR("status", GOFIVE_INTEGER),	/* 0 inactive, 1 active */
	END
};

static const GofiveField product_filter_fields[] = {
	ENUM("productType", GOFIVE_REQUIRED, product_types),
	REQARR("status", GOFIVE_INTEGER),
	REQ("take", GOFIVE_INTEGER),
	OPTNULL("productFor", GOFIVE_STRING),
	ENUM("typeFor", GOFIVE_NULLABLE, type_for),
	{.name = "productGroupIds", .type = GOFIVE_ARRAY, .flags = GOFIVE_NULLABLE, .item_type = GOFIVE_INTEGER},
	OPT("skip", GOFIVE_INTEGER),
	OPTNULL("smartSearch", GOFIVE_STRING),
	OPTNULL("orderBy", GOFIVE_STRING),
	END
};

static const GofiveField verify_serial_fields[] = {
	REQ("SerialNumber", GOFIVE_STRING),
	REQDT("PurchaseDate", GOFIVE_DATE_DATE),	/* YYYY-MM-DD */
	{.name = "CustomerCode", .type = GOFIVE_STRING, .flags = GOFIVE_REQUIRED,
	 .required_unless = "CustomerName"},
	OPT("CustomerName", GOFIVE_STRING),
	OPT("CustomerType", GOFIVE_INTEGER),
	OPT("SaleOrderNo", GOFIVE_STRING),
	OPT("Note", GOFIVE_STRING),
	OPT("Latitude", GOFIVE_NUMBER),
	OPT("Longtitude", GOFIVE_NUMBER),	/* sic */
	END
};

static const GofiveField serial_fields[] = {
	REQ("runningNumber", GOFIVE_STRING),
	/* "required when status is not sent" (seed page) */
	{.name = "productCode", .type = GOFIVE_STRING, .flags = GOFIVE_REQUIRED,
	 .required_unless = "status"},
	OPTNULL("serialNumber", GOFIVE_STRING),	/* string | null */
	OPTNULL("status", GOFIVE_BOOLEAN),	/* null keeps the stored value */
	END
};

static const GofiveArg serial_args[] = {
	{"running_number", "text", GOFIVE_ARG_FIELD, "runningNumber", false, NULL},
	{"product_code", "text", GOFIVE_ARG_FIELD, "productCode", true, NULL},
	{"serial_number", "text", GOFIVE_ARG_FIELD, "serialNumber", true, NULL},
	{"status", "boolean", GOFIVE_ARG_FIELD, "status", true, NULL},
	ARGS_END
};

static const GofiveArg serial_status_args[] = {
	{"params", "jsonb", GOFIVE_ARG_QUERY_OBJECT, NULL, true, NULL}, ARGS_END
};

static const GofiveField stock_item_fields[] = {
	REQ("productCode", GOFIVE_STRING),
	REQ("qty", GOFIVE_INTEGER),
	END
};

static const GofiveArg product_code_args[] = {ARG_PATH("product_code", "text", "productCode"), ARGS_END};

/* ---- Quotation ---- */

static const GofiveField quotation_line_fields[] = {
	REQ("productCode", GOFIVE_STRING),
	REQ("qty", GOFIVE_NUMBER),
	OPT("productName", GOFIVE_STRING),
	OPTNULL("price", GOFIVE_NUMBER),
	OPT("productUnitName", GOFIVE_STRING),
	OPT("productDescription", GOFIVE_STRING),
	OPTNULL("discountType", GOFIVE_BOOLEAN),	/* true percent, false baht */
	OPTNULL("discountValue", GOFIVE_NUMBER),
	OPTNULL("vatTaxValue", GOFIVE_NUMBER),
	OPTNULL("whTaxValue", GOFIVE_NUMBER),
	END
};

static const GofiveField quotation_fields[] = {
	OPTNULL("quotationNo", GOFIVE_STRING),	/* null creates */
	REQ("quotationSubject", GOFIVE_STRING),
	REQ("quotationDate", GOFIVE_STRING),
	REQ("quotationValidUntil", GOFIVE_STRING),
	RANGE("quotationStatus", GOFIVE_REQUIRED, 1, 7),
	REQ("customerCode", GOFIVE_STRING),
	REQ("staffCode", GOFIVE_STRING),
	REQ("vatCalculation", GOFIVE_BOOLEAN),
	{.name = "quotationDetails", .type = GOFIVE_ARRAY, .flags = GOFIVE_REQUIRED, .item_type = GOFIVE_OBJECT,
	 .children = quotation_line_fields},
	OPTNULL("referenceNo", GOFIVE_STRING),
	OPTNULL("discountType", GOFIVE_BOOLEAN),
	OPTNULL("discountValue", GOFIVE_NUMBER),
	END_MORE					/* the fields from headerTemplateId on could not be read */
};

static const GofiveField quotation_enquiry_fields[] = {
	REQ("take", GOFIVE_INTEGER),
	OPTNULL("skip", GOFIVE_INTEGER),
	OPTNULL("quotationNo", GOFIVE_STRING),
	RANGE("quotationStatus", GOFIVE_NULLABLE, 1, 7),
	OPTNULL("staffCode", GOFIVE_STRING),
	OPTNULL("customerCode", GOFIVE_STRING),
	OPTNULL("quotationDate", GOFIVE_STRING),
	END
};

static const GofiveField convert_quotation_fields[] = {
	REQ("QuotationNo", GOFIVE_STRING),	/* PascalCase; repeats the path */
	END
};

static const GofiveArg quotation_no_args[] = {ARG_PATH("quotation_no", "text", "quotationNo"), ARGS_END};
static const GofiveArg convert_quotation_args[] = {
	{"quotation_no", "text", GOFIVE_ARG_PATH, "quotationNo", false, "QuotationNo"}, ARGS_END
};

/* ---- SalesOrder ---- */

static const GofiveField payment_item_fields[] = {
	REQ("InstallmentNumber", GOFIVE_INTEGER),
	ENUM("status", GOFIVE_REQUIRED, payment_status),
	END
};

static const GofiveField payment_fields[] = {
	{.name = "payments", .type = GOFIVE_ARRAY, .flags = GOFIVE_REQUIRED, .item_type = GOFIVE_OBJECT,
	 .children = payment_item_fields},
	END
};

static const GofiveField reject_fields[] = {
	REQARR("salesOrderIds", GOFIVE_INTEGER),
	REQ("reason", GOFIVE_STRING),
	END
};

static const GofiveArg sales_order_no_args[] = {ARG_PATH("sales_order_no", "text", "salesOrderNo"), ARGS_END};
static const GofiveArg payment_args[] = {ARG_PATH("sales_order_no", "text", "salesOrderNo"), ARG_BODY, ARGS_END};

/* ---- Chat ---- */

static const GofiveField chat_fields[] = {
	REQ("roomId", GOFIVE_STRING),
	REQ("content", GOFIVE_STRING),
	REQ("type", GOFIVE_STRING),
	REQ("platform", GOFIVE_STRING),
	REQ("companyId", GOFIVE_INTEGER),
	END
};

/* ---- The table ---- */

#define DOC(n) "https://developer.gofive.co.th/api-" n

const GofiveOperation gofive_operations[] = {
	/* Customer */
	{.name = "upsert_customer", .title = "Create or Update customer", .method = "POST",
	 .path = "/v3/customers", .body = GOFIVE_BODY_OBJECT, .fields = customer_fields,
	 .args = body_only_args, .envelope = GOFIVE_ENV_STATUS_DATA, .result = GOFIVE_RESULT_DATA,
	 .confirmed = "partial", .doc = DOC("3590385"),
	 .idempotent = GOFIVE_IDEMPOTENT_WITH_KEY, .idempotent_key = "customerCode"},
	{.name = "create_customer_satisfaction", .title = "Create Customer Satisfaction", .method = "POST",
	 .path = "/v3/customers/satisfaction", .body = GOFIVE_BODY_OBJECT, .fields = satisfaction_fields,
	 .args = body_only_args, .envelope = GOFIVE_ENV_STATUS_DATA, .result = GOFIVE_RESULT_DATA,
	 .confirmed = "yes", .doc = DOC("4823671")},
	{.name = "create_customer_event", .title = "Add Customer Event", .method = "POST",
	 .path = "/v1/customerEvent", .body = GOFIVE_BODY_OBJECT, .fields = customer_event_fields,
	 .args = body_only_args, .envelope = GOFIVE_ENV_STATUS_DATA, .result = GOFIVE_RESULT_DATA,
	 .confirmed = "yes", .doc = DOC("13676424")},
	{.name = "list_customer_events", .title = "Get Customer Events by Customer Code", .method = "GET",
	 .path = "/v1/customerEvent/filter", .body = GOFIVE_BODY_OBJECT, .fields = customer_event_filter_fields,
	 .args = customer_events_args, .envelope = GOFIVE_ENV_STATUS_DATA, .result = GOFIVE_RESULT_ROWS,
	 .confirmed = "yes", .doc = DOC("13677613")},
	{.name = "update_customer_event", .title = "Edit Customer Event", .method = "PUT",
	 .path = "/v1/customerEvent/{eventId}", .body = GOFIVE_BODY_OBJECT, .fields = customer_event_edit_fields,
	 .args = customer_event_edit_args, .envelope = GOFIVE_ENV_STATUS_DATA, .result = GOFIVE_RESULT_DATA,
	 .confirmed = "partial", .doc = DOC("13678073")},
	{.name = "list_customer_event_types", .title = "Get Customer Event Types", .method = "GET",
	 .path = "/v1/customerEvent/event-types", .body = GOFIVE_BODY_NONE,
	 .args = no_args, .envelope = GOFIVE_ENV_STATUS_DATA, .result = GOFIVE_RESULT_ROWS,
	 .confirmed = "yes", .doc = DOC("13679783")},
	/* Case */
	{.name = "create_case", .title = "Add Case", .method = "POST",
	 .path = "/v1/case", .body = GOFIVE_BODY_OBJECT, .fields = case_fields,
	 .args = body_only_args, .envelope = GOFIVE_ENV_STATUS_DATA, .result = GOFIVE_RESULT_DATA,
	 .confirmed = "yes", .doc = DOC("13759273")},
	{.name = "update_case", .title = "Edit Case by CaseNo", .method = "PUT",
	 .path = "/v1/case/{caseNo}", .body = GOFIVE_BODY_OBJECT, .fields = case_edit_fields,
	 .args = case_edit_args, .envelope = GOFIVE_ENV_STATUS_DATA, .result = GOFIVE_RESULT_DATA,
	 .confirmed = "yes", .doc = DOC("13759837")},
	/* Contract */
	{.name = "get_contract", .title = "Get Contract By No", .method = "GET",
	 .path = "/v1/contract/{no}", .body = GOFIVE_BODY_NONE,
	 .args = contract_no_args, .envelope = GOFIVE_ENV_STATUS_DATA, .result = GOFIVE_RESULT_RECORD,
	 .confirmed = "yes", .doc = DOC("18392899")},
	{.name = "upsert_contract", .title = "Create or Update Contract", .method = "POST",
	 .path = "/v1/contract", .body = GOFIVE_BODY_OBJECT, .fields = contract_fields,
	 .args = body_only_args, .envelope = GOFIVE_ENV_DATA_STATUSCODE, .result = GOFIVE_RESULT_DATA,
	 .confirmed = "yes", .doc = DOC("18402429"),
	 .idempotent = GOFIVE_IDEMPOTENT_WITH_KEY, .idempotent_key = "contractNo"},
	{.name = "upsert_contract_service", .title = "Create or Update Contract Service Agreement",
	 .method = "POST", .path = "/v1/contract/service-agreement", .body = GOFIVE_BODY_OBJECT,
	 .fields = service_agreement_fields, .args = body_only_args, .envelope = GOFIVE_ENV_STATUS_DATA,
	 .result = GOFIVE_RESULT_DATA, .confirmed = "yes", .doc = DOC("18402720"),
	 .idempotent = GOFIVE_IDEMPOTENT_WITH_KEY, .idempotent_key = "contractServiceId"},
	/* Deal */
	{.name = "create_deal", .title = "Create Deal", .method = "POST",
	 .path = "/v1/deals", .body = GOFIVE_BODY_OBJECT, .fields = deal_fields,
	 .args = body_only_args, .envelope = GOFIVE_ENV_DATA_VALUE, .result = GOFIVE_RESULT_DATA,
	 .confirmed = "yes", .doc = DOC("3608469")},
	{.name = "update_deal", .title = "Update Deal", .method = "PUT",
	 .path = "/v1/deals/{id}", .body = GOFIVE_BODY_OBJECT, .fields = deal_update_fields,
	 .args = deal_update_args, .envelope = GOFIVE_ENV_DATA_VALUE, .result = GOFIVE_RESULT_DATA,
	 .confirmed = "yes", .doc = DOC("3602937")},
	/* Expense */
	{.name = "create_expense", .title = "Create Expense", .method = "POST",
	 .path = "/v1/Expenses", .body = GOFIVE_BODY_OBJECT, .fields = expense_fields,
	 .args = body_only_args, .envelope = GOFIVE_ENV_STATUS_DATA, .result = GOFIVE_RESULT_DATA,
	 .confirmed = "partial", .doc = DOC("3606568")},
	{.name = "update_expense", .title = "Update Expense", .method = "PUT",
	 .path = "/v1/Expenses/{id}", .body = GOFIVE_BODY_OBJECT, .fields = expense_update_fields,
	 .args = expense_update_args, .envelope = GOFIVE_ENV_STATUS_DATA, .result = GOFIVE_RESULT_DATA,
	 .confirmed = "partial", .doc = DOC("3606489")},
	{.name = "enquire_expenses", .title = "Expense Enquiry", .method = "POST",
	 .path = "/v1/expenses/enquiry", .body = GOFIVE_BODY_OBJECT, .fields = expense_enquiry_fields,
	 .args = filter_args, .envelope = GOFIVE_ENV_STATUS_DATA, .result = GOFIVE_RESULT_ROWS,
	 .confirmed = "yes", .doc = DOC("3605021"),
	 .idempotent = GOFIVE_IDEMPOTENT},
	{.name = "get_expense", .title = "Get a Expense", .method = "GET",
	 .path = "/v1/expenses/{id}", .body = GOFIVE_BODY_NONE,
	 .args = expense_id_args, .envelope = GOFIVE_ENV_DATA_VALUE, .result = GOFIVE_RESULT_RECORD,
	 .confirmed = "partial", .doc = DOC("3605745")},
	/* Product */
	{.name = "upsert_products", .title = "Create Or Update Products", .method = "POST",
	 .path = "/v3/Products", .body = GOFIVE_BODY_OBJECT, .fields = products_body_fields,
	 .args = body_only_args, .envelope = GOFIVE_ENV_STATUS_DATA, .result = GOFIVE_RESULT_DATA,
	 .confirmed = "yes", .doc = DOC("3590384"),
	 .idempotent = GOFIVE_IDEMPOTENT_WITH_KEY, .idempotent_key = "products[].productCode"},
	{.name = "list_products", .title = "Get Products With Take & Status", .method = "POST",
	 .path = "/v2/Products/GetProduct", .body = GOFIVE_BODY_OBJECT, .fields = product_take_status_fields,
	 .args = filter_args, .envelope = GOFIVE_ENV_STATUS_DATA, .result = GOFIVE_RESULT_ROWS,
	 .confirmed = "yes", .doc = DOC("3597198"),
	 .idempotent = GOFIVE_IDEMPOTENT},
	{.name = "get_product", .title = "Get a Product by ProductCode", .method = "GET",
	 .path = "/v2/products/{productCode}", .body = GOFIVE_BODY_NONE,
	 .args = product_code_args, .envelope = GOFIVE_ENV_STATUS_DATA, .result = GOFIVE_RESULT_RECORD,
	 .confirmed = "yes", .doc = DOC("3597197")},
	{.name = "enquire_products", .title = "Get Products By Filter", .method = "POST",
	 .path = "/v1/products/getProduct", .body = GOFIVE_BODY_OBJECT, .fields = product_filter_fields,
	 .args = filter_args, .envelope = GOFIVE_ENV_STATUS_DATA, .result = GOFIVE_RESULT_ROWS,
	 .take_field = "take", .skip_field = "skip",
	 .confirmed = "yes", .doc = DOC("3607153"),
	 .idempotent = GOFIVE_IDEMPOTENT},
	{.name = "verify_serial", .title = "Verify Serial Number", .method = "POST",
	 .path = "/v3/products/serials/verification", .body = GOFIVE_BODY_OBJECT, .fields = verify_serial_fields,
	 .args = body_only_args, .envelope = GOFIVE_ENV_STATUS_DATA, .result = GOFIVE_RESULT_DATA,
	 .confirmed = "yes", .doc = DOC("4028746"),
	 .idempotent = GOFIVE_IDEMPOTENT},
	{.name = "get_serial_status", .title = "/v3/Products/serials/status", .method = "GET",
	 .path = "/v3/Products/serials/status", .body = GOFIVE_BODY_NONE,
	 .args = serial_status_args, .envelope = GOFIVE_ENV_STATUS_DATA, .result = GOFIVE_RESULT_DATA,
	 .confirmed = "partial", .doc = DOC("4028746")},
	{.name = "upsert_serial", .title = "Create or Update Codeguard Products", .method = "POST",
	 .path = "/v3/products/serials", .body = GOFIVE_BODY_OBJECT, .fields = serial_fields,
	 .args = serial_args, .envelope = GOFIVE_ENV_DATA_STATUSCODE, .result = GOFIVE_RESULT_DATA,
	 .confirmed = "yes",
	 /* seed 004: the page's own address is not known; it is under Product */
	 .doc = "https://developer.gofive.co.th", .unauthorized = "user not found",
	 .idempotent = GOFIVE_IDEMPOTENT},
	{.name = "update_product_stock", .title = "Update Product Stock", .method = "PUT",
	 .path = "/v1/products/stock", .body = GOFIVE_BODY_ARRAY, .fields = stock_item_fields,
	 .args = body_only_args, .envelope = GOFIVE_ENV_DATA_STATUSCODE, .result = GOFIVE_RESULT_DATA,
	 .item_status = true, .confirmed = "yes", .doc = DOC("9077337")},
	{.name = "list_product_units", .title = "/v1/products/units", .method = "GET",
	 .path = "/v1/products/units", .body = GOFIVE_BODY_NONE,
	 .args = no_args, .envelope = GOFIVE_ENV_STATUS_DATA, .result = GOFIVE_RESULT_ROWS,
	 .confirmed = "partial", .doc = DOC("4028746")},
	/* Quotation */
	{.name = "upsert_quotation", .title = "Create Update Quotation", .method = "POST",
	 .path = "/v2/quotation", .body = GOFIVE_BODY_OBJECT, .fields = quotation_fields,
	 .args = body_only_args, .envelope = GOFIVE_ENV_STATUS_DATA, .result = GOFIVE_RESULT_DATA,
	 .confirmed = "partial", .doc = DOC("3590355"),
	 .idempotent = GOFIVE_IDEMPOTENT_WITH_KEY, .idempotent_key = "quotationNo"},
	{.name = "convert_quotation", .title = "Convert Quotation To SalesOrder", .method = "POST",
	 .path = "/v1/quotation/{quotationNo}/convert-to-salesorder", .body = GOFIVE_BODY_OBJECT,
	 .fields = convert_quotation_fields, .args = convert_quotation_args,
	 .envelope = GOFIVE_ENV_STATUS_DATA, .result = GOFIVE_RESULT_DATA,
	 .confirmed = "yes", .doc = DOC("3590356"),
	 .idempotent = GOFIVE_NOT_IDEMPOTENT},
	{.name = "enquire_quotations", .title = "Quotation Enquiry", .method = "POST",
	 .path = "/v1/quotation/enquiry", .body = GOFIVE_BODY_OBJECT, .fields = quotation_enquiry_fields,
	 .args = filter_args, .envelope = GOFIVE_ENV_STATUS_DATA, .result = GOFIVE_RESULT_ROWS,
	 .take_field = "take", .skip_field = "skip",
	 .confirmed = "yes", .doc = DOC("3590357"),
	 .idempotent = GOFIVE_IDEMPOTENT},
	{.name = "get_quotation", .title = "Get a Quotation By QuotationNo", .method = "GET",
	 .path = "/v1/quotation/{quotationNo}", .body = GOFIVE_BODY_NONE,
	 .args = quotation_no_args, .envelope = GOFIVE_ENV_STATUS_DATA, .result = GOFIVE_RESULT_RECORD,
	 .confirmed = "yes", .doc = DOC("12091512")},
	/* SalesOrder */
	{.name = "get_sales_order", .title = "Get a SalesOrder By SalesOrderNo", .method = "GET",
	 .path = "/v2/salesorder/{salesOrderNo}", .body = GOFIVE_BODY_NONE,
	 .args = sales_order_no_args, .envelope = GOFIVE_ENV_STATUS_DATA, .result = GOFIVE_RESULT_RECORD,
	 .confirmed = "yes", .doc = DOC("3590382")},
	{.name = "update_sales_order_payment", .title = "Update SalesOrder Payment", .method = "PUT",
	 .path = "/v2/salesorder/{salesOrderNo}/payment", .body = GOFIVE_BODY_OBJECT, .fields = payment_fields,
	 .args = payment_args, .envelope = GOFIVE_ENV_STATUS_DATA, .result = GOFIVE_RESULT_DATA,
	 .confirmed = "yes", .doc = DOC("9848277")},
	{.name = "reject_sales_orders", .title = "Reject SaleOrder", .method = "DELETE",
	 .path = "/v1/salesorders/reject", .body = GOFIVE_BODY_OBJECT, .fields = reject_fields,
	 .args = body_only_args, .envelope = GOFIVE_ENV_DATA_STATUSCODE, .result = GOFIVE_RESULT_DATA,
	 .confirmed = "yes", .doc = DOC("3607019"),
	 .idempotent = GOFIVE_NOT_IDEMPOTENT},
	/* Chat */
	{.name = "send_chat_message", .title = "Post Send message", .method = "POST",
	 .path = "/v1/chat/message", .body = GOFIVE_BODY_OBJECT, .fields = chat_fields,
	 .args = body_only_args, .envelope = GOFIVE_ENV_STATUS_DATA, .result = GOFIVE_RESULT_DATA,
	 .confirmed = "yes", .doc = DOC("18351108")},
};

const int	gofive_operation_count = sizeof(gofive_operations) / sizeof(gofive_operations[0]);

/*
 * The operations by name, sorted on first use: the worker looks up each
 * request's operation several times, and a walk of the table compared up to
 * a hundred names each time.
 */
static const GofiveOperation *by_name[sizeof(gofive_operations) / sizeof(gofive_operations[0])];
static bool by_name_sorted = false;

static int
operation_name_cmp(const void *a, const void *b)
{
	return strcmp((*(const GofiveOperation *const *) a)->name,
				  (*(const GofiveOperation *const *) b)->name);
}

static int
name_operation_cmp(const void *key, const void *elem)
{
	return strcmp((const char *) key, (*(const GofiveOperation *const *) elem)->name);
}

const GofiveOperation *
gofive_find_operation(const char *name)
{
	const GofiveOperation *const *found;

	if (!by_name_sorted)
	{
		for (int i = 0; i < gofive_operation_count; i++)
			by_name[i] = &gofive_operations[i];
		qsort(by_name, gofive_operation_count, sizeof(by_name[0]), operation_name_cmp);
		by_name_sorted = true;
	}
	found = bsearch(name, by_name, gofive_operation_count, sizeof(by_name[0]), name_operation_cmp);
	return found ? *found : NULL;
}

const GofiveField *
gofive_find_field(const GofiveField *fields, const char *name)
{
	for (const GofiveField *f = fields; f && f->name; f++)
		if (strcmp(f->name, name) == 0)
			return f;
	return NULL;
}

/* The same for a name of len bytes, not NUL-terminated. */
const GofiveField *
gofive_find_field_n(const GofiveField *fields, const char *name, size_t len)
{
	for (const GofiveField *f = fields; f && f->name; f++)
		if (strlen(f->name) == len && memcmp(f->name, name, len) == 0)
			return f;
	return NULL;
}

/* Whether a list of fields is all the documentation shows (no GOFIVE_MORE_FIELDS). */
bool
gofive_fields_complete(const GofiveField *fields)
{
	const GofiveField *f = fields;

	while (f && f->name)
		f++;
	return f == NULL || !(f->flags & GOFIVE_MORE_FIELDS);
}

const char *
gofive_json_type_name(GofiveJsonType type)
{
	switch (type)
	{
		case GOFIVE_STRING:
			return "string";
		case GOFIVE_INTEGER:
			return "integer";
		case GOFIVE_NUMBER:
			return "number";
		case GOFIVE_BOOLEAN:
			return "boolean";
		case GOFIVE_ARRAY:
			return "array";
		case GOFIVE_OBJECT:
			return "object";
		case GOFIVE_ANY:
			break;
	}
	return "any";
}

static const char *const date_format_names[] = {
	[GOFIVE_DATE_NONE] = "none",
	[GOFIVE_DATE_OFFSET] = "offset",
	[GOFIVE_DATE_OFFSET_MS] = "offset_ms",
	[GOFIVE_DATE_LOCAL] = "local",
	[GOFIVE_DATE_SPACE] = "space",
	[GOFIVE_DATE_DATE] = "date",
	[GOFIVE_DATE_UTC] = "utc",
};

const char *
gofive_date_format_name(GofiveDateFormat format)
{
	return date_format_names[format];
}

/* The format of that name, or GOFIVE_DATE_NONE ("none" and unknown names). */
GofiveDateFormat
gofive_find_date_format(const char *name)
{
	for (int f = GOFIVE_DATE_OFFSET; f <= GOFIVE_DATE_UTC; f++)
		if (strcmp(date_format_names[f], name) == 0)
			return (GofiveDateFormat) f;
	return GOFIVE_DATE_NONE;
}

/*
 * Whether sending the operation twice does no harm, in words: "yes", "no",
 * or the key that makes an upsert idempotent.  The rule itself is applied to
 * a request's body by gofive_request_idempotent (worker_schedule.c).
 */
const char *
gofive_idempotence_text(const GofiveOperation *op)
{
	switch (op->idempotent)
	{
		case GOFIVE_IDEMPOTENT:
			return "yes";
		case GOFIVE_NOT_IDEMPOTENT:
			return "no";
		case GOFIVE_IDEMPOTENT_WITH_KEY:
			return op->idempotent_key;
		case GOFIVE_IDEMPOTENT_BY_METHOD:
			break;
	}
	return strcmp(op->method, "POST") == 0 ? "no" : "yes";
}

/*
 * catalog.c
 *		The table of Venio API operations (see catalog.h).
 *
 * Sources: the API's pages, as docs/api.md sums them up; the three seed
 * pages win where they disagree.  Adding an operation is adding one
 * entry here plus its tests.
 */
#include <string.h>

#include "catalog.h"

/* Shorthands that keep the table readable. */
#define REQ(n, t)		{ .name = (n), .type = (t), .flags = GF_REQUIRED }
#define OPT(n, t)		{ .name = (n), .type = (t) }
#define OPTNULL(n, t)	{ .name = (n), .type = (t), .flags = GF_NULLABLE }
#define REQARR(n, it)	{ .name = (n), .type = GF_ARRAY, .flags = GF_REQUIRED, .item_type = (it) }
#define OPTARR(n, it)	{ .name = (n), .type = GF_ARRAY, .item_type = (it) }
#define END				{ .name = NULL }
/* ends a list the documentation shows more fields for than it lists */
#define END_MORE		{ .name = NULL, .flags = GF_MORE_FIELDS }
/* a date/time string field, and how the API writes it (docs/api.md, Date formats) */
#define REQDT(n, f)		{ .name = (n), .type = GF_STRING, .flags = GF_REQUIRED, .date_format = (f) }
#define OPTDT(n, f)		{ .name = (n), .type = GF_STRING, .date_format = (f) }


/* ---- Enums and ranges (docs/api.md, Enums) ---- */

static const long contract_frequency[] = {260001, 260002, 260003, 260004, 260005, GF_ENUM_END};
static const long case_types[] = {1, 2, GF_ENUM_END};
static const long satisfaction_sources[] = {1, 2, GF_ENUM_END};
static const long expense_types[] = {1001, 1002, 1003, 1004, 1005, 1006, 1007, 1008, GF_ENUM_END};
static const long product_types[] = {1301, 1302, GF_ENUM_END};
static const long type_for[] = {1, 2, GF_ENUM_END};
static const long payment_status[] = {1, 2, GF_ENUM_END};
static const char *const warranty_units[] = {"y", "m", "d", NULL};

#define ENUM(n, fl, values)	{ .name = (n), .type = GF_INTEGER, .flags = (fl), .enum_values = (values) }
#define RANGE(n, fl, lo, hi) { .name = (n), .type = GF_INTEGER, .flags = (fl), .min_value = (lo), .max_value = (hi) }

/* ---- SQL arguments ---- */

#define ARG_BODY		{ "payload", "jsonb", GF_ARG_BODY, NULL, false, NULL }
#define ARG_FILTER		{ "filter", "jsonb", GF_ARG_BODY, NULL, true, NULL }
#define ARG_PATH(sql, type, wire) { sql, type, GF_ARG_PATH, wire, false, NULL }
#define ARGS_END		{ NULL, NULL, 0, NULL, false, NULL }

static const GfArg no_args[] = {ARGS_END};
static const GfArg body_only_args[] = {ARG_BODY, ARGS_END};
static const GfArg filter_args[] = {ARG_FILTER, ARGS_END};

/* ---- Customer ---- */

static const GfField customer_fields[] = {
	OPTNULL("customerCode", GF_STRING),	/* null creates, a code updates */
	REQ("customerName", GF_STRING),
	REQ("customerState", GF_INTEGER),
	OPTNULL("customerStatus", GF_INTEGER),
	OPTNULL("customerType", GF_INTEGER),	/* int|null: the page lists no values */
	OPTNULL("customerPicture", GF_STRING),
	OPTNULL("customer2ndName", GF_STRING),
	{.name = "customerAliases", .type = GF_ARRAY, .flags = GF_NULLABLE, .item_type = GF_STRING},
	OPTNULL("customerTaxNo", GF_STRING),
	OPTNULL("branchCode", GF_STRING),
	OPTNULL("customerPhone", GF_STRING),
	OPTNULL("customerMobile", GF_STRING),
	OPT("customerEmail", GF_STRING),
	OPTNULL("customerPosition", GF_STRING),
	OPTNULL("customerGender", GF_INTEGER),
	OPTNULL("customerMaritalStatus", GF_INTEGER),
	OPTNULL("customerBirthdate", GF_STRING),
	OPTNULL("customerIncome", GF_STRING),
	OPTNULL("creditLimit", GF_STRING),
	{.name = "addresses", .type = GF_ARRAY, .flags = GF_NULLABLE, .item_type = GF_OBJECT},
	END_MORE					/* the fields after addresses could not be read */
};

/* the page: CSAT points are 1-5, NPS points 1-10 */
static const GfRangeWhen satisfaction_points[] = {
	{"SourceType", 1, 1, 5},
	{"SourceType", 2, 1, 10},
	{NULL}
};

static const GfField satisfaction_fields[] = {
	REQ("SourceName", GF_STRING),
	ENUM("SourceType", GF_REQUIRED, satisfaction_sources),	/* 1 CSAT, 2 NPS */
	{.name = "Point", .type = GF_INTEGER, .flags = GF_REQUIRED, .min_value = 1, .max_value = 10,
	 .ranges_when = satisfaction_points},
	REQ("CustomerCode", GF_STRING),
	REQ("DateCreated", GF_STRING),
	OPT("AnswerBy", GF_STRING),
	OPT("Comment", GF_STRING),
	END
};

static const GfField customer_event_fields[] = {
	REQ("eventName", GF_STRING),
	REQ("eventType", GF_INTEGER),
	REQDT("eventDate", GF_DATE_LOCAL),	/* 2024-02-01T10:00:00 */
	REQ("customerCode", GF_STRING),
	OPT("description", GF_STRING),
	END
};

/* Edit Customer Event: the same fields; which are required is unreadable */
static const GfField customer_event_edit_fields[] = {
	OPT("eventName", GF_STRING),
	OPT("eventType", GF_INTEGER),
	OPTDT("eventDate", GF_DATE_LOCAL),
	OPT("customerCode", GF_STRING),
	OPT("description", GF_STRING),
	END
};

static const GfField customer_event_filter_fields[] = {
	OPT("dateFrom", GF_STRING),
	OPT("dateTo", GF_STRING),
	END
};

static const GfArg customer_event_edit_args[] = {
	ARG_PATH("event_id", "text", "eventId"), ARG_BODY, ARGS_END
};

static const GfArg customer_events_args[] = {
	{"customer_code", "text", GF_ARG_QUERY, "customerCode", false, NULL},
	{"event_type_ids", "integer", GF_ARG_QUERY, "eventTypeIds", true, NULL},
	ARG_FILTER,
	ARGS_END
};

/* ---- Case ---- */

static const GfField case_fields[] = {
	ENUM("caseType", GF_REQUIRED, case_types),
	REQ("subject", GF_STRING),
	REQ("categoryId", GF_INTEGER),
	REQDT("dateCase", GF_DATE_OFFSET_MS),	/* 2025-02-05T17:35:53.693+0700 */
	REQDT("dateDue", GF_DATE_OFFSET_MS),
	REQ("assignedToUserId", GF_STRING),
	OPT("customerCode", GF_STRING),
	OPTARR("activityNos", GF_STRING),
	OPTARR("dealNos", GF_STRING),
	OPT("note", GF_STRING),
	END
};

static const GfField case_edit_fields[] = {
	REQ("subject", GF_STRING),
	REQ("categoryId", GF_INTEGER),
	REQDT("dateCase", GF_DATE_OFFSET_MS),	/* 2025-02-05T17:35:53.693+0700 */
	REQDT("dateDue", GF_DATE_OFFSET_MS),
	REQ("assignedToUserId", GF_STRING),
	OPT("customerNo", GF_STRING),
	OPT("customerCode", GF_STRING),	/* the page's example sends this */
	OPTARR("activityNos", GF_STRING),
	OPTARR("dealNos", GF_STRING),
	OPT("note", GF_STRING),
	END
};

static const GfArg case_edit_args[] = {ARG_PATH("case_no", "text", "caseNo"), ARG_BODY, ARGS_END};

/* ---- Contract ---- */

static const GfField contract_service_fields[] = {
	ENUM("frequency", GF_REQUIRED, contract_frequency),
	REQ("subject", GF_STRING),
	REQ("numberOfTimes", GF_INTEGER),
	OPTNULL("agreementNote", GF_STRING),
	END
};

static const GfField contract_fields[] = {
	OPTNULL("contractNo", GF_STRING),	/* null creates, a number updates */
	REQ("contractName", GF_STRING),
	REQ("contractType", GF_STRING),
	OPTNULL("contractValue", GF_INTEGER),
	REQ("customerCode", GF_STRING),
	REQDT("dateStart", GF_DATE_SPACE),	/* 2025-06-18 00:00:00 */
	REQDT("dateEnd", GF_DATE_SPACE),
	OPTNULL("description", GF_STRING),
	REQ("owner", GF_STRING),
	{.name = "contractService", .type = GF_OBJECT, .flags = GF_NULLABLE,
	 .children = contract_service_fields},
	END
};

static const GfField service_agreement_fields[] = {
	REQ("contractNo", GF_STRING),
	ENUM("frequency", GF_REQUIRED, contract_frequency),
	REQ("subject", GF_STRING),
	REQ("numberOfTimes", GF_INTEGER),
	OPTNULL("contractServiceId", GF_INTEGER),	/* null creates */
	OPTNULL("agreementNote", GF_STRING),
	END
};

static const GfArg contract_no_args[] = {ARG_PATH("contract_no", "text", "no"), ARGS_END};

/* ---- Deal ---- */

#define DEAL_COMMON_FIELDS \
	REQ("dealName", GF_STRING), \
	REQ("probability", GF_INTEGER), \
	REQ("dealValue", GF_INTEGER), \
	REQDT("expectedCloseDate", GF_DATE_OFFSET), \
	REQ("assignTo", GF_STRING), \
	OPTDT("dealDate", GF_DATE_OFFSET), \
	OPT("dealQuantity", GF_INTEGER), \
	OPT("dealQuantityUnit", GF_STRING), \
	OPTARR("dealInterests", GF_INTEGER), \
	OPTARR("dealLabels", GF_INTEGER), \
	OPT("note", GF_STRING), \
	OPTARR("participantCodes", GF_STRING), \
	/* the schema says yyyy-MM-ddTHH:mm:ss, the example sends an offset */ \
	{.name = "dateFollowUp", .type = GF_STRING, .date_format = GF_DATE_LOCAL, \
	 .date_also = GF_DATE_OFFSET}, \
	OPT("followUpNotes", GF_STRING), \
	OPT("remark", GF_STRING), \
	OPT("dealStageId", GF_INTEGER), \
	OPT("reasonCategoryId", GF_INTEGER), \
	OPT("markAllTaskAsDone", GF_BOOLEAN), \
	OPT("cancleAllOrder", GF_BOOLEAN)	/* sic: spelt so on the wire */

static const GfField deal_fields[] = {
	REQARR("customerCodes", GF_STRING),
	REQ("boardId", GF_INTEGER),
	DEAL_COMMON_FIELDS,
	END
};

static const GfField deal_update_fields[] = {DEAL_COMMON_FIELDS, END};

static const GfArg deal_update_args[] = {ARG_PATH("deal_id", "bigint", "id"), ARG_BODY, ARGS_END};

/* ---- Expense ---- */

static const long expense_types_create[] = {0, 1001, 1002, 1003, 1004, 1005, 1006, 1007, 1008, GF_ENUM_END};

#define EXPENSE_DETAIL_FIELDS \
	REQ("amount", GF_NUMBER), \
	OPTNULL("expenseDetailId", GF_INTEGER), \
	OPTNULL("night", GF_INTEGER),	/* accommodation */ \
	OPTNULL("milesStart", GF_INTEGER),	/* fuel, below milesEnd */ \
	OPTNULL("milesEnd", GF_INTEGER), \
	OPTNULL("trainingTitle", GF_STRING),	/* training */ \
	OPTNULL("hours", GF_INTEGER), \
	OPTNULL("minutes", GF_INTEGER)

/* expenseTypeId 0 (none) is allowed when creating only */
static const GfField expense_detail_create_fields[] = {
	ENUM("expenseTypeId", GF_REQUIRED, expense_types_create),
	EXPENSE_DETAIL_FIELDS,
	END_MORE					/* 16 fields; the others could not be read */
};

static const GfField expense_detail_fields[] = {
	ENUM("expenseTypeId", GF_REQUIRED, expense_types),
	EXPENSE_DETAIL_FIELDS,
	END_MORE					/* 15 fields; the others could not be read */
};

#define EXPENSE_HEADER_FIELDS \
	OPTNULL("activityId", GF_STRING), \
	OPTNULL("dateTransaction", GF_STRING), \
	OPTNULL("remark", GF_STRING), \
	{.name = "attachments", .type = GF_ARRAY, .flags = GF_NULLABLE, .item_type = GF_OBJECT}

static const GfField expense_fields[] = {
	{.name = "ExpenseDetails", .type = GF_ARRAY, .flags = GF_REQUIRED, .item_type = GF_OBJECT,
	 .children = expense_detail_create_fields},
	OPT("subject", GF_STRING),
	EXPENSE_HEADER_FIELDS,
	END_MORE					/* Create Expense's top level could not be read */
};

static const GfField expense_update_fields[] = {
	{.name = "ExpenseDetails", .type = GF_ARRAY, .flags = GF_REQUIRED, .item_type = GF_OBJECT,
	 .children = expense_detail_fields},
	REQ("subject", GF_STRING),
	EXPENSE_HEADER_FIELDS,
	END_MORE					/* partly readable */
};

static const GfField expense_enquiry_fields[] = {
	ENUM("expenseTypeId", GF_REQUIRED, expense_types),
	{.name = "statusIds", .type = GF_ARRAY, .flags = GF_NULLABLE, .item_type = GF_STRING},
	{.name = "staffCodes", .type = GF_ARRAY, .flags = GF_NULLABLE, .item_type = GF_STRING},
	OPTNULL("searchText", GF_STRING),
	OPTNULL("dateStart", GF_STRING),
	OPTNULL("dateEnd", GF_STRING),
	END
};

static const GfArg expense_id_args[] = {ARG_PATH("expense_id", "text", "id"), ARGS_END};
static const GfArg expense_update_args[] = {ARG_PATH("expense_id", "text", "id"), ARG_BODY, ARGS_END};

/* ---- Product ---- */

static const GfField price_fields[] = {
	REQ("priceTierName", GF_STRING),
	REQ("regularPrice", GF_NUMBER),
	OPTNULL("salePrice", GF_NUMBER),
	OPTNULL("vatValue", GF_NUMBER),
	OPTNULL("useDefaultVat", GF_BOOLEAN),
	END
};

static const GfField attribute_fields[] = {
	REQ("attributeName", GF_STRING),
	REQ("attributeValueName", GF_STRING),
	END
};

static const GfField variant_fields[] = {
	REQ("productCode", GF_STRING),
	REQ("productName", GF_STRING),
	REQ("active", GF_BOOLEAN),
	{.name = "prices", .type = GF_ARRAY, .flags = GF_REQUIRED, .item_type = GF_OBJECT,
	 .children = price_fields},
	{.name = "attribute", .type = GF_ARRAY, .flags = GF_REQUIRED, .item_type = GF_OBJECT,
	 .children = attribute_fields},
	OPT("productBarcode", GF_STRING),
	OPT("productDescription", GF_STRING),
	OPT("cost", GF_NUMBER),
	OPTARR("productImage", GF_STRING),
	OPT("qty", GF_INTEGER),
	OPT("lowStockAlert", GF_INTEGER),
	END
};

/*
 * "productCode (required when there is no SKU)": a product's SKUs are its
 * productVariant items, each with a productCode of its own.
 */
static const GfField product_fields[] = {
	{.name = "productCode", .type = GF_STRING, .flags = GF_REQUIRED,
	 .required_unless = "productVariant"},
	REQ("productName", GF_STRING),
	REQ("category", GF_STRING),
	REQ("cost", GF_NUMBER),
	{.name = "prices", .type = GF_ARRAY, .flags = GF_REQUIRED, .item_type = GF_OBJECT,
	 .children = price_fields},
	REQ("productUnitName", GF_STRING),
	REQ("trackInventory", GF_BOOLEAN),
	REQ("useWarranty", GF_BOOLEAN),
	REQ("visibility", GF_BOOLEAN),
	REQ("active", GF_BOOLEAN),
	OPT("productBarcode", GF_STRING),
	OPT("productDescription", GF_STRING),
	OPT("subCategory", GF_STRING),
	OPT("sub_SubCategory", GF_STRING),
	OPT("productWeight", GF_NUMBER),
	OPT("productWeightUnit", GF_STRING),
	OPTARR("productTag", GF_STRING),
	OPTARR("productImage", GF_STRING),
	OPT("qty", GF_INTEGER),
	OPT("lowStockAlert", GF_INTEGER),
	OPT("timeWarrantyValue", GF_INTEGER),
	{.name = "timeWarrantyUnit", .type = GF_STRING, .enum_text = warranty_units},
	OPT("warrantyNote", GF_STRING),
	OPT("brandName", GF_STRING),
	{.name = "productVariant", .type = GF_ARRAY, .item_type = GF_OBJECT, .children = variant_fields},
	END
};

static const GfField products_body_fields[] = {
	{.name = "products", .type = GF_ARRAY, .flags = GF_REQUIRED, .item_type = GF_OBJECT,
	 .children = product_fields},
	END
};

static const GfField product_take_status_fields[] = {
	REQ("take", GF_INTEGER),
	REQARR("status", GF_INTEGER),	/* 0 inactive, 1 active */
	END
};

static const GfField product_filter_fields[] = {
	ENUM("productType", GF_REQUIRED, product_types),
	REQARR("status", GF_INTEGER),
	REQ("take", GF_INTEGER),
	OPTNULL("productFor", GF_STRING),
	ENUM("typeFor", GF_NULLABLE, type_for),
	{.name = "productGroupIds", .type = GF_ARRAY, .flags = GF_NULLABLE, .item_type = GF_INTEGER},
	OPT("skip", GF_INTEGER),
	OPTNULL("smartSearch", GF_STRING),
	OPTNULL("orderBy", GF_STRING),
	END
};

static const GfField verify_serial_fields[] = {
	REQ("SerialNumber", GF_STRING),
	REQDT("PurchaseDate", GF_DATE_DATE),	/* YYYY-MM-DD */
	{.name = "CustomerCode", .type = GF_STRING, .flags = GF_REQUIRED,
	 .required_unless = "CustomerName"},
	OPT("CustomerName", GF_STRING),
	OPT("CustomerType", GF_INTEGER),
	OPT("SaleOrderNo", GF_STRING),
	OPT("Note", GF_STRING),
	OPT("Latitude", GF_NUMBER),
	OPT("Longtitude", GF_NUMBER),	/* sic */
	END
};

static const GfField serial_fields[] = {
	REQ("runningNumber", GF_STRING),
	/* "required when status is not sent" (seed page) */
	{.name = "productCode", .type = GF_STRING, .flags = GF_REQUIRED,
	 .required_unless = "status"},
	OPTNULL("serialNumber", GF_STRING),	/* string | null */
	OPTNULL("status", GF_BOOLEAN),	/* null keeps the stored value */
	END
};

static const GfArg serial_args[] = {
	{"running_number", "text", GF_ARG_FIELD, "runningNumber", false, NULL},
	{"product_code", "text", GF_ARG_FIELD, "productCode", true, NULL},
	{"serial_number", "text", GF_ARG_FIELD, "serialNumber", true, NULL},
	{"status", "boolean", GF_ARG_FIELD, "status", true, NULL},
	ARGS_END
};

static const GfArg serial_status_args[] = {
	{"params", "jsonb", GF_ARG_QUERY_OBJECT, NULL, true, NULL}, ARGS_END
};

static const GfField stock_item_fields[] = {
	REQ("productCode", GF_STRING),
	REQ("qty", GF_INTEGER),
	END
};

static const GfArg product_code_args[] = {ARG_PATH("product_code", "text", "productCode"), ARGS_END};

/* ---- Quotation ---- */

static const GfField quotation_line_fields[] = {
	REQ("productCode", GF_STRING),
	REQ("qty", GF_NUMBER),
	OPT("productName", GF_STRING),
	OPTNULL("price", GF_NUMBER),
	OPT("productUnitName", GF_STRING),
	OPT("productDescription", GF_STRING),
	OPTNULL("discountType", GF_BOOLEAN),	/* true percent, false baht */
	OPTNULL("discountValue", GF_NUMBER),
	OPTNULL("vatTaxValue", GF_NUMBER),
	OPTNULL("whTaxValue", GF_NUMBER),
	END
};

static const GfField quotation_fields[] = {
	OPTNULL("quotationNo", GF_STRING),	/* null creates */
	REQ("quotationSubject", GF_STRING),
	REQ("quotationDate", GF_STRING),
	REQ("quotationValidUntil", GF_STRING),
	RANGE("quotationStatus", GF_REQUIRED, 1, 7),
	REQ("customerCode", GF_STRING),
	REQ("staffCode", GF_STRING),
	REQ("vatCalculation", GF_BOOLEAN),
	{.name = "quotationDetails", .type = GF_ARRAY, .flags = GF_REQUIRED, .item_type = GF_OBJECT,
	 .children = quotation_line_fields},
	OPTNULL("referenceNo", GF_STRING),
	OPTNULL("discountType", GF_BOOLEAN),
	OPTNULL("discountValue", GF_NUMBER),
	END_MORE					/* the fields from headerTemplateId on could not be read */
};

static const GfField quotation_enquiry_fields[] = {
	REQ("take", GF_INTEGER),
	OPTNULL("skip", GF_INTEGER),
	OPTNULL("quotationNo", GF_STRING),
	RANGE("quotationStatus", GF_NULLABLE, 1, 7),
	OPTNULL("staffCode", GF_STRING),
	OPTNULL("customerCode", GF_STRING),
	OPTNULL("quotationDate", GF_STRING),
	END
};

static const GfField convert_quotation_fields[] = {
	REQ("QuotationNo", GF_STRING),	/* PascalCase; repeats the path */
	END
};

static const GfArg quotation_no_args[] = {ARG_PATH("quotation_no", "text", "quotationNo"), ARGS_END};
static const GfArg convert_quotation_args[] = {
	{"quotation_no", "text", GF_ARG_PATH, "quotationNo", false, "QuotationNo"}, ARGS_END
};

/* ---- SalesOrder ---- */

static const GfField payment_item_fields[] = {
	REQ("InstallmentNumber", GF_INTEGER),
	ENUM("status", GF_REQUIRED, payment_status),
	END
};

static const GfField payment_fields[] = {
	{.name = "payments", .type = GF_ARRAY, .flags = GF_REQUIRED, .item_type = GF_OBJECT,
	 .children = payment_item_fields},
	END
};

static const GfField reject_fields[] = {
	REQARR("salesOrderIds", GF_INTEGER),
	REQ("reason", GF_STRING),
	END
};

static const GfArg sales_order_no_args[] = {ARG_PATH("sales_order_no", "text", "salesOrderNo"), ARGS_END};
static const GfArg payment_args[] = {ARG_PATH("sales_order_no", "text", "salesOrderNo"), ARG_BODY, ARGS_END};

/* ---- Chat ---- */

static const GfField chat_fields[] = {
	REQ("roomId", GF_STRING),
	REQ("content", GF_STRING),
	REQ("type", GF_STRING),
	REQ("platform", GF_STRING),
	REQ("companyId", GF_INTEGER),
	END
};

/* ---- The table ---- */

#define DOC(n) "https://developer.gofive.co.th/api-" n

const GfOperation gofive_operations[] = {
	/* Customer */
	{.name = "upsert_customer", .title = "Create or Update customer", .method = "POST",
	 .path = "/v3/customers", .body = GF_BODY_OBJECT, .fields = customer_fields,
	 .args = body_only_args, .envelope = GF_ENV_STATUS_DATA, .result = GF_RESULT_DATA,
	 .confirmed = "partial", .doc = DOC("3590385"),
	 .idempotent = GF_IDEMPOTENT_WITH_KEY, .idempotent_key = "customerCode"},
	{.name = "create_customer_satisfaction", .title = "Create Customer Satisfaction", .method = "POST",
	 .path = "/v3/customers/satisfaction", .body = GF_BODY_OBJECT, .fields = satisfaction_fields,
	 .args = body_only_args, .envelope = GF_ENV_STATUS_DATA, .result = GF_RESULT_DATA,
	 .confirmed = "yes", .doc = DOC("4823671")},
	{.name = "create_customer_event", .title = "Add Customer Event", .method = "POST",
	 .path = "/v1/customerEvent", .body = GF_BODY_OBJECT, .fields = customer_event_fields,
	 .args = body_only_args, .envelope = GF_ENV_STATUS_DATA, .result = GF_RESULT_DATA,
	 .confirmed = "yes", .doc = DOC("13676424")},
	{.name = "list_customer_events", .title = "Get Customer Events by Customer Code", .method = "GET",
	 .path = "/v1/customerEvent/filter", .body = GF_BODY_OBJECT, .fields = customer_event_filter_fields,
	 .args = customer_events_args, .envelope = GF_ENV_STATUS_DATA, .result = GF_RESULT_ROWS,
	 .confirmed = "yes", .doc = DOC("13677613")},
	{.name = "update_customer_event", .title = "Edit Customer Event", .method = "PUT",
	 .path = "/v1/customerEvent/{eventId}", .body = GF_BODY_OBJECT, .fields = customer_event_edit_fields,
	 .args = customer_event_edit_args, .envelope = GF_ENV_STATUS_DATA, .result = GF_RESULT_DATA,
	 .confirmed = "partial", .doc = DOC("13678073")},
	{.name = "list_customer_event_types", .title = "Get Customer Event Types", .method = "GET",
	 .path = "/v1/customerEvent/event-types", .body = GF_BODY_NONE,
	 .args = no_args, .envelope = GF_ENV_STATUS_DATA, .result = GF_RESULT_ROWS,
	 .confirmed = "yes", .doc = DOC("13679783")},
	/* Case */
	{.name = "create_case", .title = "Add Case", .method = "POST",
	 .path = "/v1/case", .body = GF_BODY_OBJECT, .fields = case_fields,
	 .args = body_only_args, .envelope = GF_ENV_STATUS_DATA, .result = GF_RESULT_DATA,
	 .confirmed = "yes", .doc = DOC("13759273")},
	{.name = "update_case", .title = "Edit Case by CaseNo", .method = "PUT",
	 .path = "/v1/case/{caseNo}", .body = GF_BODY_OBJECT, .fields = case_edit_fields,
	 .args = case_edit_args, .envelope = GF_ENV_STATUS_DATA, .result = GF_RESULT_DATA,
	 .confirmed = "yes", .doc = DOC("13759837")},
	/* Contract */
	{.name = "get_contract", .title = "Get Contract By No", .method = "GET",
	 .path = "/v1/contract/{no}", .body = GF_BODY_NONE,
	 .args = contract_no_args, .envelope = GF_ENV_STATUS_DATA, .result = GF_RESULT_RECORD,
	 .confirmed = "yes", .doc = DOC("18392899")},
	{.name = "upsert_contract", .title = "Create or Update Contract", .method = "POST",
	 .path = "/v1/contract", .body = GF_BODY_OBJECT, .fields = contract_fields,
	 .args = body_only_args, .envelope = GF_ENV_DATA_STATUSCODE, .result = GF_RESULT_DATA,
	 .confirmed = "yes", .doc = DOC("18402429"),
	 .idempotent = GF_IDEMPOTENT_WITH_KEY, .idempotent_key = "contractNo"},
	{.name = "upsert_contract_service", .title = "Create or Update Contract Service Agreement",
	 .method = "POST", .path = "/v1/contract/service-agreement", .body = GF_BODY_OBJECT,
	 .fields = service_agreement_fields, .args = body_only_args, .envelope = GF_ENV_STATUS_DATA,
	 .result = GF_RESULT_DATA, .confirmed = "yes", .doc = DOC("18402720"),
	 .idempotent = GF_IDEMPOTENT_WITH_KEY, .idempotent_key = "contractServiceId"},
	/* Deal */
	{.name = "create_deal", .title = "Create Deal", .method = "POST",
	 .path = "/v1/deals", .body = GF_BODY_OBJECT, .fields = deal_fields,
	 .args = body_only_args, .envelope = GF_ENV_DATA_VALUE, .result = GF_RESULT_DATA,
	 .confirmed = "yes", .doc = DOC("3608469")},
	{.name = "update_deal", .title = "Update Deal", .method = "PUT",
	 .path = "/v1/deals/{id}", .body = GF_BODY_OBJECT, .fields = deal_update_fields,
	 .args = deal_update_args, .envelope = GF_ENV_DATA_VALUE, .result = GF_RESULT_DATA,
	 .confirmed = "yes", .doc = DOC("3602937")},
	/* Expense */
	{.name = "create_expense", .title = "Create Expense", .method = "POST",
	 .path = "/v1/Expenses", .body = GF_BODY_OBJECT, .fields = expense_fields,
	 .args = body_only_args, .envelope = GF_ENV_STATUS_DATA, .result = GF_RESULT_DATA,
	 .confirmed = "partial", .doc = DOC("3606568")},
	{.name = "update_expense", .title = "Update Expense", .method = "PUT",
	 .path = "/v1/Expenses/{id}", .body = GF_BODY_OBJECT, .fields = expense_update_fields,
	 .args = expense_update_args, .envelope = GF_ENV_STATUS_DATA, .result = GF_RESULT_DATA,
	 .confirmed = "partial", .doc = DOC("3606489")},
	{.name = "enquire_expenses", .title = "Expense Enquiry", .method = "POST",
	 .path = "/v1/expenses/enquiry", .body = GF_BODY_OBJECT, .fields = expense_enquiry_fields,
	 .args = filter_args, .envelope = GF_ENV_STATUS_DATA, .result = GF_RESULT_ROWS,
	 .confirmed = "yes", .doc = DOC("3605021"),
	 .idempotent = GF_IDEMPOTENT},
	{.name = "get_expense", .title = "Get a Expense", .method = "GET",
	 .path = "/v1/expenses/{id}", .body = GF_BODY_NONE,
	 .args = expense_id_args, .envelope = GF_ENV_DATA_VALUE, .result = GF_RESULT_RECORD,
	 .confirmed = "partial", .doc = DOC("3605745")},
	/* Product */
	{.name = "upsert_products", .title = "Create Or Update Products", .method = "POST",
	 .path = "/v3/Products", .body = GF_BODY_OBJECT, .fields = products_body_fields,
	 .args = body_only_args, .envelope = GF_ENV_STATUS_DATA, .result = GF_RESULT_DATA,
	 .confirmed = "yes", .doc = DOC("3590384"),
	 .idempotent = GF_IDEMPOTENT_WITH_KEY, .idempotent_key = "products[].productCode"},
	{.name = "list_products", .title = "Get Products With Take & Status", .method = "POST",
	 .path = "/v2/Products/GetProduct", .body = GF_BODY_OBJECT, .fields = product_take_status_fields,
	 .args = filter_args, .envelope = GF_ENV_STATUS_DATA, .result = GF_RESULT_ROWS,
	 .confirmed = "yes", .doc = DOC("3597198"),
	 .idempotent = GF_IDEMPOTENT},
	{.name = "get_product", .title = "Get a Product by ProductCode", .method = "GET",
	 .path = "/v2/products/{productCode}", .body = GF_BODY_NONE,
	 .args = product_code_args, .envelope = GF_ENV_STATUS_DATA, .result = GF_RESULT_RECORD,
	 .confirmed = "yes", .doc = DOC("3597197")},
	{.name = "enquire_products", .title = "Get Products By Filter", .method = "POST",
	 .path = "/v1/products/getProduct", .body = GF_BODY_OBJECT, .fields = product_filter_fields,
	 .args = filter_args, .envelope = GF_ENV_STATUS_DATA, .result = GF_RESULT_ROWS,
	 .take_field = "take", .skip_field = "skip",
	 .confirmed = "yes", .doc = DOC("3607153"),
	 .idempotent = GF_IDEMPOTENT},
	{.name = "verify_serial", .title = "Verify Serial Number", .method = "POST",
	 .path = "/v3/products/serials/verification", .body = GF_BODY_OBJECT, .fields = verify_serial_fields,
	 .args = body_only_args, .envelope = GF_ENV_STATUS_DATA, .result = GF_RESULT_DATA,
	 .confirmed = "yes", .doc = DOC("4028746"),
	 .idempotent = GF_IDEMPOTENT},
	{.name = "get_serial_status", .title = "/v3/Products/serials/status", .method = "GET",
	 .path = "/v3/Products/serials/status", .body = GF_BODY_NONE,
	 .args = serial_status_args, .envelope = GF_ENV_STATUS_DATA, .result = GF_RESULT_DATA,
	 .confirmed = "partial", .doc = DOC("4028746")},
	{.name = "upsert_serial", .title = "Create or Update Codeguard Products", .method = "POST",
	 .path = "/v3/products/serials", .body = GF_BODY_OBJECT, .fields = serial_fields,
	 .args = serial_args, .envelope = GF_ENV_DATA_STATUSCODE, .result = GF_RESULT_DATA,
	 .confirmed = "yes",
	 /* seed 004: the page's own address is not known; it is under Product */
	 .doc = "https://developer.gofive.co.th", .unauthorized = "user not found",
	 .idempotent = GF_IDEMPOTENT},
	{.name = "update_product_stock", .title = "Update Product Stock", .method = "PUT",
	 .path = "/v1/products/stock", .body = GF_BODY_ARRAY, .fields = stock_item_fields,
	 .args = body_only_args, .envelope = GF_ENV_DATA_STATUSCODE, .result = GF_RESULT_DATA,
	 .item_status = true, .confirmed = "yes", .doc = DOC("9077337")},
	{.name = "list_product_units", .title = "/v1/products/units", .method = "GET",
	 .path = "/v1/products/units", .body = GF_BODY_NONE,
	 .args = no_args, .envelope = GF_ENV_STATUS_DATA, .result = GF_RESULT_ROWS,
	 .confirmed = "partial", .doc = DOC("4028746")},
	/* Quotation */
	{.name = "upsert_quotation", .title = "Create Update Quotation", .method = "POST",
	 .path = "/v2/quotation", .body = GF_BODY_OBJECT, .fields = quotation_fields,
	 .args = body_only_args, .envelope = GF_ENV_STATUS_DATA, .result = GF_RESULT_DATA,
	 .confirmed = "partial", .doc = DOC("3590355"),
	 .idempotent = GF_IDEMPOTENT_WITH_KEY, .idempotent_key = "quotationNo"},
	{.name = "convert_quotation", .title = "Convert Quotation To SalesOrder", .method = "POST",
	 .path = "/v1/quotation/{quotationNo}/convert-to-salesorder", .body = GF_BODY_OBJECT,
	 .fields = convert_quotation_fields, .args = convert_quotation_args,
	 .envelope = GF_ENV_STATUS_DATA, .result = GF_RESULT_DATA,
	 .confirmed = "yes", .doc = DOC("3590356"),
	 .idempotent = GF_NOT_IDEMPOTENT},
	{.name = "enquire_quotations", .title = "Quotation Enquiry", .method = "POST",
	 .path = "/v1/quotation/enquiry", .body = GF_BODY_OBJECT, .fields = quotation_enquiry_fields,
	 .args = filter_args, .envelope = GF_ENV_STATUS_DATA, .result = GF_RESULT_ROWS,
	 .take_field = "take", .skip_field = "skip",
	 .confirmed = "yes", .doc = DOC("3590357"),
	 .idempotent = GF_IDEMPOTENT},
	{.name = "get_quotation", .title = "Get a Quotation By QuotationNo", .method = "GET",
	 .path = "/v1/quotation/{quotationNo}", .body = GF_BODY_NONE,
	 .args = quotation_no_args, .envelope = GF_ENV_STATUS_DATA, .result = GF_RESULT_RECORD,
	 .confirmed = "yes", .doc = DOC("12091512")},
	/* SalesOrder */
	{.name = "get_sales_order", .title = "Get a SalesOrder By SalesOrderNo", .method = "GET",
	 .path = "/v2/salesorder/{salesOrderNo}", .body = GF_BODY_NONE,
	 .args = sales_order_no_args, .envelope = GF_ENV_STATUS_DATA, .result = GF_RESULT_RECORD,
	 .confirmed = "yes", .doc = DOC("3590382")},
	{.name = "update_sales_order_payment", .title = "Update SalesOrder Payment", .method = "PUT",
	 .path = "/v2/salesorder/{salesOrderNo}/payment", .body = GF_BODY_OBJECT, .fields = payment_fields,
	 .args = payment_args, .envelope = GF_ENV_STATUS_DATA, .result = GF_RESULT_DATA,
	 .confirmed = "yes", .doc = DOC("9848277")},
	{.name = "reject_sales_orders", .title = "Reject SaleOrder", .method = "DELETE",
	 .path = "/v1/salesorders/reject", .body = GF_BODY_OBJECT, .fields = reject_fields,
	 .args = body_only_args, .envelope = GF_ENV_DATA_STATUSCODE, .result = GF_RESULT_DATA,
	 .confirmed = "yes", .doc = DOC("3607019"),
	 .idempotent = GF_NOT_IDEMPOTENT},
	/* Chat */
	{.name = "send_chat_message", .title = "Post Send message", .method = "POST",
	 .path = "/v1/chat/message", .body = GF_BODY_OBJECT, .fields = chat_fields,
	 .args = body_only_args, .envelope = GF_ENV_STATUS_DATA, .result = GF_RESULT_DATA,
	 .confirmed = "yes", .doc = DOC("18351108")},
};

const int	gofive_operation_count = sizeof(gofive_operations) / sizeof(gofive_operations[0]);

const GfOperation *
gofive_find_operation(const char *name)
{
	for (int i = 0; i < gofive_operation_count; i++)
		if (strcmp(gofive_operations[i].name, name) == 0)
			return &gofive_operations[i];
	return NULL;
}

const GfField *
gofive_find_field(const GfField *fields, const char *name)
{
	for (const GfField *f = fields; f && f->name; f++)
		if (strcmp(f->name, name) == 0)
			return f;
	return NULL;
}

/* The same for a name of len bytes, not NUL-terminated. */
const GfField *
gofive_find_field_n(const GfField *fields, const char *name, size_t len)
{
	for (const GfField *f = fields; f && f->name; f++)
		if (strlen(f->name) == len && memcmp(f->name, name, len) == 0)
			return f;
	return NULL;
}

/* Whether a list of fields is all the documentation shows (no GF_MORE_FIELDS). */
bool
gofive_fields_complete(const GfField *fields)
{
	const GfField *f = fields;

	while (f && f->name)
		f++;
	return f == NULL || !(f->flags & GF_MORE_FIELDS);
}

const char *
gofive_json_type_name(GfJsonType type)
{
	switch (type)
	{
		case GF_STRING:
			return "string";
		case GF_INTEGER:
			return "integer";
		case GF_NUMBER:
			return "number";
		case GF_BOOLEAN:
			return "boolean";
		case GF_ARRAY:
			return "array";
		case GF_OBJECT:
			return "object";
		case GF_ANY:
			break;
	}
	return "any";
}

static const char *const date_format_names[] = {
	[GF_DATE_NONE] = "none",
	[GF_DATE_OFFSET] = "offset",
	[GF_DATE_OFFSET_MS] = "offset_ms",
	[GF_DATE_LOCAL] = "local",
	[GF_DATE_SPACE] = "space",
	[GF_DATE_DATE] = "date",
	[GF_DATE_UTC] = "utc",
};

const char *
gofive_date_format_name(GfDateFormat format)
{
	return date_format_names[format];
}

/* The format of that name, or GF_DATE_NONE ("none" and unknown names). */
GfDateFormat
gofive_find_date_format(const char *name)
{
	for (int f = GF_DATE_OFFSET; f <= GF_DATE_UTC; f++)
		if (strcmp(date_format_names[f], name) == 0)
			return (GfDateFormat) f;
	return GF_DATE_NONE;
}

/*
 * Whether sending the operation twice does no harm, in words: "yes", "no",
 * or the key that makes an upsert idempotent.  The rule itself is applied to
 * a request's body by gofive_request_idempotent (worker_schedule.c).
 */
const char *
gofive_idempotence_text(const GfOperation *op)
{
	switch (op->idempotent)
	{
		case GF_IDEMPOTENT:
			return "yes";
		case GF_NOT_IDEMPOTENT:
			return "no";
		case GF_IDEMPOTENT_WITH_KEY:
			return op->idempotent_key;
		case GF_IDEMPOTENT_BY_METHOD:
			break;
	}
	return strcmp(op->method, "POST") == 0 ? "no" : "yes";
}

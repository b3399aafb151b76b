# gofive: PGXS build.
#
# MODULE_big, not MODULES: only MODULE_big links SHLIB_LINK into the library.
MODULE_big = gofive
OBJS = \
	src/gofive.o \
	src/errcontext.o \
	src/settings.o \
	src/catalog.o \
	src/validate.o \
	src/http.o \
	src/auth.o \
	src/account.o \
	src/token_cache.o \
	src/response.o \
	src/outcome.o \
	src/jsonb_pieces.o \
	src/api.o \
	src/request.o \
	src/functions.o \
	src/privilege.o \
	src/shmem.o \
	src/spi.o \
	src/outbox.o \
	src/trigger.o \
	src/retry.o \
	src/delivery.o \
	src/worker_db.o \
	src/worker_account.o \
	src/worker.o \
	src/launcher.o \
	src/utility.o

EXTENSION = gofive
EXTVERSION = 0.1
DATA_built = gofive--$(EXTVERSION).sql
PGFILEDESC = "gofive - Gofive Venio CRM API from SQL"

# Regression tests: sql/<name>.sql against expected/<name>.out, run in a
# throw-away instance that preloads gofive and pg_cron (test/postgresql.conf).
# test/run starts the local Venio server and passes its address with a
# second --temp-config.
REGRESS = setup sync_calls errors requests auth settings accounts cancel \
	outbox outbox_order outbox_outage outbox_trigger security databases cron \
	operations_customer operations_deal_case_contract operations_product \
	operations_quotation_salesorder operations_misc hostile
TEMP_CONF ?= ./test/postgresql.conf
REGRESS_OPTS = --temp-instance=./tmp_check --temp-config=$(TEMP_CONF)

CURL_CFLAGS := $(shell pkg-config --cflags libcurl 2>/dev/null || curl-config --cflags 2>/dev/null)
CURL_LIBS := $(shell pkg-config --libs libcurl 2>/dev/null || curl-config --libs 2>/dev/null || echo -lcurl)
PG_CPPFLAGS += -I$(srcdir)/src $(CURL_CFLAGS)
PG_CFLAGS += -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers
SHLIB_LINK += $(CURL_LIBS)

EXTRA_CLEAN = tools/gen_sql gofive--$(EXTVERSION).sql

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# The install script: the hand-written part, then the catalog's functions.
tools/gen_sql: tools/gen_sql.c src/catalog.c src/catalog.h
	$(CC) -std=gnu99 -O -Wall -Wextra -Werror -Isrc -o $@ tools/gen_sql.c src/catalog.c

INSTALL_SQL = sql/install/gofive.sql sql/install/outbox.sql

gofive--$(EXTVERSION).sql: $(INSTALL_SQL) tools/gen_sql
	cat $(INSTALL_SQL) > $@
	./tools/gen_sql >> $@

# PGXS tracks no header dependencies: rebuild every object when one changes.
$(OBJS): $(wildcard src/*.h)

# gofive: PGXS build.
#
# MODULE_big, not MODULES: only MODULE_big links SHLIB_LINK into the library.
MODULE_big = gofive
# By subsystem (docs/internals.md, Layout): the module's entry point and
# settings, the catalog and the synchronous SQL functions at the top; the
# API client; the conversion of values to the API's forms; the outbox and
# its workers; the foreign-data wrapper.
OBJS = \
	src/gofive.o \
	src/version.o \
	src/settings.o \
	src/catalog.o \
	src/functions.o \
	src/convert/datetime.o \
	src/convert/convert.o \
	src/convert/validate.o \
	src/client/http.o \
	src/client/transfer.o \
	src/client/auth.o \
	src/client/account.o \
	src/client/token_cache.o \
	src/client/response.o \
	src/client/outcome.o \
	src/client/jsonb_pieces.o \
	src/client/api.o \
	src/client/request.o \
	src/client/pager.o \
	src/fdw/fdw_resources.o \
	src/fdw/fdw_deparse.o \
	src/fdw/fdw_scan.o \
	src/fdw/fdw_analyze.o \
	src/fdw/fdw.o \
	src/outbox/privilege.o \
	src/outbox/shmem.o \
	src/outbox/outbox.o \
	src/outbox/trigger.o \
	src/outbox/trigger_check.o \
	src/outbox/trigger_queue.o \
	src/outbox/delivery.o \
	src/outbox/worker_db.o \
	src/outbox/worker_claim.o \
	src/outbox/worker_record.o \
	src/outbox/worker_schedule.o \
	src/outbox/worker.o \
	src/outbox/launcher.o \
	src/outbox/drop_guard.o

EXTENSION = gofive
# the version is the control file's default_version, and only there
EXTVERSION := $(shell sed -n "s/^default_version *= *'\([^']*\)'.*/\1/p" gofive.control)
# Released versions are kept as released, so that an upgrade from each can
# be tested: the install scripts of 0.1 and 1.0 and the upgrade between
# them.  The current version's install script and its upgrade from the last
# release are built from the pieces (below).
DATA = sql/gofive--0.1.sql sql/gofive--1.0.sql sql/gofive--0.1--1.0.sql
DATA_built = gofive--$(EXTVERSION).sql gofive--1.0--$(EXTVERSION).sql
PGFILEDESC = "gofive - Gofive Venio CRM API from SQL"

# Tests: `make installcheck` against the installed extension, as any user
# who can write the tree.  test/installcheck.sh starts the local Venio
# server (test/server, built if needed) and writes log/test.conf:
# test/postgresql.conf plus the server's address and the test credentials;
# then installcheck-run below runs the pg_regress suites (sql/<name>.sql
# against expected/<name>.out) in a throw-away instance with those settings,
# and the TAP tests (t/*.pl, PostgreSQL::Test::Cluster).  PGXS's own
# installcheck cannot start the server, hence NO_INSTALLCHECK.
REGRESS = setup sync_calls errors requests auth settings accounts cancel \
	outbox outbox_order outbox_outage scheduler outbox_trigger datetime conversion drop_extension security databases cron \
	operations_customer operations_deal_case_contract operations_product \
	operations_quotation_salesorder operations_misc fdw hostile upgrade
REGRESS_OPTS = --temp-instance=./tmp_check --temp-config=log/test.conf
TAP_TESTS = 1
NO_INSTALLCHECK = 1

CURL_CFLAGS := $(shell pkg-config --cflags libcurl 2>/dev/null || curl-config --cflags 2>/dev/null)
CURL_LIBS := $(shell pkg-config --libs libcurl 2>/dev/null || curl-config --libs 2>/dev/null || echo -lcurl)
SUBSYSTEMS = client convert outbox fdw
PG_CPPFLAGS += -I$(srcdir)/src $(addprefix -I$(srcdir)/src/,$(SUBSYSTEMS)) $(CURL_CFLAGS) -DGOFIVE_VERSION='"$(EXTVERSION)"'
# Warnings always; -Werror only where developers and CI build (`make
# WERROR=1`, as test/lib.sh does), never in a package or a user's build,
# where a newer compiler's new warning must not stop the build.
WARNINGS = -Wall -Wextra $(if $(filter 1,$(WERROR)),-Werror)
PG_CFLAGS += $(WARNINGS) -Wno-unused-parameter -Wno-missing-field-initializers
SHLIB_LINK += $(CURL_LIBS)

EXTRA_CLEAN = tools/gen_sql $(DATA_built)

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# The install script: the hand-written pieces, then the catalog's functions.
tools/gen_sql: tools/gen_sql.c src/catalog.c src/catalog.h
	$(CC) -std=gnu99 -O $(WARNINGS) -Isrc -o $@ tools/gen_sql.c src/catalog.c

INSTALL_SQL = sql/install/header.sql sql/install/roles.sql sql/install/accounts.sql \
	sql/install/calls.sql sql/install/outbox.sql sql/install/backup.sql \
	sql/install/intake.sql sql/install/functions.sql

gofive--$(EXTVERSION).sql: $(INSTALL_SQL) tools/gen_sql
	cat $(INSTALL_SQL) > $@
	./tools/gen_sql >> $@

# The upgrade from the last release: its own changes (sql/upgrade/FROM--TO.sql),
# then the pieces new since that release (sql/install/intake.sql), then the
# functions and views, which are CREATE OR REPLACE and so included as they
# are, then the catalog's functions, likewise.  Every change to SQL
# objects ships this way, and the upgrade test (sql/upgrade.sql) checks that
# an updated install equals a fresh one.
UPGRADE_TAIL = sql/install/intake.sql sql/install/functions.sql

gofive--1.0--$(EXTVERSION).sql: sql/upgrade/gofive--1.0--$(EXTVERSION).sql $(UPGRADE_TAIL) tools/gen_sql
	cat $< $(UPGRADE_TAIL) > $@
	./tools/gen_sql >> $@

# PGXS tracks no header dependencies: rebuild every object when one changes.
$(OBJS): $(wildcard src/*.h $(addsuffix /*.h,$(addprefix src/,$(SUBSYSTEMS))))

installcheck:
	bash $(srcdir)/test/installcheck.sh $(MAKE) --no-print-directory installcheck-run

# Run by test/installcheck.sh with the local server up: every suite, then
# every TAP test even when a suite failed; fails if either did.  $(TEMP_CONF)
# adds a user's TEMP_CONFIG, as PGXS's own installcheck would.
installcheck-run:
	@status=0; \
	$(pg_regress_installcheck) $(REGRESS_OPTS) $(TEMP_CONF) $(REGRESS) || status=$$?; \
	$(if $(TAP_TESTS),( $(prove_installcheck) ) || status=$$?;) \
	exit $$status

.PHONY: installcheck installcheck-run

/*
 * src/client/transfer.c
 *		HTTP transfers that run while the backend does other work: the
 *		requests of the foreign scans (fdw_scan.c), several at once under one
 *		Append (asynchronous foreign scans), and pages asked for ahead of the
 *		one the executor reads.
 *
 * The synchronous path (http.c) drives one transfer to its end.  Here a
 * transfer is started, the caller goes on, and the transfer is finished
 * when the caller needs its answer.  A backend's transfers share one
 * libcurl multi handle (so its connections are kept and reused), driven
 * through libcurl's socket interface: libcurl says which sockets it waits
 * on (CURLMOPT_SOCKETFUNCTION) and when it must be called anyway
 * (CURLMOPT_TIMERFUNCTION), and we keep them in an epoll instance, io_fd,
 * with a timerfd.  io_fd is readable whenever libcurl has something to do,
 * so one descriptor stands for every transfer:
 *
 *	 - a backend waiting for its own transfer waits on io_fd and its latch
 *	   (gofive_transfer_wait), so a cancel request or statement_timeout ends
 *	   the wait at once;
 *	 - an Append waiting on asynchronous foreign scans waits on one
 *	   descriptor per scan (gofive_transfer_wait_fd: a duplicate of wake_fd,
 *	   an epoll instance holding io_fd and ready_fd).  The Append's own wait
 *	   includes the latch only in later minor releases of PostgreSQL 15, so
 *	   the timer fires at least every INTERRUPT_CHECK_MS while transfers run,
 *	   and the scans check for interrupts when woken.
 *
 * Transfers are moved along whenever a scan looks at them, at least once per
 * row it returns (gofive_transfer_poll).  libcurl fails a transfer whose
 * timeout passed before it was looked at again, even when the answer came
 * in time and waits in the socket: a timeout seen after a pause of more than
 * PAUSE_MS without a look (a cursor between two FETCHes) marks the transfer
 * stale, and its request is sent again (api.c) rather than failed.
 *
 * Invariants:
 *	 - a transfer writes only into memory of the context it was started in,
 *	   and lives no longer than that memory: resetting or deleting the context
 *	   (a new page, a rescan, the query's end, an error) takes the transfer
 *	   out of the multi handle first (a reset callback), so no callback of
 *	   libcurl ever writes into freed memory;
 *	 - ready_fd is readable exactly while a transfer that its owner waits
 *	   for through an Append (gofive_transfer_want) is done but not yet
 *	   ended, so the Append wakes for it even when another scan's wake-up
 *	   already read its socket;
 *	 - nothing that can raise an error runs inside a libcurl callback or a
 *	   memory context callback;
 *	 - the descriptors are counted with AcquireExternalFD, as postgres_fdw
 *	   counts its connections.
 * Linux only (epoll, timerfd, eventfd), like the Debian packages it ships in.
 */
#include "postgres.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>

#include <curl/curl.h>

#include "miscadmin.h"
#include "pgstat.h"
#include "storage/fd.h"
#include "storage/latch.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
#include "utils/wait_event.h"

#include "client.h"
#include "curl_check.h"
#include "gofive.h"

#define INTERRUPT_CHECK_MS	50	/* as http.c */
#define PAUSE_MS			1000	/* longer without a look at the transfers: a pause */
#define EVENTS_AT_ONCE		32
#define IDLE_HANDLES		16	/* easy handles kept for reuse */

StaticAssertDecl(GOFIVE_CURL_ERROR_SIZE >= CURL_ERROR_SIZE,
				 "a transfer's error buffer must hold libcurl's messages");

static CURLM *multi = NULL;
static int	io_fd = -1;			/* epoll: libcurl's sockets and timer_fd */
static int	timer_fd = -1;		/* libcurl's timer, and the interrupt checks */
static int	ready_fd = -1;		/* eventfd: a transfer somebody waits for is done */
static int	wake_fd = -1;		/* epoll: io_fd and ready_fd, for Appends */
static WaitEventSet *own_wait = NULL;	/* the latch and io_fd */

static int	in_flight = 0;		/* transfers in the multi handle */
static int	ready = 0;			/* done, wanted and not yet ended */
static bool ready_signalled = false;
static bool has_deadline = false;	/* libcurl wants to be called at deadline */
static TimestampTz deadline = 0;
static TimestampTz last_look = 0;	/* when drive() last looked at the transfers */

static CURL *idle_handles[IDLE_HANDLES];
static int	n_idle = 0;

/* ---- the descriptors ---- */

static bool
watch(int epoll_fd, int fd)
{
	struct epoll_event ev = {0};

	ev.events = EPOLLIN;
	ev.data.fd = fd;
	return epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev) == 0;
}

/*
 * Make io_fd, timer_fd, ready_fd and wake_fd, all or none (a failure
 * closes those made and raises).
 */
static void
make_descriptors(void)
{
	int			fds[4] = {-1, -1, -1, -1};
	int			counted = 0;
	int			saved_errno = 0;

	while (counted < 4 && AcquireExternalFD())
		counted++;
	if (counted == 4)
	{
		fds[0] = epoll_create1(EPOLL_CLOEXEC);
		fds[1] = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
		fds[2] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		fds[3] = epoll_create1(EPOLL_CLOEXEC);
		if (fds[0] >= 0 && fds[1] >= 0 && fds[2] >= 0 && fds[3] >= 0 &&
			watch(fds[0], fds[1]) && watch(fds[3], fds[0]) && watch(fds[3], fds[2]))
		{
			io_fd = fds[0];
			timer_fd = fds[1];
			ready_fd = fds[2];
			wake_fd = fds[3];
			return;
		}
		saved_errno = errno;
	}
	for (int i = 0; i < 4; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	while (counted-- > 0)
		ReleaseExternalFD();
	errno = saved_errno;
	if (saved_errno == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_RESOURCES),
				 errmsg("could not start a transfer to the API"),
				 errdetail("There are too many open files on the local server."),
				 errhint("Raise max_files_per_process.")));
	ereport(ERROR,
			(errcode_for_file_access(),
			 errmsg("could not make the descriptors for the API's transfers: %m")));
}

/*
 * libcurl's interest in a socket changed (inside libcurl: must not raise).
 * socketp is non-NULL once the socket is in io_fd.
 */
static int
socket_changed(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp)
{
	struct epoll_event ev = {0};

	if (what == CURL_POLL_REMOVE)
	{
		(void) epoll_ctl(io_fd, EPOLL_CTL_DEL, s, NULL);
		return curl_multi_assign(multi, s, NULL) == CURLM_OK ? 0 : -1;
	}
	ev.data.fd = s;
	ev.events = ((what & CURL_POLL_IN) ? EPOLLIN : 0) | ((what & CURL_POLL_OUT) ? EPOLLOUT : 0);
	if (epoll_ctl(io_fd, socketp ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, s, &ev) != 0 &&
		epoll_ctl(io_fd, socketp ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, s, &ev) != 0)
		return -1;
	/* a failure here (no raising inside libcurl) fails the transfers on s */
	if (socketp == NULL && curl_multi_assign(multi, s, (void *) &io_fd) != CURLM_OK)
		return -1;
	return 0;
}

/*
 * Arm timer_fd for libcurl's deadline, and at most INTERRUPT_CHECK_MS ahead
 * while transfers run (must not raise: called inside libcurl too).
 */
static void
arm_timer(void)
{
	struct itimerspec when = {{0, 0}, {0, 0}};
	long		ms = -1;

	if (has_deadline)
		ms = Max(0, (long) ((deadline - GetCurrentTimestamp()) / 1000));
	if (in_flight > 0)
		ms = ms < 0 ? INTERRUPT_CHECK_MS : Min(ms, INTERRUPT_CHECK_MS);
	if (ms == 0)
		when.it_value.tv_nsec = 1;	/* now (zero would disarm it) */
	else if (ms > 0)
	{
		when.it_value.tv_sec = ms / 1000;
		when.it_value.tv_nsec = (ms % 1000) * 1000000L;
	}
	(void) timerfd_settime(timer_fd, 0, &when, NULL);
}

/* libcurl's timer: call it back in timeout_ms (-1: never). */
static int
timer_changed(CURLM *m, long timeout_ms, void *userp)
{
	has_deadline = timeout_ms >= 0;
	if (has_deadline)
		deadline = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), timeout_ms);
	arm_timer();
	return 0;
}

/* Read what a timerfd or eventfd holds, making it unreadable (must not raise). */
static void
drain(int fd)
{
	uint64		count;
	ssize_t		got = read(fd, &count, sizeof(count));

	(void) got;
}

/* ready_fd readable exactly while ready > 0 (must not raise). */
static void
sync_ready(void)
{
	uint64		one = 1;

	if (ready > 0 && !ready_signalled)
		ready_signalled = write(ready_fd, &one, sizeof(one)) == sizeof(one);
	else if (ready == 0 && ready_signalled)
	{
		drain(ready_fd);
		ready_signalled = false;
	}
}

/*
 * The multi handle and the descriptors, made on first use.  Each piece is
 * kept once made, so a failure holds nothing and the next call makes only
 * what is missing.
 */
static void
init_transfers(void)
{
	static bool initialized = false;

	if (initialized)
		return;
	GOFIVE_CURL_CHECK(curl_global_init, NULL, CURL_GLOBAL_ALL);
	if (io_fd < 0)
		make_descriptors();
	if (own_wait == NULL)
	{
		WaitEventSet *set = CreateWaitEventSet(TopMemoryContext, 3);

		AddWaitEventToSet(set, WL_LATCH_SET, PGINVALID_SOCKET, MyLatch, NULL);
		AddWaitEventToSet(set, WL_EXIT_ON_PM_DEATH, PGINVALID_SOCKET, NULL, NULL);
		AddWaitEventToSet(set, WL_SOCKET_READABLE, io_fd, NULL, NULL);
		own_wait = set;
	}
	if (multi == NULL)
		multi = gofive_http_multi();
	GOFIVE_CURLM_SETOPT(multi, CURLMOPT_SOCKETFUNCTION, socket_changed);
	GOFIVE_CURLM_SETOPT(multi, CURLMOPT_TIMERFUNCTION, timer_changed);
	initialized = true;
}

/* ---- easy handles ---- */

/* A handle from the pool, or a new one; NULL for out of memory. */
static CURL *
take_handle(void)
{
	return n_idle > 0 ? idle_handles[--n_idle] : curl_easy_init();
}

/* Back to the pool (must not raise). */
static void
give_back(CURL *easy)
{
	if (n_idle < IDLE_HANDLES)
		idle_handles[n_idle++] = easy;
	else
		curl_easy_cleanup(easy);
}

/*
 * Take t out of the multi handle and uncount it (must not raise: called
 * from a memory context callback).  A handle that libcurl would not take out
 * is not reused: curl_easy_cleanup takes it out as it frees it, so no
 * callback writes into t's memory after this.
 */
static void
release(GofiveTransfer *t)
{
	if (t->easy != NULL)
	{
		if (curl_multi_remove_handle(multi, t->easy) == CURLM_OK)
			give_back(t->easy);
		else
			curl_easy_cleanup(t->easy);
		curl_slist_free_all(t->headers);
		t->easy = NULL;
		t->headers = NULL;
		in_flight--;
	}
	if (t->counted)
	{
		ready--;
		t->counted = false;
	}
	sync_ready();
}

/* The memory a transfer writes into is going away: stop it first. */
static void
transfer_context_reset(void *arg)
{
	GofiveTransfer *t = (GofiveTransfer *) arg;

	t->registered = false;
	release(t);
}

/* ---- driving ---- */

/*
 * Record the transfers that ended, and give their handles back.  after_pause:
 * nobody looked at the transfers for a while before now (a cursor between
 * two FETCHes, with requests sent ahead), so a timeout that libcurl reports
 * now may be its own delay, the answer waiting unread: such a transfer is
 * stale, to be asked again rather than failed.
 */
static void
collect_done(bool after_pause)
{
	CURLMsg    *msg;
	int			queued;

	while ((msg = curl_multi_info_read(multi, &queued)) != NULL)
	{
		GofiveTransfer *t;

		if (msg->msg != CURLMSG_DONE)
			continue;
		GOFIVE_CURL_GETINFO(msg->easy_handle, CURLINFO_PRIVATE, (char **) &t);
		t->result = msg->data.result;
		t->stale = after_pause && t->result == CURLE_OPERATION_TIMEDOUT;
		/* also when the body was cut at the limit: the status came first */
		GOFIVE_CURL_GETINFO(t->easy, CURLINFO_RESPONSE_CODE, &t->resp.status);
		t->done = true;
		release(t);
		if (t->wanted)
		{
			ready++;
			t->counted = true;
		}
	}
}

/* Let libcurl do what it can now, without waiting. */
static void
drive(void)
{
	struct epoll_event events[EVENTS_AT_ONCE];
	int			n = epoll_wait(io_fd, events, EVENTS_AT_ONCE, 0);
	int			still;
	bool		timer = false;
	TimestampTz now = GetCurrentTimestamp();
	bool		due = has_deadline && now >= deadline;
	bool		after_pause = last_look != 0 &&
		now - last_look > (TimestampTz) PAUSE_MS * 1000;

	last_look = now;

	if (n <= 0 && !due)
		return;					/* nothing to do (the timer stays armed) */
	for (int i = 0; i < n; i++)
	{
		int			fd = events[i].data.fd;
		int			flags = 0;

		if (fd == timer_fd)
		{
			drain(timer_fd);
			timer = true;
			continue;
		}
		if (events[i].events & EPOLLIN)
			flags |= CURL_CSELECT_IN;
		if (events[i].events & EPOLLOUT)
			flags |= CURL_CSELECT_OUT;
		if (events[i].events & (EPOLLERR | EPOLLHUP))
			flags |= CURL_CSELECT_ERR;
		GOFIVE_CURL_CHECK(curl_multi_socket_action, NULL, multi, fd, flags, &still);
	}
	if (timer || due)
		GOFIVE_CURL_CHECK(curl_multi_socket_action, NULL, multi, CURL_SOCKET_TIMEOUT, 0, &still);
	collect_done(after_pause);
	arm_timer();
	sync_ready();
}

/* ---- the interface ---- */

/*
 * A handle set up for req, its headers in t->headers.  Each step that fails
 * releases what the steps before it took, then raises.
 */
static CURL *
set_up(GofiveTransfer *t, const GofiveHttpRequest *req)
{
	struct curl_slist *headers = gofive_http_headers(req);
	CURL	   *easy = take_handle();
	GofiveCurlRefusal refusal;

	if (easy == NULL)
	{
		curl_slist_free_all(headers);
		gofive_curl_failed("curl_easy_init", NULL, CURLE_OUT_OF_MEMORY);
	}
	if (!gofive_http_set_options(easy, req, &t->resp, headers, t->errbuf, t, &refusal))
	{
		curl_slist_free_all(headers);
		give_back(easy);
		gofive_curl_failed(refusal.fn, refusal.what, refusal.code);
	}
	t->headers = headers;
	return easy;
}

/*
 * Start sending req.  t, req's strings and the answer live in cxt (the
 * response buffer is allocated there), and the transfer stops when cxt is
 * reset or deleted.  The caller may wipe req->bearer afterwards: the
 * headers hold their own copy.
 */
void
gofive_transfer_start(GofiveTransfer *t, const GofiveHttpRequest *req, MemoryContext cxt)
{
	MemoryContext old;
	CURL	   *easy;
	CURLMcode	mc;

	init_transfers();
	Assert(t->easy == NULL);
	release(t);					/* a transfer started again: uncounted */
	old = MemoryContextSwitchTo(cxt);
	t->req = *req;
	t->done = t->wanted = t->stale = false;
	t->result = CURLE_OK;
	t->errbuf[0] = '\0';
	if (!t->registered)
	{
		t->on_reset.func = transfer_context_reset;
		t->on_reset.arg = t;
		MemoryContextRegisterResetCallback(cxt, &t->on_reset);
		t->registered = true;
	}
	easy = set_up(t, req);
	MemoryContextSwitchTo(old);
	mc = curl_multi_add_handle(multi, easy);
	if (mc != CURLM_OK)
	{
		curl_slist_free_all(t->headers);
		t->headers = NULL;
		curl_easy_cleanup(easy);	/* in an unknown state: not reused */
		gofive_curl_failed("curl_multi_add_handle", NULL, mc);
	}
	t->easy = easy;
	in_flight++;
	drive();					/* connect (or send on a kept connection) now */
}

/*
 * Let libcurl move the transfers along, if any run (cheap when none do):
 * called for each row a foreign scan returns, so that the answers of
 * requests sent ahead keep arriving while the executor works, and a busy
 * executor does not leave them to time out.
 */
void
gofive_transfer_poll(void)
{
	if (in_flight > 0)
		drive();
}

/* Whether t has ended, after letting libcurl move every transfer along. */
bool
gofive_transfer_done(GofiveTransfer *t)
{
	if (!t->done && t->easy != NULL)
		drive();
	return t->done;
}

/*
 * Wait until t has ended.  A cancel request, statement_timeout or the
 * postmaster's death end the wait at once.
 */
void
gofive_transfer_wait(GofiveTransfer *t)
{
	while (!gofive_transfer_done(t))
	{
		WaitEvent	event;

		if (t->easy == NULL)
			elog(ERROR, "waiting for a transfer that was not started");
		(void) WaitEventSetWait(own_wait, -1, &event, 1, PG_WAIT_EXTENSION);
		if (event.events & WL_LATCH_SET)
			ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
	}
}

/*
 * The owner of t waits for it through an Append: keep the Append's
 * descriptors readable once t is done, until gofive_transfer_end.
 */
void
gofive_transfer_want(GofiveTransfer *t)
{
	t->wanted = true;
	if (t->done && !t->counted)
	{
		ready++;
		t->counted = true;
		sync_ready();
	}
}

/*
 * The end of a transfer that is done: raise as the synchronous path does
 * when no answer came; otherwise t->resp holds it.  (A stale one is asked
 * again instead: gofive_api_answered.)
 */
void
gofive_transfer_end(GofiveTransfer *t, const char *what)
{
	Assert(t->done);
	release(t);
	gofive_http_check_transfer(what, &t->req, &t->resp, t->result, t->errbuf);
}

/* Close a descriptor of gofive_transfer_wait_fd (must not raise). */
static void
close_wait_fd(void *arg)
{
	close((int) (intptr_t) arg);
	ReleaseExternalFD();
}

/*
 * A descriptor that is readable whenever a transfer may have moved on (or
 * INTERRUPT_CHECK_MS has passed while transfers run): for an Append's wait
 * on an asynchronous scan, one per scan (an Append's wait set takes one
 * descriptor once).  It is closed when owner is reset or deleted.
 */
int
gofive_transfer_wait_fd(MemoryContext owner)
{
	MemoryContextCallback *cb;
	int			fd;

	init_transfers();
	if (!AcquireExternalFD())
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_RESOURCES),
				 errmsg("could not start an asynchronous scan of the API"),
				 errdetail("There are too many open files on the local server."),
				 errhint("Raise max_files_per_process, or set the server option async_capable to false.")));
	fd = fcntl(wake_fd, F_DUPFD_CLOEXEC, 0);
	if (fd < 0)
	{
		ReleaseExternalFD();
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not duplicate a descriptor for the API's transfers: %m")));
	}
	cb = MemoryContextAlloc(owner, sizeof(MemoryContextCallback));
	cb->func = close_wait_fd;
	cb->arg = (void *) (intptr_t) fd;
	MemoryContextRegisterResetCallback(owner, cb);
	return fd;
}

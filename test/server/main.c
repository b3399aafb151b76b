/*
 * main.c
 *		venio_server: a local stand-in for the Gofive Venio CRM API, used by
 *		the gofive extension's tests and benchmarks (see README.md).
 *
 *	  venio_server [--port N] [--port-file PATH] [--client-id X]
 *				   [--client-secret Y] [--subscription-key Z] [--token-ttl SECONDS]
 *				   [--client ID:SECRET:KEY]... [--tls-cert FILE --tls-key FILE]
 *
 * Listens on 127.0.0.1 only; HTTPS instead of HTTP when given a PEM
 * certificate and key.  Once listening it prints one line,
 * "venio_server listening on 127.0.0.1:PORT", and writes PORT to the port
 * file.  SIGTERM or SIGINT stops it with exit status 0.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <microhttpd.h>

#include "server.h"
#include "state.h"
#include "util.h"

/* If stopping the daemon takes longer than this, exit anyway. */
#define SHUTDOWN_GRACE_SECONDS 3

ServerConfig server_config = {
	.port = 0,
	.port_file = NULL,
	.client_id = "gofive-test-client",
	.client_secret = "gofive-test-secret",
	.subscription_key = "gofive-test-key",
	.token_ttl = 3600,
	.tls_cert = NULL,
	.tls_key = NULL,
	.tls_cert_pem = NULL,
	.tls_key_pem = NULL,
};

/* --client ID:SECRET:KEY options, accepted once the state exists */
#define MAX_EXTRA_CLIENTS 16
static char *extra_clients[MAX_EXTRA_CLIENTS][3];
static int	nextra_clients = 0;

static void
add_client_option(const char *arg)
{
	char	   *copy = xstrdup(arg);
	char	   *secret = strchr(copy, ':');
	char	   *key = secret ? strchr(secret + 1, ':') : NULL;

	if (key == NULL || secret == copy || key == secret + 1 || key[1] == '\0' ||
		nextra_clients >= MAX_EXTRA_CLIENTS)
	{
		fprintf(stderr, "venio_server: --client wants ID:SECRET:KEY (at most %d of them)\n",
				MAX_EXTRA_CLIENTS);
		exit(2);
	}
	*secret++ = '\0';
	*key++ = '\0';
	extra_clients[nextra_clients][0] = copy;
	extra_clients[nextra_clients][1] = secret;
	extra_clients[nextra_clients][2] = key;
	nextra_clients++;
}

static void
usage(FILE *out)
{
	fputs("Usage: venio_server [--port N] [--port-file PATH] [--client-id X]\n"
		  "                    [--client-secret Y] [--subscription-key Z] [--token-ttl SECONDS]\n"
		  "                    [--client ID:SECRET:KEY]... [--tls-cert FILE --tls-key FILE]\n"
		  "\n"
		  "A local Venio CRM API for tests; listens on 127.0.0.1 only.\n"
		  "  --port N               port to listen on (default 0: any free port)\n"
		  "  --port-file PATH       write the port (digits and a newline) to PATH\n"
		  "  --client-id X          accepted client_id (default gofive-test-client)\n"
		  "  --client-secret Y      accepted client_secret (default gofive-test-secret)\n"
		  "  --subscription-key Z   accepted Ocp-Apim-Subscription-Key (default gofive-test-key)\n"
		  "  --token-ttl SECONDS    lifetime of issued tokens (default 3600)\n"
		  "  --client ID:SECRET:KEY accept another client too (repeatable)\n"
		  "  --tls-cert FILE        serve HTTPS with this PEM certificate (chain)\n"
		  "  --tls-key FILE         and this PEM private key (both or neither)\n",
		  out);
}

static long
parse_number(const char *option, const char *text, long min, long max)
{
	char	   *end;
	long		n;

	errno = 0;
	n = strtol(text, &end, 10);
	if (errno != 0 || end == text || *end != '\0' || n < min || n > max)
	{
		fprintf(stderr, "venio_server: %s must be a whole number from %ld to %ld, not \"%s\"\n",
				option, min, max, text);
		exit(2);
	}
	return n;
}

static void
parse_args(int argc, char **argv)
{
	static const struct option options[] = {
		{"port", required_argument, NULL, 'p'},
		{"port-file", required_argument, NULL, 'f'},
		{"client-id", required_argument, NULL, 'i'},
		{"client-secret", required_argument, NULL, 's'},
		{"subscription-key", required_argument, NULL, 'k'},
		{"token-ttl", required_argument, NULL, 't'},
		{"client", required_argument, NULL, 'C'},
		{"tls-cert", required_argument, NULL, 'c'},
		{"tls-key", required_argument, NULL, 'K'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}
	};
	int			c;

	while ((c = getopt_long(argc, argv, "", options, NULL)) != -1)
	{
		switch (c)
		{
			case 'p':
				server_config.port = (int) parse_number("--port", optarg, 0, 65535);
				break;
			case 'f':
				server_config.port_file = optarg;
				break;
			case 'i':
				server_config.client_id = optarg;
				break;
			case 's':
				server_config.client_secret = optarg;
				break;
			case 'k':
				server_config.subscription_key = optarg;
				break;
			case 't':
				server_config.token_ttl = (int) parse_number("--token-ttl", optarg, 0, INT_MAX);
				break;
			case 'C':
				add_client_option(optarg);
				break;
			case 'c':
				server_config.tls_cert = optarg;
				break;
			case 'K':
				server_config.tls_key = optarg;
				break;
			case 'h':
				usage(stdout);
				exit(0);
			default:
				usage(stderr);
				exit(2);
		}
	}
	if (optind < argc)
	{
		fprintf(stderr, "venio_server: unexpected argument \"%s\"\n", argv[optind]);
		usage(stderr);
		exit(2);
	}
	if ((server_config.tls_cert == NULL) != (server_config.tls_key == NULL))
	{
		fprintf(stderr, "venio_server: --tls-cert and --tls-key go together\n");
		usage(stderr);
		exit(2);
	}
}

/* The whole of a (small) text file, NUL-terminated; NULL with errno set. */
static char *
read_text_file(const char *path)
{
	FILE	   *f = fopen(path, "r");
	char	   *text = NULL;
	size_t		len = 0;
	size_t		cap = 0;
	size_t		n;

	if (f == NULL)
		return NULL;
	do
	{
		if (cap - len < 4096)
		{
			char	   *bigger = realloc(text, cap + 65536);

			if (bigger == NULL)
			{
				free(text);
				fclose(f);
				errno = ENOMEM;
				return NULL;
			}
			text = bigger;
			cap += 65536;
		}
		n = fread(text + len, 1, cap - len - 1, f);
		len += n;
	} while (n > 0);
	if (ferror(f))
	{
		free(text);
		fclose(f);
		errno = EIO;
		return NULL;
	}
	fclose(f);
	text[len] = '\0';
	return text;
}

/* Read the TLS certificate and key named on the command line; exits on failure. */
static void
load_tls_files(void)
{
	if (server_config.tls_cert == NULL)
		return;
	if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
	{
		fprintf(stderr, "venio_server: this libmicrohttpd was built without TLS support\n");
		exit(1);
	}
	server_config.tls_cert_pem = read_text_file(server_config.tls_cert);
	if (server_config.tls_cert_pem == NULL)
	{
		fprintf(stderr, "venio_server: could not read %s: %s\n",
				server_config.tls_cert, strerror(errno));
		exit(1);
	}
	server_config.tls_key_pem = read_text_file(server_config.tls_key);
	if (server_config.tls_key_pem == NULL)
	{
		fprintf(stderr, "venio_server: could not read %s: %s\n",
				server_config.tls_key, strerror(errno));
		exit(1);
	}
}

/*
 * Write "PORT\n" to path.  Written to a temporary file and renamed, so that
 * a script polling for the file never reads half a number.
 */
static bool
write_port_file(const char *path, int port)
{
	char		tmp[PATH_MAX];
	FILE	   *f;
	bool		ok;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long) getpid()) >= (int) sizeof(tmp))
		return false;
	f = fopen(tmp, "w");
	if (f == NULL)
		return false;
	ok = fprintf(f, "%d\n", port) > 0;
	ok = (fclose(f) == 0) && ok;
	if (ok && rename(tmp, path) == 0)
		return true;
	unlink(tmp);
	return false;
}

static void *
shutdown_watchdog(void *arg)
{
	(void) arg;
	sleep(SHUTDOWN_GRACE_SECONDS);
	_exit(0);
	return NULL;
}

int
main(int argc, char **argv)
{
	sigset_t	stop_signals;
	struct MHD_Daemon *daemon;
	pthread_t	watchdog;
	int			port;
	int			sig;

	parse_args(argc, argv);
	load_tls_files();

	/*
	 * Block the stop signals before any thread starts, so that every thread
	 * inherits the mask and only sigwait() below receives them.
	 */
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGTERM);
	sigaddset(&stop_signals, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
	signal(SIGPIPE, SIG_IGN);

	state_init(server_config.token_ttl);
	state_client_add(server_config.client_id, server_config.client_secret,
					 server_config.subscription_key);
	for (int i = 0; i < nextra_clients; i++)
		state_client_add(extra_clients[i][0], extra_clients[i][1], extra_clients[i][2]);
	daemon = http_start(server_config.port);
	if (daemon == NULL)
	{
		fprintf(stderr, "venio_server: could not listen on 127.0.0.1:%d%s\n", server_config.port,
				server_config.tls_cert ? " (is the TLS certificate or key invalid?)" : "");
		return 1;
	}
	port = http_bound_port(daemon);
	if (port <= 0)
	{
		fprintf(stderr, "venio_server: could not find the port it listens on\n");
		http_stop(daemon);
		return 1;
	}
	if (server_config.port_file && !write_port_file(server_config.port_file, port))
	{
		fprintf(stderr, "venio_server: could not write %s: %s\n",
				server_config.port_file, strerror(errno));
		http_stop(daemon);
		return 1;
	}
	printf("venio_server listening on 127.0.0.1:%d\n", port);
	fflush(stdout);

	while (sigwait(&stop_signals, &sig) != 0)
		;

	/* wake handlers sleeping for injected latency, then stop the daemon */
	wake_sleepers_for_shutdown();
	if (pthread_create(&watchdog, NULL, shutdown_watchdog, NULL) == 0)
		pthread_detach(watchdog);
	http_stop(daemon);
	state_destroy();
	return 0;
}

/*
 * Control socket, both ends (see ctl.h).  The daemon answers one request
 * per connection from its poll loop; a client that does not send its
 * request within a second is dropped so it cannot stall the dataplane.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>

#include <errno.h>
#include <libgen.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dataplane/capture.h"
#include "dataplane/ctl.h"

static int
ctl_addr(const char *path, struct sockaddr_un *sun)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun->sun_path))
		return ENAMETOOLONG;
	strcpy(sun->sun_path, path);
	return 0;
}

static int
read_full(int fd, void *buf, size_t len)
{
	uint8_t *p = buf;
	ssize_t n;

	while (len > 0) {
		if ((n = read(fd, p, len)) <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int
write_full(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	ssize_t n;

	while (len > 0) {
		if ((n = write(fd, p, len)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int
ctl_listen(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sun;
	char dir[sizeof(sun.sun_path)];
	mode_t old;
	int s, error;

	if ((error = ctl_addr(path, &sun)) != 0) {
		snprintf(err, errlen, "%s: path too long", path);
		return -1;
	}
	snprintf(dir, sizeof(dir), "%s", path);
	mkdir(dirname(dir), 0755);	/* /run/sluice, if missing */
	if ((s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	/* A socket that answers belongs to a running sluiced: keep it. */
	if (connect(s, (struct sockaddr *)&sun, sizeof(sun)) == 0) {
		snprintf(err, errlen, "%s: another sluiced is running", path);
		close(s);
		return -1;
	}
	unlink(path);
	old = umask(0177);
	if (bind(s, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		error = errno;
		umask(old);
		snprintf(err, errlen, "%s: %s", path, strerror(error));
		close(s);
		return -1;
	}
	umask(old);
	if (listen(s, 16) < 0) {
		snprintf(err, errlen, "%s: listen: %s", path, strerror(errno));
		close(s);
		return -1;
	}
	return s;
}

void
ctl_serve(struct dp *dp, int ls)
{
	struct timeval tv = { 1, 0 };
	char *req = NULL, *argv[CTL_MAX_ARGS + 1], *out = NULL;
	size_t outlen = 0;
	uint32_t len;
	int32_t status;
	FILE *f;
	int fd, argc = 0;
	size_t i;

	if ((fd = accept4(ls, NULL, NULL, SOCK_CLOEXEC)) < 0)
		return;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (read_full(fd, &len, sizeof(len)) != 0 || len == 0 ||
	    len > CTL_MAX_REQUEST || (req = malloc(len + 1)) == NULL ||
	    read_full(fd, req, len) != 0)
		goto done;
	req[len] = '\0';
	for (i = 0; i < len && argc < CTL_MAX_ARGS; i += strlen(req + i) + 1)
		argv[argc++] = req + i;
	argv[argc] = NULL;
	/* tcpdump PORT COUNT: the connection becomes the capture's stream. */
	if (argc == 3 && strcmp(argv[0], "tcpdump") == 0) {
		char err[256];

		status = 0;
		if (capture_start(dp, fd, argv[1], (uint32_t)strtoul(argv[2],
		    NULL, 10), err, sizeof(err)) == 0) {
			write_full(fd, &status, sizeof(status));
			free(req);
			return;		/* fd now belongs to the capture */
		}
		status = 1;
		if (write_full(fd, &status, sizeof(status)) == 0)
			write_full(fd, err, strlen(err));
		write_full(fd, "\n", 1);
		goto done;
	}
	if ((f = open_memstream(&out, &outlen)) == NULL)
		goto done;
	status = dp_ctl(dp, argc, argv, f);
	fclose(f);
	if (write_full(fd, &status, sizeof(status)) == 0)
		write_full(fd, out, outlen);
done:
	free(out);
	free(req);
	close(fd);
}

/* Client side: connect and send argv; returns the connection or -1. */
int
ctl_open(const char *path, int argc, char **argv, FILE *err)
{
	struct sockaddr_un sun;
	char *req;
	uint32_t len = 0;
	int s, i;
	size_t off;

	for (i = 0; i < argc; i++)
		len += (uint32_t)strlen(argv[i]) + 1;
	if (len > CTL_MAX_REQUEST || ctl_addr(path, &sun) != 0) {
		fprintf(err, "sluicectl: request or socket path too long\n");
		return -1;
	}
	if ((req = malloc(sizeof(len) + len)) == NULL)
		return -1;
	memcpy(req, &len, sizeof(len));
	off = sizeof(len);
	for (i = 0; i < argc; i++) {
		size_t l = strlen(argv[i]) + 1;

		memcpy(req + off, argv[i], l);
		off += l;
	}
	if ((s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    connect(s, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		fprintf(err, "sluicectl: %s: %s (is sluiced running? see "
		    "-s)\n", path, strerror(errno));
		if (s >= 0)
			close(s);
		free(req);
		return -1;
	}
	if (write_full(s, req, off) != 0) {
		fprintf(err, "sluicectl: %s: %s\n", path, strerror(errno));
		close(s);
		s = -1;
	}
	free(req);
	return s;
}

/* Read the status word of an answer; -1 when there is none. */
int
ctl_status(int s, int32_t *status)
{
	return read_full(s, status, sizeof(*status));
}

/* Client side: send argv, copy the answer to out; returns its status. */
int
ctl_request(const char *path, int argc, char **argv, FILE *out, FILE *err)
{
	char buf[8192];
	int32_t status;
	ssize_t n;
	int s;

	if ((s = ctl_open(path, argc, argv, err)) < 0)
		return 1;
	if (ctl_status(s, &status) != 0) {
		fprintf(err, "sluicectl: %s: no answer from sluiced\n", path);
		close(s);
		return 1;
	}
	while ((n = read(s, buf, sizeof(buf))) > 0)
		fwrite(buf, 1, (size_t)n, out);
	close(s);
	return status;
}

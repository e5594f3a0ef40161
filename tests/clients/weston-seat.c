// SPDX-License-Identifier: MIT
/*
 * weston-seat: run weston's DRM backend in a guest that has no seat
 * manager.  Debian 12's weston 10 opens devices through systemd-logind or
 * through the weston-launch protocol only (no libseat, no direct
 * launcher), and ships no weston-launch; the test guest runs neither
 * logind nor a VT session.  This is the parent side of that protocol,
 * enough for a root test: weston sends { int opcode = 0 (open); int
 * flags; char path[] } on the SOCK_SEQPACKET socket named by
 * WESTON_LAUNCHER_SOCK and takes back { int event = 3 (open reply); int
 * ret (0, or -1) } with the opened fd as SCM_RIGHTS (read off Debian's
 * drm-backend.so).  WESTON_TTY_FD names the tty weston would restore if
 * this process died: /dev/null, no VT is switched.  SIGTERM and SIGINT
 * are passed on to weston.
 *
 *   weston-seat weston [WESTON_ARGS...]
 *
 * Exits with weston's status (128 + signal if it was killed).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define OPEN_OPCODE 0
#define OPEN_REPLY_EVENT 3

static pid_t weston_pid;

static void forward(int sig)
{
	if (weston_pid > 0)
		kill(weston_pid, sig);
}

/* One open request: opcode, flags, a NUL-terminated path. */
struct open_request {
	int opcode;
	int flags;
	char path[4096];
};

static int reply(int sock, int ret, int fd)
{
	int msg_data[2] = { OPEN_REPLY_EVENT, ret };
	char control[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = msg_data,
			     .iov_len = sizeof(msg_data) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cmsg;

	if (fd >= 0) {
		msg.msg_control = control;
		msg.msg_controllen = sizeof(control);
		cmsg = CMSG_FIRSTHDR(&msg);
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_RIGHTS;
		cmsg->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	}
	return sendmsg(sock, &msg, MSG_NOSIGNAL) < 0 ? -1 : 0;
}

/* Serve open requests until weston closes its end. */
static void serve(int sock)
{
	struct open_request req;
	ssize_t len;
	int fd;

	for (;;) {
		memset(&req, 0, sizeof(req));
		len = recv(sock, &req, sizeof(req) - 1, 0);
		if (len < 0 && errno == EINTR)
			continue;
		if (len <= 0)
			return;
		if (len < (ssize_t)(2 * sizeof(int)) ||
		    req.opcode != OPEN_OPCODE) {
			fprintf(stderr, "weston-seat: unknown request\n");
			reply(sock, -1, -1);
			continue;
		}
		fd = open(req.path, (req.flags | O_CLOEXEC) & ~O_CREAT);
		if (fd < 0)
			fprintf(stderr, "weston-seat: open %s: %s\n", req.path,
				strerror(errno));
		else
			fprintf(stderr, "weston-seat: opened %s\n", req.path);
		if (reply(sock, fd < 0 ? -1 : 0, fd))
			fprintf(stderr, "weston-seat: reply: %s\n",
				strerror(errno));
		if (fd >= 0)
			close(fd);
	}
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = forward };
	int sv[2], tty, status;
	char num[16];
	pid_t pid;

	if (argc < 2) {
		fprintf(stderr, "usage: weston-seat weston [WESTON_ARGS...]\n");
		return 2;
	}
	if (socketpair(AF_LOCAL, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv)) {
		perror("weston-seat: socketpair");
		return 1;
	}
	tty = open("/dev/null", O_RDWR);
	if (tty < 0) {
		perror("weston-seat: /dev/null");
		return 1;
	}
	pid = fork();
	if (pid < 0) {
		perror("weston-seat: fork");
		return 1;
	}
	if (!pid) {
		/* weston's ends: sv[1] and the tty, without close-on-exec. */
		if (fcntl(sv[1], F_SETFD, 0))
			_exit(127);
		snprintf(num, sizeof(num), "%d", sv[1]);
		setenv("WESTON_LAUNCHER_SOCK", num, 1);
		snprintf(num, sizeof(num), "%d", tty);
		setenv("WESTON_TTY_FD", num, 1);
		execvp(argv[1], argv + 1);
		perror(argv[1]);
		_exit(127);
	}
	weston_pid = pid;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	close(sv[1]);
	close(tty);
	serve(sv[0]);
	close(sv[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 1;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

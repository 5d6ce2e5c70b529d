// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The vfio-user client's socket (libvfiox/vfio-user.c) against scripted servers: a child
 * process listens on a UNIX socket in a temporary directory, answers VERSION well, and
 * then misbehaves in one way per test: a reply to another message id, silence, a header
 * claiming more than the client takes, a flood of fds, a connection closed halfway
 * through a reply, an error reply, a DMA_READ before the reply, a small
 * max_data_xfer_size. The client must fail each with its own errno and a message, never
 * hang, leak an fd or go on with a broken stream.
 */
#include <dirent.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>

#include <vfiox/vfio-user.h>

#include "internal.h"
#include "testutil.h"
#include "vfio-user-msg.h"

enum script {
	S_WRONG_ID,
	S_SILENT,
	S_OVERSIZED,
	S_FD_FLOOD,
	S_CLOSE_HALFWAY,
	S_ERROR_THEN_GOOD,
	S_DMA_READ_FIRST,
	S_SMALL_XFER,
};

static char dir[64], sock_path[96];
static struct vfiox_ctx *ctx;

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static bool read_all(int fd, void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t n = read(fd, p, len);

		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

/* One request from the client: its header in *h, its payload in @payload. */
static bool get_req(int fd, struct vfiox_vu_hdr *h, uint8_t *payload, size_t max)
{
	uint8_t hb[16];
	char why[64];

	if (!read_all(fd, hb, 16) || vfiox__vu_hdr_get(hb, 16, 16 + max, h, why, sizeof(why)))
		return false;
	return read_all(fd, payload, h->size - 16);
}

static void put_reply(int fd, const struct vfiox_vu_hdr *req, uint32_t flags, uint32_t err,
		      const void *payload, size_t len, const int *fds, size_t nfds)
{
	struct vfiox_vu_hdr h = { .msg_id = req->msg_id, .cmd = req->cmd,
				  .size = (uint32_t)(16 + len), .flags = flags, .error_no = err };
	uint8_t buf[16 + 256];
	union {
		struct cmsghdr align;
		char b[CMSG_SPACE(sizeof(int) * 32)];
	} cbuf;
	struct iovec iov = { .iov_base = buf, .iov_len = 16 + len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	vfiox__vu_hdr_put(buf, &h);
	if (len)
		memcpy(buf + 16, payload, len);
	if (nfds) {
		struct cmsghdr *c;

		mh.msg_control = cbuf.b;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
	}
	if (sendmsg(fd, &mh, MSG_NOSIGNAL) < 0)
		_exit(3);
}

static void device_info(int fd, const struct vfiox_vu_hdr *req, uint16_t id)
{
	uint32_t p[4] = { 16, 3, 9, 5 };
	struct vfiox_vu_hdr h = *req;

	h.msg_id = id;
	put_reply(fd, &h, VFIOX_VU_F_TYPE_REPLY, 0, p, sizeof(p), NULL, 0);
}

static void serve(int lfd, enum script s)
{
	static uint8_t payload[VFIOX_VU_MAX_XFER + 64];
	struct vfiox_vu_hdr h;
	char json[128];
	uint8_t v[4 + sizeof(json)];
	int fd = accept(lfd, NULL, NULL), i;

	if (fd < 0 || !get_req(fd, &h, payload, sizeof(payload)) || h.cmd != VFIOX_VU_VERSION)
		_exit(2);
	snprintf(json, sizeof(json), "{\"capabilities\":{\"max_msg_fds\":8,"
		 "\"max_data_xfer_size\":%d}}", s == S_SMALL_XFER ? 4096 : 1048576);
	memset(v, 0, 4);
	v[2] = 1;
	memcpy(v + 4, json, strlen(json) + 1);
	put_reply(fd, &h, VFIOX_VU_F_TYPE_REPLY, 0, v, 4 + strlen(json) + 1, NULL, 0);
	if (!get_req(fd, &h, payload, sizeof(payload)))
		_exit(0);
	switch (s) {
	case S_WRONG_ID:
		device_info(fd, &h, (uint16_t)(h.msg_id + 1));
		break;
	case S_SILENT:
		pause();
		break;
	case S_OVERSIZED: {
		uint8_t hb[16];
		struct vfiox_vu_hdr o = { .msg_id = h.msg_id, .cmd = h.cmd,
					  .size = 16 + 16 + VFIOX_VU_MAX_XFER + 1,
					  .flags = VFIOX_VU_F_TYPE_REPLY };

		vfiox__vu_hdr_put(hb, &o);
		if (write(fd, hb, 16) != 16)
			_exit(3);
		pause();
		break;
	}
	case S_FD_FLOOD: {
		int fds[20];
		uint32_t p[4] = { 16, 3, 9, 5 };

		for (i = 0; i < 20; i++)
			fds[i] = 0;
		put_reply(fd, &h, VFIOX_VU_F_TYPE_REPLY, 0, p, sizeof(p), fds, 20);
		pause();
		break;
	}
	case S_CLOSE_HALFWAY: {
		uint8_t hb[20] = { 0 };
		struct vfiox_vu_hdr o = { .msg_id = h.msg_id, .cmd = h.cmd, .size = 32,
					  .flags = VFIOX_VU_F_TYPE_REPLY };

		vfiox__vu_hdr_put(hb, &o);
		if (write(fd, hb, sizeof(hb)) != sizeof(hb))
			_exit(3);
		_exit(0); /* closes the connection */
	}
	case S_ERROR_THEN_GOOD:
		put_reply(fd, &h, VFIOX_VU_F_TYPE_REPLY | VFIOX_VU_F_ERROR, EBUSY, NULL, 0, NULL,
			  0);
		if (!get_req(fd, &h, payload, sizeof(payload)))
			_exit(2);
		device_info(fd, &h, h.msg_id);
		break;
	case S_DMA_READ_FIRST: {
		struct vfiox_vu_hdr d = { .msg_id = 77, .cmd = VFIOX_VU_DMA_READ };
		uint64_t p[2] = { 0x1000, 8 };
		uint8_t hb[16];

		put_reply(fd, &d, VFIOX_VU_F_TYPE_COMMAND, 0, p, sizeof(p), NULL, 0);
		/* The client refuses it: an error reply to message 77. */
		if (!read_all(fd, hb, 16))
			_exit(2);
		vfiox__vu_hdr_get(hb, 16, 16, &d, json, sizeof(json));
		if (d.msg_id != 77 || !(d.flags & VFIOX_VU_F_ERROR) || d.error_no != EFAULT)
			_exit(4);
		device_info(fd, &h, h.msg_id);
		break;
	}
	case S_SMALL_XFER:
		/* Reads of 4096, 4096 and 1808 bytes, each echoed with bytes = offset's low byte. */
		for (i = 0; i < 3; i++) {
			uint8_t r[16 + 4096];
			uint64_t off;
			uint32_t count, k;

			if (i && !get_req(fd, &h, payload, sizeof(payload)))
				_exit(2);
			memcpy(&off, payload, 8);
			memcpy(&count, payload + 12, 4);
			if (h.cmd != VFIOX_VU_REGION_READ || count > 4096)
				_exit(5);
			memcpy(r, payload, 16);
			for (k = 0; k < count; k++)
				r[16 + k] = (uint8_t)(off + k);
			{
				struct vfiox_vu_hdr o = { .msg_id = h.msg_id, .cmd = h.cmd,
							  .size = 16 + 16 + count,
							  .flags = VFIOX_VU_F_TYPE_REPLY };
				uint8_t hb[16];

				vfiox__vu_hdr_put(hb, &o);
				if (write(fd, hb, 16) != 16 ||
				    write(fd, r, 16 + count) != (ssize_t)(16 + count))
					_exit(3);
			}
		}
		break;
	}
	/* Until the client is done. */
	while (read(fd, payload, sizeof(payload)) > 0)
		;
	_exit(0);
}

static pid_t start(enum script s)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	pid_t pid;

	assert_true(lfd >= 0);
	unlink(sock_path);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock_path);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(lfd, 1), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid)
		serve(lfd, s);
	close(lfd);
	return pid;
}

static void stop(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/vfiox-vu-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(sock_path, sizeof(sock_path), "%s/sock", dir);
	return vfiox_ctx_new(&ctx);
}

static int teardown(void **state)
{
	unlink(sock_path);
	rmdir(dir);
	vfiox_ctx_free(ctx);
	return 0;
}

static struct vfiox_vu *connect_ok(void)
{
	struct vfiox_vu *vu;

	assert_int_equal(vfiox_vu_connect(ctx, sock_path, 300, &vu), 0);
	return vu;
}

static void test_wrong_id_breaks(void **state)
{
	struct vfiox_device_info info;
	int fds = count_fds();
	pid_t pid = start(S_WRONG_ID);
	struct vfiox_vu *vu = connect_ok();

	assert_int_equal(vfiox_vu_device_info(vu, &info), -EPROTO);
	assert_non_null(strstr(vfiox_ctx_last_error(ctx), "DEVICE_GET_INFO: bad reply: a reply to "
						       "message 3, message 2 was asked"));
	assert_int_equal(vfiox_vu_reset(vu), -ENOTCONN);
	assert_non_null(strstr(vfiox_ctx_last_error(ctx), "given up"));
	vfiox_vu_close(vu);
	stop(pid);
	assert_int_equal(count_fds(), fds);
}

static void test_silent_times_out(void **state)
{
	struct vfiox_device_info info;
	pid_t pid = start(S_SILENT);
	struct vfiox_vu *vu = connect_ok();
	struct timespec a, b;
	long ms;

	assert_int_equal(vfiox_vu_set_timeout(vu, 0), -EINVAL);
	assert_int_equal(vfiox_vu_set_timeout(vu, 200), 0);
	clock_gettime(CLOCK_MONOTONIC, &a);
	assert_int_equal(vfiox_vu_device_info(vu, &info), -ETIMEDOUT);
	clock_gettime(CLOCK_MONOTONIC, &b);
	ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
	assert_true(ms >= 190 && ms < 2000);
	assert_non_null(strstr(vfiox_ctx_last_error(ctx),
			       "no reply to DEVICE_GET_INFO (message 2) within 200 ms"));
	vfiox_vu_close(vu);
	stop(pid);
}

static void test_oversized_refused(void **state)
{
	struct vfiox_device_info info;
	pid_t pid = start(S_OVERSIZED);
	struct vfiox_vu *vu = connect_ok();

	assert_int_equal(vfiox_vu_device_info(vu, &info), -EBADMSG);
	assert_non_null(strstr(vfiox_ctx_last_error(ctx), "above the limit"));
	vfiox_vu_close(vu);
	stop(pid);
}

static void test_fd_flood_closed(void **state)
{
	struct vfiox_device_info info;
	int fds = count_fds();
	pid_t pid = start(S_FD_FLOOD);
	struct vfiox_vu *vu = connect_ok();

	assert_int_equal(vfiox_vu_device_info(vu, &info), -EPROTO);
	assert_non_null(strstr(vfiox_ctx_last_error(ctx), "more fds than the 16"));
	vfiox_vu_close(vu);
	stop(pid);
	assert_int_equal(count_fds(), fds);
}

static void test_close_halfway(void **state)
{
	struct vfiox_device_info info;
	pid_t pid = start(S_CLOSE_HALFWAY);
	struct vfiox_vu *vu = connect_ok();

	assert_int_equal(vfiox_vu_device_info(vu, &info), -ECONNRESET);
	assert_non_null(strstr(vfiox_ctx_last_error(ctx), "in the middle of a reply"));
	vfiox_vu_close(vu);
	stop(pid);
}

static void test_error_reply_keeps_connection(void **state)
{
	struct vfiox_device_info info;
	pid_t pid = start(S_ERROR_THEN_GOOD);
	struct vfiox_vu *vu = connect_ok();

	assert_int_equal(vfiox_vu_device_info(vu, &info), -EBUSY);
	assert_non_null(strstr(vfiox_ctx_last_error(ctx), "DEVICE_GET_INFO refused by the server: "
						       "Device or resource busy (errno 16)"));
	assert_int_equal(vfiox_vu_device_info(vu, &info), 0);
	assert_int_equal(info.num_regions, 9);
	vfiox_vu_close(vu);
	stop(pid);
}

static void test_dma_read_refused(void **state)
{
	struct vfiox_device_info info;
	pid_t pid = start(S_DMA_READ_FIRST);
	struct vfiox_vu *vu = connect_ok();
	int status;

	assert_int_equal(vfiox_vu_device_info(vu, &info), 0);
	assert_int_equal(info.num_irqs, 5);
	vfiox_vu_close(vu);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0); /* it saw the EFAULT reply to message 77 */
}

static void test_reads_split_at_max_xfer(void **state)
{
	static uint8_t buf[10000];
	struct vfiox_vu_limits l;
	pid_t pid = start(S_SMALL_XFER);
	struct vfiox_vu *vu = connect_ok();
	size_t i;

	vfiox_vu_negotiated(vu, &l);
	assert_int_equal(l.max_data_xfer_size, 4096);
	assert_int_equal(l.max_msg_fds, 8);
	assert_int_equal(l.minor, 1);
	assert_int_equal(vfiox_vu_region_read(vu, 1, 0x100, buf, sizeof(buf)), 0);
	for (i = 0; i < sizeof(buf); i++)
		if (buf[i] != (uint8_t)(0x100 + i))
			fail_msg("byte %zu: 0x%x", i, buf[i]);
	assert_int_equal(vfiox_vu_region_read(vu, 1, UINT64_MAX, buf, 2), -EINVAL);
	vfiox_vu_close(vu);
	stop(pid);
}

static void test_connect_errors(void **state)
{
	struct vfiox_vu *vu = (struct vfiox_vu *)1;
	char longp[200];

	unlink(sock_path);
	assert_int_equal(vfiox_vu_connect(ctx, sock_path, 0, &vu), -ENOENT);
	assert_null(vu);
	assert_non_null(strstr(vfiox_ctx_last_error(ctx), "is the server running"));
	memset(longp, 'a', sizeof(longp) - 1);
	longp[sizeof(longp) - 1] = 0;
	assert_int_equal(vfiox_vu_connect(ctx, longp, 0, &vu), -ENAMETOOLONG);
	assert_int_equal(vfiox_vu_connect(ctx, "", 0, &vu), -EINVAL);
	/* A socket file nobody listens on any more. */
	stop(start(S_SILENT));
	assert_int_equal(vfiox_vu_connect(ctx, sock_path, 0, &vu), -ECONNREFUSED);
	vfiox_vu_close(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wrong_id_breaks),
		cmocka_unit_test(test_silent_times_out),
		cmocka_unit_test(test_oversized_refused),
		cmocka_unit_test(test_fd_flood_closed),
		cmocka_unit_test(test_close_halfway),
		cmocka_unit_test(test_error_reply_keeps_connection),
		cmocka_unit_test(test_dma_read_refused),
		cmocka_unit_test(test_reads_split_at_max_xfer),
		cmocka_unit_test(test_connect_errors),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, setup, teardown);
}

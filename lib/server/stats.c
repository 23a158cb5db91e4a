#include "stats.h"
#include "server.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/fuse.h>

#include "base/base.h"

static const char *const opcode_names[XAR_FUSE_OPCODES] = {
	[FUSE_LOOKUP] = "LOOKUP", [FUSE_FORGET] = "FORGET",
	[FUSE_GETATTR] = "GETATTR", [FUSE_SETATTR] = "SETATTR",
	[FUSE_READLINK] = "READLINK", [FUSE_SYMLINK] = "SYMLINK",
	[FUSE_MKNOD] = "MKNOD", [FUSE_MKDIR] = "MKDIR",
	[FUSE_UNLINK] = "UNLINK", [FUSE_RMDIR] = "RMDIR",
	[FUSE_RENAME] = "RENAME", [FUSE_LINK] = "LINK", [FUSE_OPEN] = "OPEN",
	[FUSE_READ] = "READ", [FUSE_WRITE] = "WRITE", [FUSE_STATFS] = "STATFS",
	[FUSE_RELEASE] = "RELEASE", [FUSE_FSYNC] = "FSYNC",
	[FUSE_SETXATTR] = "SETXATTR", [FUSE_GETXATTR] = "GETXATTR",
	[FUSE_LISTXATTR] = "LISTXATTR", [FUSE_REMOVEXATTR] = "REMOVEXATTR",
	[FUSE_FLUSH] = "FLUSH", [FUSE_INIT] = "INIT",
	[FUSE_OPENDIR] = "OPENDIR", [FUSE_READDIR] = "READDIR",
	[FUSE_RELEASEDIR] = "RELEASEDIR", [FUSE_FSYNCDIR] = "FSYNCDIR",
	[FUSE_GETLK] = "GETLK", [FUSE_SETLK] = "SETLK",
	[FUSE_SETLKW] = "SETLKW", [FUSE_ACCESS] = "ACCESS",
	[FUSE_CREATE] = "CREATE", [FUSE_INTERRUPT] = "INTERRUPT",
	[FUSE_BMAP] = "BMAP", [FUSE_DESTROY] = "DESTROY",
	[FUSE_IOCTL] = "IOCTL", [FUSE_POLL] = "POLL",
	[FUSE_NOTIFY_REPLY] = "NOTIFY_REPLY",
	[FUSE_BATCH_FORGET] = "BATCH_FORGET", [FUSE_FALLOCATE] = "FALLOCATE",
	[FUSE_READDIRPLUS] = "READDIRPLUS", [FUSE_RENAME2] = "RENAME2",
	[FUSE_LSEEK] = "LSEEK", [FUSE_COPY_FILE_RANGE] = "COPY_FILE_RANGE",
};

const char *xar_fuse_opcode_name(unsigned op)
{
	if (op < XAR_FUSE_OPCODES && opcode_names[op])
		return opcode_names[op];
	return "OTHER";
}

void xar_fuse_stats_count(struct xar_fuse_stats *s, const void *req,
			  size_t len)
{
	struct fuse_in_header in;

	if (len < sizeof(in))
		return;
	memcpy(&in, req, sizeof(in));
	s->count[in.opcode < XAR_FUSE_OPCODES ? in.opcode :
		 XAR_FUSE_OPCODES - 1]++;
	s->total++;
}

/* The file's text, malloc'ed. */
static char *format_stats(const struct xar_fuse_stats *s,
			  const char *preamble, size_t *len)
{
	char *text = NULL;
	FILE *f = open_memstream(&text, len);
	unsigned op;

	if (!f)
		return NULL;
	fprintf(f, "%srequests %llu\n", preamble,
		(unsigned long long)s->total);
	for (op = 0; op < XAR_FUSE_OPCODES; op++)
		if (s->count[op])
			fprintf(f, "%s %llu\n", xar_fuse_opcode_name(op),
				(unsigned long long)s->count[op]);
	if (fclose(f)) {
		free(text);
		return NULL;
	}
	return text;
}

int xar_fuse_stats_write(const struct xar_fuse_stats *s, const char *path,
			 const char *preamble, struct xar_err *err)
{
	char *tmp = NULL, *text;
	size_t len;
	int fd, rc = -1;

	text = format_stats(s, preamble, &len);
	if (!text || asprintf(&tmp, "%s.tmp", path) < 0) {
		tmp = NULL;
		xar_err_set(err, ENOMEM, "out of memory");
		goto out;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
		  0644);
	if (fd < 0) {
		xar_err_sys(err, "cannot create '%s'", tmp);
		goto out;
	}
	if (xar_write_all(fd, text, len)) {
		xar_err_sys(err, "cannot write '%s'", tmp);
		close(fd);
		goto out_unlink;
	}
	if (close(fd)) {
		xar_err_sys(err, "cannot write '%s'", tmp);
		goto out_unlink;
	}
	if (rename(tmp, path)) {
		xar_err_sys(err, "cannot rename '%s'", tmp);
		goto out_unlink;
	}
	rc = 0;
	goto out;
out_unlink:
	unlink(tmp);
out:
	free(tmp);
	free(text);
	return rc;
}

long xar_server_stats_pid(const char *path)
{
	FILE *f = fopen(path, "re");
	long pid = -1;

	if (f) {
		if (fscanf(f, "pid %ld", &pid) != 1)
			pid = -1;
		fclose(f);
	}
	return pid;
}

/* Recording a start-up: which blocks of which regular files the app read,
 * and which names it looked up in vain, in the order it first did, as
 * image paths built from the names the kernel looked up (XAR_STARTUP_LIST's
 * format). The server keeps one
 * for mkxar --profile (its config's record_path, written when it exits)
 * and while a first mount learns its start-up (learn_path, written once
 * requests pause). See record.c. */
#ifndef XAR_SERVER_RECORD_H
#define XAR_SERVER_RECORD_H

#include <stddef.h>
#include <stdint.h>

struct xar_record;

struct xar_record *xar_record_new(void);
/* name in directory parent is inode ino (FUSE numbers). */
void xar_record_lookup(struct xar_record *r, uint64_t parent,
		       const char *name, uint64_t ino);
/* name in directory parent was looked up and is not there. */
void xar_record_absent(struct xar_record *r, uint64_t parent,
		       const char *name);
/* Blocks first..last of ino were read. */
void xar_record_read(struct xar_record *r, uint64_t ino, uint64_t first,
		     uint64_t last);
/* Nothing read was recorded (or r is NULL): absent names alone are not
 * worth a list. */
int xar_record_empty(const struct xar_record *r);
/* Atomically write the list to path (a new file, no symlink followed):
 * one path a line, as XAR_STARTUP_LIST holds them. */
int xar_record_write(const struct xar_record *r, const char *path);
/* The same after the complete lines of head[0..head_len) (a list this
 * one adds to), leaving out the lines head holds already. */
int xar_record_write_after(const struct xar_record *r, const char *head,
			   size_t head_len, const char *path);
void xar_record_free(struct xar_record *r);

#endif

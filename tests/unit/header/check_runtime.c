/* lib/header/runtime.c and the self-contained layout: the runtime's span
 * from its ELF headers, hostile ELF headers, what may be embedded, the
 * version it names, and a header that starts after it. */
#include <check.h>
#include <elf.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "header/header.h"
#include "tmpdir_fixture.h"

#define RT_LEN 5000 /* the fake runtime's bytes: its header goes at 8192 */

static void setup(void)
{
	tmpdir_setup("runtime");
}

/* A fake static runtime of RT_LEN bytes: an ELF header, one PT_LOAD
 * program header, the section headers at the end. */
static unsigned char *fake_runtime(uint32_t extra_type)
{
	unsigned char *b = calloc(1, RT_LEN);
	Elf64_Ehdr e = { 0 };
	Elf64_Phdr p[2] = { { 0 } };

	memcpy(e.e_ident, ELFMAG, SELFMAG);
	e.e_ident[EI_CLASS] = ELFCLASS64;
	e.e_ident[EI_DATA] = ELFDATA2LSB;
	e.e_type = ET_EXEC;
	e.e_machine = EM_X86_64;
	e.e_phoff = sizeof(e);
	e.e_phnum = extra_type ? 2 : 1;
	e.e_phentsize = sizeof(Elf64_Phdr);
	e.e_shentsize = sizeof(Elf64_Shdr);
	e.e_shnum = 2;
	e.e_shoff = RT_LEN - 2 * sizeof(Elf64_Shdr);
	p[0].p_type = PT_LOAD;
	p[0].p_filesz = 1000;
	p[1].p_type = extra_type;
	memcpy(b, &e, sizeof(e));
	memcpy(b + sizeof(e), p, sizeof(p));
	return b;
}

START_TEST(test_span)
{
	unsigned char *rt = fake_runtime(0);
	struct xar_err err;
	uint64_t start = 0;

	ck_assert(xar_runtime_is_elf(rt, RT_LEN));
	ck_assert(!xar_runtime_is_elf("#!/usr", 6));
	ck_assert_int_eq(xar_runtime_span(rt, 4096, 20000, &start, &err), 0);
	ck_assert_uint_eq(start, 8192);
	ck_assert_int_eq(xar_runtime_check(rt, RT_LEN, &err), 0);
	free(rt);
}
END_TEST

/* ELF headers that must be refused, each by a field at an offset. */
static const struct bad_elf {
	const char *name;
	size_t at, size;
	uint64_t value;
	const char *says;
} bad_elf[] = {
	{ "32-bit", EI_CLASS, 1, ELFCLASS32, "64-bit" },
	{ "section table past 64 MiB", offsetof(Elf64_Ehdr, e_shoff), 8,
	  (uint64_t)1 << 40, "claims more than" },
	{ "section table offset overflows", offsetof(Elf64_Ehdr, e_shoff), 8,
	  UINT64_MAX - 10, "claims more than" },
	{ "program headers outside the bytes read",
	  offsetof(Elf64_Ehdr, e_phoff), 8, 4090, "program headers" },
	{ "odd program header size", offsetof(Elf64_Ehdr, e_phentsize), 2, 20,
	  "entry sizes" },
};

START_TEST(test_span_refuses)
{
	const struct bad_elf *c = &bad_elf[_i];
	unsigned char *rt = fake_runtime(0);
	struct xar_err err;
	uint64_t start = 0;

	memcpy(rt + c->at, &c->value, c->size);
	ck_assert_int_eq(xar_runtime_span(rt, 4096, 1ull << 40, &start, &err),
			 -1);
	ck_assert_msg(strstr(err.msg, c->says), "%s: %s", c->name, err.msg);
	free(rt);
}
END_TEST

START_TEST(test_span_needs_a_header_after)
{
	unsigned char *rt = fake_runtime(0);
	struct xar_err err;
	uint64_t start = 0;

	ck_assert_int_eq(xar_runtime_span(rt, 4096, 8192, &start, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "no XAR header after it"));
	free(rt);
}
END_TEST

START_TEST(test_check_refuses_dynamic)
{
	static const uint32_t types[] = { PT_INTERP, PT_DYNAMIC };
	unsigned char *rt = fake_runtime(types[_i]);
	struct xar_err err;

	ck_assert_int_eq(xar_runtime_check(rt, RT_LEN, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "not fully static"));
	ck_assert_int_eq(xar_runtime_check("#!/bin/sh\n", 10, &err), -1);
	free(rt);
}
END_TEST

/* A whole self-contained file: runtime, padding, header, image bytes. */
START_TEST(test_header_after_runtime)
{
	unsigned char *rt = fake_runtime(0);
	struct xar_header h, r;
	struct xar_err err;
	char *text, version[32];
	size_t len;
	int fd;

	xar_header_init(&h);
	h.start = 8192;
	ck_assert_int_eq(xar_header_set(&h, "OFFSET", "8192", &err), -1);
	ck_assert_int_eq(xar_header_set(&h, "UUID", "0123abcd", &err), 0);
	ck_assert_int_eq(xar_header_set(&h, "VERSION", "1", &err), 0);
	ck_assert_int_eq(xar_header_format(&h, &text, &len, &err), 0);
	ck_assert_uint_eq(len, 4096);
	ck_assert_uint_eq(h.offset, 12288);
	ck_assert_ptr_nonnull(strstr(text, "OFFSET=\"12288\""));
	memcpy(rt + 3000, "\nXAR_RUNTIME_VERSION=\0decoy", 27);
	memcpy(rt + 3100, XAR_RUNTIME_MARKER "9.8.7\n", 27);
	fd = open(at("sc.xar"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pwrite(fd, rt, RT_LEN, 0), RT_LEN);
	ck_assert_int_eq(pwrite(fd, text, len, 8192), (ssize_t)len);
	ck_assert_int_eq(pwrite(fd, "IMAGE", 5, 12288), 5);
	ck_assert_int_eq(xar_header_read_fd(&r, fd, &err), 0);
	ck_assert_uint_eq(r.start, 8192);
	ck_assert_uint_eq(r.offset, 12288);
	ck_assert_str_eq(xar_header_get(&r, "UUID"), "0123abcd");
	ck_assert_int_eq(xar_runtime_version(fd, r.start, version,
					     sizeof(version)), 0);
	ck_assert_str_eq(version, "9.8.7");
	close(fd);
	xar_header_free(&r);
	xar_header_free(&h);
	free(text);
	free(rt);
}
END_TEST

int main(void)
{
	Suite *s;
	TCase *tc = xar_check_case(&s, "runtime");

	tcase_add_checked_fixture(tc, setup, tmpdir_teardown);
	tcase_add_test(tc, test_span);
	tcase_add_loop_test(tc, test_span_refuses, 0,
			    sizeof(bad_elf) / sizeof(*bad_elf));
	tcase_add_test(tc, test_span_needs_a_header_after);
	tcase_add_loop_test(tc, test_check_refuses_dynamic, 0, 2);
	tcase_add_test(tc, test_header_after_runtime);
	return xar_check_run(s);
}

/* libFuzzer harnesses over libxar (tests/fuzz/fuzz_<name>.c). Each one is
 * linked either with libFuzzer (make fuzz) or with replay.c, a plain
 * driver that runs saved inputs (make check). A harness aborts when a
 * property it checks does not hold; sanitizers catch the rest. */
#ifndef XAR_FUZZ_H
#define XAR_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* An anonymous regular file holding data[0..size), at offset 0; -1 when
 * it cannot be made (the harness then skips the input). */
int fuzz_memfd(const uint8_t *data, size_t size);

/* Where the image of an input starts: at the OFFSET of a whole .xar (an
 * input starting with "#!"), else 0 (a bare image); UINT64_MAX when the
 * header does not parse (the harness then skips the input). */
uint64_t fuzz_image_offset(const uint8_t *data, size_t size);

/* Abort with a message: a property the harness checks is broken. */
void fuzz_fail(const char *what, const char *detail)
	__attribute__((noreturn));

#endif

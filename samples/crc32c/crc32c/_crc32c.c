/* CRC-32C (Castagnoli), the checksum of iSCSI, ext4 metadata and SCTP, as a
 * Python extension module: _crc32c.crc32c(data, crc=0) -> int. Built by
 * samples/build.sh against the recorded interpreter's headers. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>

static uint32_t table[256];

static void make_table(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int k = 0; k < 8; k++)
			c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
		table[i] = c;
	}
}

static PyObject *crc32c(PyObject *self, PyObject *args)
{
	Py_buffer buf;
	unsigned int crc = 0;
	const unsigned char *p;
	uint32_t c;

	(void)self;
	if (!PyArg_ParseTuple(args, "y*|I:crc32c", &buf, &crc))
		return NULL;
	p = buf.buf;
	c = ~(uint32_t)crc;
	Py_BEGIN_ALLOW_THREADS
	for (Py_ssize_t i = 0; i < buf.len; i++)
		c = table[(c ^ p[i]) & 0xff] ^ (c >> 8);
	Py_END_ALLOW_THREADS
	PyBuffer_Release(&buf);
	return PyLong_FromUnsignedLong(~c);
}

static PyMethodDef methods[] = {
	{ "crc32c", crc32c, METH_VARARGS,
	  "crc32c(data, crc=0) -> CRC-32C of data, continuing from crc." },
	{ NULL, NULL, 0, NULL },
};

static struct PyModuleDef module = {
	PyModuleDef_HEAD_INIT, "_crc32c", "CRC-32C in C.", -1, methods,
	NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__crc32c(void)
{
	make_table();
	return PyModule_Create(&module);
}

/*
 * err.c - the error object.  See err.h for the contract.
 */
#include <stdarg.h>
#include <stdio.h>

#include "core/err.h"

void ulf_err_clear(ulf_err *err)
{
	if (!err)
		return;
	err->code = 0;
	err->msg[0] = '\0';
}

int ulf_err_set(ulf_err *err, int code, const char *fmt, ...)
{
	va_list ap;
	char *p;

	if (!err || err->code != 0)
		return code;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	/* messages quote documents' text; a message is one line whatever
	 * the document holds (logs, stderr lines, JSON fields) */
	for (p = err->msg; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	return code;
}

const char *ulf_err_name(int code)
{
	switch (code) {
	case ULF_OK:        return "ok";
	case ULF_ENOMEM:    return "out of memory";
	case ULF_EIO:       return "i/o error";
	case ULF_EPARSE:    return "parse error";
	case ULF_ESYNTAX:   return "not a supported document";
	case ULF_ELIMIT:    return "limit exceeded";
	case ULF_EINVAL:    return "invalid value";
	case ULF_ENOTFOUND: return "not found";
	case ULF_ERANGE:    return "out of range";
	case ULF_ESTORE:    return "store error";
	case ULF_ENET:      return "network error";
	case ULF_EEXISTS:   return "already exists";
	case ULF_ECONFLICT: return "changed meanwhile";
	default:            return "error";
	}
}

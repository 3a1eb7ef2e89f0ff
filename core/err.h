/*
 * err.h - the error object every fallible ulf function reports through.
 *
 * A function that can fail returns 0 or a negative ULF_E* code and, when
 * the caller handed it a ulf_err, fills in a message at the place where the
 * failure happened.  Callers pass the object up unchanged; the first message
 * set wins, so cleanup paths cannot overwrite the original cause.  There is
 * no global "last error": the object travels with the call.
 */
#ifndef ULF_ERR_H
#define ULF_ERR_H

#include <stddef.h>

enum {
	ULF_OK = 0,
	ULF_ERROR = -1,     /* generic failure */
	ULF_ENOMEM = -2,    /* out of memory */
	ULF_EIO = -3,       /* reading or writing a file or socket failed */
	ULF_EPARSE = -4,    /* malformed input (XML, decimal, JSON, config) */
	ULF_ESYNTAX = -5,   /* well-formed, but not a document we read */
	ULF_ELIMIT = -6,    /* a configured size, depth or count was exceeded */
	ULF_EINVAL = -7,    /* a bad argument or value */
	ULF_ENOTFOUND = -8, /* the thing asked for does not exist */
	ULF_ERANGE = -9,    /* a number does not fit */
	ULF_ESTORE = -10,   /* the store refused or failed */
	ULF_ENET = -11,     /* network or remote peer failure */
	ULF_EEXISTS = -12,  /* the thing to create is there already */
	ULF_ECONFLICT = -13 /* changed by someone else since it was read: reload */
};

#define ULF_ERR_MSG_MAX 512

typedef struct ulf_err {
	int code;                   /* 0 while nothing has failed */
	char msg[ULF_ERR_MSG_MAX];  /* human-readable, NUL-terminated */
} ulf_err;

/* Empties the object so it can be reused for the next call. */
void ulf_err_clear(ulf_err *err);

/*
 * Records a failure and returns `code`, so that `return ulf_err_set(...)`
 * reads naturally.  The message is kept on one line: control characters
 * (from quoted document text) become spaces.  If `err` is NULL or already holds a failure, only the
 * code is returned: the first cause is the one that is reported.
 */
int ulf_err_set(ulf_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Short name of a code ("parse error", "limit exceeded", ...). */
const char *ulf_err_name(int code);

#endif

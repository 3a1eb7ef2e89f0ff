/*
 * banned.h - the C library functions ulf's own code may not call, made
 * compile errors (as git's banned.h does).
 *
 * Each of them writes or converts without a bound or without a way to see
 * failure:
 *   sprintf, vsprintf     no bound on the output        -> snprintf, vsnprintf, core/dynbuf.h
 *   strcpy, strcat        no bound on the output        -> snprintf, memcpy with a length
 *   strncpy, strncat      leave a string unterminated or
 *                         truncate silently             -> snprintf, memcpy with a length
 *   stpcpy                no bound                      -> memcpy with a length
 *   gets                  no bound at all               -> fgets, getline
 *   atoi, atol, atoll,    no way to see "abc" or an
 *   atof                  overflow                      -> strtol, strtoll, strtoul, dec_parse
 *   strtok                hidden state, not reentrant   -> strtok_r, or walk with strchr
 *
 * How it is in effect: CMakeLists.txt force-includes this header
 * (-include core/banned.h) into every C file the project compiles, all
 * rooms, tools, tests and benches alike, so no file can forget it.  The
 * poison below would also hit a declaration of these names in a system
 * header included later, so this header first includes every system header
 * that declares them; those have include guards and are not read again
 * when a file includes them itself.  A third-party header that calls one
 * of these in an inline function would fail the build - loudly, naming the
 * header - rather than slip through.  tests/banned/check-banned proves the
 * ban bites (ctest "banned").
 */
#ifndef ULF_BANNED_H
#define ULF_BANNED_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

/* glibc's _FORTIFY_SOURCE may define some of these as macros (it does for
 * clang); the names are banned, so their checked forms go too. */
#undef sprintf
#undef vsprintf
#undef strcpy
#undef strcat
#undef strncpy
#undef strncat
#undef stpcpy
#undef gets
#undef atoi
#undef atol
#undef atoll
#undef atof
#undef strtok

#pragma GCC poison sprintf vsprintf strcpy strcat strncpy strncat stpcpy gets
#pragma GCC poison atoi atol atoll atof strtok

#endif

# tests/banned/check-banned.cmake - the ban of core/banned.h is in effect.
#
#   cmake -DBUILD_DIR=<build> -DSRC_DIR=<source> -DWORK_DIR=<scratch> -P check-banned.cmake
#
# 1. Every project C file in the build's compile_commands.json is compiled
#    with -include <source>/core/banned.h (so no room, tool, test or bench
#    can do without it).
# 2. With the exact command the build uses for core/err.c (same compiler,
#    flags, defines and include directories), a file that calls a banned
#    function does NOT compile, and the compiler says it is poisoned; the
#    same file calling the allowed replacement does compile, so a failure
#    means the ban and not a broken command.
cmake_minimum_required(VERSION 3.19)

set(fails 0)
macro(fail msg)
  message("FAIL: ${msg}")
  math(EXPR fails "${fails} + 1")
endmacro()

file(READ ${BUILD_DIR}/compile_commands.json db)
string(JSON n LENGTH "${db}")
math(EXPR last "${n} - 1")
set(banned_flag "-include ${SRC_DIR}/core/banned.h")
set(checked 0)
set(model "")
foreach(i RANGE ${last})
  string(JSON file GET "${db}" ${i} file)
  string(JSON cmd GET "${db}" ${i} command)
  string(JSON dir GET "${db}" ${i} directory)
  if(NOT file MATCHES "^${SRC_DIR}/" OR NOT file MATCHES "\\.c$")
    continue()
  endif()
  math(EXPR checked "${checked} + 1")
  string(FIND "${cmd}" "${banned_flag}" at)
  if(at LESS 0)
    file(RELATIVE_PATH rel ${SRC_DIR} ${file})
    fail("${rel} is compiled without ${banned_flag}")
  endif()
  if(file STREQUAL "${SRC_DIR}/core/err.c")
    set(model "${cmd}")
    set(model_dir "${dir}")
  endif()
endforeach()
if(checked LESS 50)
  fail("only ${checked} project files in compile_commands.json")
endif()
if(model STREQUAL "")
  message(FATAL_ERROR "core/err.c is not in ${BUILD_DIR}/compile_commands.json")
endif()

# The model command, minus its output and input, plus ours.
separate_arguments(args UNIX_COMMAND "${model}")
set(base "")
set(skip FALSE)
foreach(a ${args})
  if(skip)
    set(skip FALSE)
  elseif(a STREQUAL "-o" OR a STREQUAL "-c" OR a STREQUAL "-MF" OR a STREQUAL "-MT")
    set(skip TRUE)
  elseif(NOT a STREQUAL "-MD")
    list(APPEND base "${a}")
  endif()
endforeach()
file(MAKE_DIRECTORY ${WORK_DIR})

# try_body(NAME BODY RESULT OUTPUT): compiles a file that includes what
# project files include, with the expression statement BODY (no ';': the
# list above could not hold one) as a function body.
function(try_body name body result output)
  set(src ${WORK_DIR}/${name}.c)
  file(WRITE ${src} "#include <stdarg.h>\n#include <stdio.h>\n#include <stdlib.h>\n"
                    "#include <string.h>\n\n#include \"core/err.h\"\n\n"
                    "int try_it(char *buf, size_t n, const char *s, va_list ap);\n"
                    "int try_it(char *buf, size_t n, const char *s, va_list ap)\n{\n"
                    "\t(void)buf; (void)n; (void)s; (void)ap;\n\t${body};\n}\n")
  execute_process(COMMAND ${base} -c ${src} -o ${WORK_DIR}/${name}.o
                  WORKING_DIRECTORY ${model_dir}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  set(${result} ${rc} PARENT_SCOPE)
  set(${output} "${out}" PARENT_SCOPE)
endfunction()

try_body(allowed "return snprintf(buf, n, \"%ld\", strtol(s, NULL, 10)) + vsnprintf(buf, n, s, ap) + (int)strlen(strchr(s, 'x'))" rc out)
if(NOT rc EQUAL 0)
  fail("the allowed calls do not compile with the project's command:\n${out}")
endif()

set(calls
  "sprintf|return sprintf(buf, \"%d\", 1)"
  "vsprintf|return vsprintf(buf, s, ap)"
  "strcpy|return strcpy(buf, s) != NULL"
  "strcat|return strcat(buf, s) != NULL"
  "strncpy|return strncpy(buf, s, n) != NULL"
  "strncat|return strncat(buf, s, n) != NULL"
  "stpcpy|return stpcpy(buf, s) != NULL"
  "gets|return gets(buf) != NULL"
  "atoi|return atoi(s)"
  "atol|return (int)atol(s)"
  "atoll|return (int)atoll(s)"
  "atof|return (int)atof(s)"
  "strtok|return strtok(buf, s) != NULL")
foreach(c ${calls})
  string(REPLACE "|" ";" parts "${c}")
  list(GET parts 0 fn)
  list(GET parts 1 body)
  try_body(use_${fn} "${body}" rc out)
  if(rc EQUAL 0)
    fail("a file calling ${fn} compiles")
  elseif(NOT out MATCHES "poisoned")
    fail("a file calling ${fn} fails, but not for the ban:\n${out}")
  endif()
endforeach()
list(LENGTH calls nbanned)

if(fails GREATER 0)
  message(FATAL_ERROR "banned: ${fails} failed")
endif()
message("banned: ${checked} project files force-include core/banned.h; "
        "${nbanned} banned calls refused, the allowed ones compile")

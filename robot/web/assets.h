/*
 * assets.h - the workbench's stylesheet, script and images, compiled into
 * ulf: the files of robot/web/assets/ become a table (cmake/embed-assets.cmake
 * writes it into the build folder at configure time), so nothing is
 * loaded from anywhere else and an installed ulf needs no data folder.
 */
#ifndef ULF_WEB_ASSETS_H
#define ULF_WEB_ASSETS_H

#include <stddef.h>

typedef struct web_asset_file {
	const char *name;             /* "ulf.css": served as /assets/ulf.css */
	const unsigned char *data;    /* NUL-terminated for convenience */
	size_t len;
} web_asset_file;

/* Every file, by name; the last entry's name is NULL. */
extern const web_asset_file web_asset_files[];

#endif

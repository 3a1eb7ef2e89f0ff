/*
 * cli_common.c - what the subcommands share.  See cli.h.
 */
#include <stdio.h>

#include "robot/cli/cli.h"

static int override(char *field, size_t size, const char *value, const char *what,
		    ulf_err *err)
{
	if (!value)
		return 0;
	if (snprintf(field, size, "%s", value) >= (int)size)
		return ulf_err_set(err, ULF_EINVAL, "%s: path too long", what);
	return 0;
}

int cli_load_config(ulf_config *out, const char *config_path, const char *store_path,
		    const char *inbox_dir, ulf_err *err)
{
	ulf_config cfg;
	int rc;

	config_init(&cfg);
	if (config_path && (rc = config_load(&cfg, config_path, err)) != 0)
		return rc;
	if ((rc = override(cfg.store_path, sizeof(cfg.store_path), store_path, "--store", err)) ||
	    (rc = override(cfg.inbox_dir, sizeof(cfg.inbox_dir), inbox_dir, "--inbox", err)))
		return rc;
	*out = cfg;
	return 0;
}

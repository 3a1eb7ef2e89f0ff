/*
 * config.h - ulf's configuration, driven by one table of settings.
 *
 * Each setting is declared once (config.c: name, type, default, whether a
 * SIGHUP reload may change it, a validator, and its documentation).  That
 * table parses the file, checks values, fills struct ulf_config, and writes
 * the documented sample configuration (`ulf config sample`).  A reload
 * builds a complete new ulf_config and swaps it in only when it is valid.
 *
 * File format: one "name value" per line; '#' starts a comment; values may
 * be double-quoted; sizes take K, M or G suffixes; durations s, m, h or d
 * (seconds without).
 */
#ifndef ULF_CONFIG_H
#define ULF_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/err.h"
#include "connectors/erp.h"
#include "parsers/reader.h"

#define CONFIG_STR_MAX 1024

typedef struct ulf_config {
	/* store */
	char store_backend[32];
	char store_path[CONFIG_STR_MAX];
	/* intake */
	char inbox_dir[CONFIG_STR_MAX];
	/* limits on documents from outside */
	size_t xml_max_bytes;
	long xml_max_depth;
	size_t attachment_max_bytes;
	size_t model_max_bytes;
	/* HTTP intake, health and metrics */
	char http_listen[64];
	char http_cert_file[CONFIG_STR_MAX];
	char http_key_file[CONFIG_STR_MAX];
	char http_client_ca_file[CONFIG_STR_MAX];
	long http_connections;
	long http_connections_per_client;
	long http_head_timeout;
	/* the workbench (robot/web, docs/workbench.md) */
	char web_listen[64];
	char web_cert_file[CONFIG_STR_MAX];
	char web_key_file[CONFIG_STR_MAX];
	char web_sso_header[64];
	char web_trusted_proxies[CONFIG_STR_MAX];
	long web_session_idle;
	long web_session_max;
	long web_connections;
	long web_connections_per_client;
	/* logging */
	char log_level[16];
	/* out-of-county care */
	long care_wait_days;
	char rounding_account[32];
	char care_rules_file[CONFIG_STR_MAX];
	/* matching and booking suggestions */
	char match_rules_file[CONFIG_STR_MAX];
	/* the ERP (connectors/erp.h, docs/erp.md) */
	char erp_url[CONFIG_STR_MAX];
	char erp_ca_file[CONFIG_STR_MAX];
	char erp_client_cert[CONFIG_STR_MAX];
	char erp_client_key[CONFIG_STR_MAX];
	char erp_token_url[CONFIG_STR_MAX];
	char erp_client_id[256];
	char erp_client_secret_file[CONFIG_STR_MAX];
	char erp_scope[256];
	long erp_timeout_ms;
	long erp_max_attempts;
	long erp_backoff_ms;
	long erp_backoff_max_ms;
	long erp_connections;
	char erp_link_base[CONFIG_STR_MAX];
	/* waiting for the ERP (docs/erp.md, "When the ERP is not there") */
	long erp_retry_window;      /* seconds */
	long erp_breaker_failures;
	long erp_breaker_wait_ms;
	long erp_setup_rejections;
	char erp_lookup_url[CONFIG_STR_MAX];
	char erp_supplier_url[CONFIG_STR_MAX];
	char supplier_series[CONFIG_STR_MAX];
	char erp_care_unmasked_texts[4];   /* "no" or "yes" */
} ulf_config;

/* Every setting at its default. */
void config_init(ulf_config *cfg);

/*
 * Reads `path` over the defaults into *out.  Unknown names, bad values and
 * duplicates are errors naming file and line; *out is only written when the
 * whole file is valid.
 */
int config_load(ulf_config *out, const char *path, ulf_err *err);

/*
 * Every problem in `path`, each given to fn (as "FILE:LINE: name: why" or
 * "FILE: why" for settings that do not fit together); *out_n (may be
 * NULL) is how many.  Where config_load stops at the first, this goes on
 * (`ulf config check`).  Returns 0 when there is none, else the first
 * one's code; a file that cannot be read is one problem.
 */
typedef void (*config_problem_fn)(const char *msg, void *ctx);
int config_check(size_t *out_n, const char *path, config_problem_fn fn, void *ctx);

/*
 * The problems of settings that must fit together, in a configuration
 * whose settings are each valid: half-configured TLS (a certificate
 * without its key, or the other way round, or client certificates
 * without HTTPS), plain HTTP on an address that is not loopback, for
 * http_listen and web_listen, and the workbench and the intake on one
 * address.  Each goes to fn; returns how many.  config_load refuses a
 * configuration with any.
 */
size_t config_cross_check(const ulf_config *cfg, config_problem_fn fn, void *ctx);

/* Whether a listen address ("127.0.0.1:8480") is on the loopback
 * interface (127.0.0.0/8). */
bool config_listen_loopback(const char *listen);

/*
 * Like config_load, for a reload: additionally refuses a change to a
 * setting that is not reloadable (compared with `current`).
 */
int config_reload(ulf_config *out, const ulf_config *current, const char *path,
		  ulf_err *err);

/* The values setting `name` may take, NULL-terminated; NULL when it takes
 * any its type allows (or there is no such setting). */
const char *const *config_choices(const char *name);

/* Writes the documented sample configuration (every setting, default). */
void config_write_sample(FILE *out);

/* The ERP client settings the configuration asks for; the strings point
 * into cfg, which must outlive *out. */
void config_erp(erp_config *out, const ulf_config *cfg);

/* The retry policy the configuration asks for, for a posting that waits
 * between attempts (erp_post_with_retries, `ulf erp-post`): erp_max_attempts,
 * erp_backoff_ms, erp_backoff_max_ms; jitter from the system, no stop flag
 * (the caller sets one if it wants). */
void config_erp_retry(erp_retry_policy *out, const ulf_config *cfg);

/* The reader limits the configuration asks for. */
void config_reader_opts(reader_opts *out, const ulf_config *cfg);

#endif

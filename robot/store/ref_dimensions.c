/*
 * ref_dimensions.c - the register of accounts and dimension values (cost
 * centres, activities, projects, VAT codes) a handler's booking is checked
 * against when it is saved.  See refdata.h.
 */
#include <string.h>

#include "robot/store/ref_sql.h"

static const char *const sql[Q_COUNT_] = {
	[Q_DIM_PUT] =
		"INSERT INTO ref_dimensions (dimension, code, name, active, updated_at)"
		" VALUES (?, ?, ?, ?, ?) ON CONFLICT (dimension, code) DO UPDATE SET"
		" name = excluded.name, active = excluded.active, updated_at = excluded.updated_at",
	[Q_DIM_GET] = "SELECT active FROM ref_dimensions WHERE dimension = ? AND code = ?",
	[Q_DIM_ANY] = "SELECT 1 FROM ref_dimensions WHERE dimension = ? LIMIT 1",
};

int refdata_put_dimension(bool *out_updated, refdata *r, const char *dimension,
			  const char *code, const char *name, bool active, int64_t now,
			  ulf_err *err)
{
	db_stmt *st;
	int rc;

	*out_updated = false;
	if (!dimension || !*dimension || !code || !*code)
		return ulf_err_set(err, ULF_EINVAL, "a dimension value needs a dimension and a code");
	rc = ref_stmt(&st, r, sql, Q_DIM_GET, err);
	if (rc)
		return rc;
	rc = db_bind_row(st, err, DBV_TEXT(dimension), DBV_TEXT(code));
	if (rc == 0)
		rc = db_step(st, err);
	db_reset(st);
	if (rc < 0)
		return rc;
	*out_updated = rc == 1;
	rc = ref_stmt(&st, r, sql, Q_DIM_PUT, err);
	if (rc)
		return rc;
	rc = db_bind_row(st, err, DBV_TEXT(dimension), DBV_TEXT(code), ref_opt(name),
			 DBV_INT(active ? 1 : 0), DBV_INT(now));
	if (rc) {
		db_reset(st);
		return rc;
	}
	return ref_exec(st, err);
}

int refdata_dimension_known(bool *out_known, bool *out_registered, refdata *r,
			    const char *dimension, const char *code, ulf_err *err)
{
	db_stmt *st;
	int rc;

	*out_known = *out_registered = false;
	rc = ref_exists(out_registered, r, sql, Q_DIM_ANY, dimension, NULL, NULL, err);
	if (rc || !*out_registered || !code || !*code)
		return rc;
	rc = ref_stmt(&st, r, sql, Q_DIM_GET, err);
	if (rc)
		return rc;
	rc = db_bind_row(st, err, DBV_TEXT(dimension), DBV_TEXT(code));
	if (rc == 0)
		rc = db_step(st, err);
	if (rc == 1)
		*out_known = db_col_int(st, 0) == 1;
	db_reset(st);
	return rc < 0 ? rc : 0;
}

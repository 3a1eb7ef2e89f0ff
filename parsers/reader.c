/*
 * reader.c - syntax detection and dispatch.  See reader.h.
 */
#include <stdlib.h>
#include <string.h>

#include "core/fileio.h"
#include "parsers/reader.h"
#include "parsers/ubl.h"

void reader_opts_init(reader_opts *opts)
{
	opts->xml.max_bytes = XML_DEFAULT_MAX_BYTES;
	opts->xml.max_depth = XML_DEFAULT_MAX_DEPTH;
	opts->inv.max_attachment_bytes = INV_DEFAULT_MAX_ATTACHMENT;
	opts->inv.max_model_bytes = INV_DEFAULT_MAX_MODEL;
	opts->claims = false;
}

int reader_read(ulf_document *out, const char *buf, size_t len, const char *name,
		const reader_opts *opts, bool keep_xml, ulf_err *err)
{
	reader_opts defaults;
	xml_doc *xml = NULL;
	const xml_node *root;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!opts) {
		reader_opts_init(&defaults);
		opts = &defaults;
	}
	rc = xml_parse(&xml, buf, len, name, &opts->xml, err);
	if (rc)
		goto out;
	root = xml_root(xml);
	if (ubl_is_invoice(xml)) {
		out->kind = DOC_INVOICE;
		rc = ubl_read(&out->inv, xml, name, &opts->inv, err);
	} else if (svefaktura_is_invoice(xml)) {
		out->kind = DOC_INVOICE;
		rc = svefaktura_read(&out->inv, xml, name, &opts->inv, err);
	} else if (svefaktura_is_envelope(xml)) {
		out->kind = DOC_SVE_ENVELOPE;
		rc = svefaktura_envelope_read(&out->env, xml, name, &opts->inv, err);
	} else if (opts->claims && claim_is_claim(xml)) {
		out->kind = DOC_CLAIM;
		rc = claim_read(&out->claim, xml, name, &opts->inv, err);
	} else {
		rc = ulf_err_set(err, ULF_ESYNTAX, "%s: not an invoice: root is {%s}%s",
				 name, xml_ns(root) ? xml_ns(root) : "", xml_name(root));
	}
out:
	if (rc == 0 && keep_xml) {
		out->xml = xml;
		xml = NULL;
	}
	xml_doc_free(xml);
	if (rc)
		reader_document_release(out);
	return rc;
}

int reader_read_file(ulf_document *out, const char *path, const reader_opts *opts,
		     bool keep_xml, ulf_err *err)
{
	char *buf = NULL;
	size_t len = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = file_read(&buf, &len, path, opts ? opts->xml.max_bytes : XML_DEFAULT_MAX_BYTES, err);
	if (rc == 0)
		rc = reader_read(out, buf, len, path, opts, keep_xml, err);
	free(buf);
	return rc;
}

void reader_document_release(ulf_document *doc)
{
	if (!doc)
		return;
	invoice_free(doc->inv);
	svefaktura_envelope_free(doc->env);
	claim_free(doc->claim);
	xml_doc_free(doc->xml);
	memset(doc, 0, sizeof(*doc));
}

int reader_read_claim(claim **out, const void *buf, size_t len, const char *name,
		      const reader_opts *opts, ulf_err *err)
{
	reader_opts defaults;

	if (!opts) {
		reader_opts_init(&defaults);
		opts = &defaults;
	}
	return claim_read_buffer(out, buf, len, name, &opts->xml, &opts->inv, err);
}

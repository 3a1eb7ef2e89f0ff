#!/usr/bin/python3
"""test_dashboard.py - the controllers' dashboard in a real headless
Chromium (ctest -L browser; skipped, exit 77, without chromium,
chromium-driver or python3-selenium).

The robot runs once over a small fixture: clean invoices it posts, invoices
that go to the queue (price deviation, goods not received, unknown
supplier), a PDF (not an e-invoice), a care invoice with its claim (which
names a patient by personnummer), and the same bytes delivered twice.  Then:

  - a controller logs in and sees "Dashboard" in the top bar; the overview
    and every theme page open, each with a period selector, and the
    overview's trend lines are inline SVG;
  - figures on the pages - the touchless rate, exceptions per reason, the
    queue's size by reason, the share of e-invoices, this week's board
    counts - equal what this test computes itself from the store's
    documents, events and audit tables (python sqlite3), not from ulf's
    rollups nor through ulf's code;
  - every table's CSV download equals the table on its page;
  - a handler (no controller role) sees no Dashboard link and gets 403 on
    /dashboard, a theme page and a CSV;
  - no page or CSV holds anything shaped like a personnummer.

Screenshots of the overview and the weekly board go to tests/browser/out/.
"""
import csv
import datetime
import io
import json
import os
import re
import sys
import urllib.parse
import zoneinfo

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

h = harness.Harness("dashboard")
from selenium.webdriver.common.by import By  # noqa: E402

problems = 0


def check(ok, what):
    global problems
    if not ok:
        problems += 1
        print("PROBLEM: " + what)
    return ok


def must(ok, what):
    if not ok:
        h.fail(what)


def step(what):
    print("-- " + what)


PW = {"carl": "carl-passphrase-4", "anna": "anna-passphrase-1", "adam": "adam-passphrase-5"}

# ---- the fixture -------------------------------------------------------------------------
step("the robot runs once over the fixture")
h.start_sim()
h.write_conf()
h.import_samples()
for i, name in enumerate((
        "invoices/peppol-invoice-sormland.xml",
        "invoices/peppol-invoice-sormland-price-deviation.xml",
        "invoices/peppol-invoice-vastmanland-not-received.xml",
        "invoices/peppol-invoice-unknown-supplier.xml",
        "invoices/peppol-invoice-vastmanland-partial.xml",
        "invoices/peppol-invoice-rent-nonpo.xml",
        "invoices/peppol-creditnote-vastmanland.xml",
        "care/mismatch-claim.xml",
        "care/mismatch-invoice.xml")):
    h.inbox("%02d-%s" % (i, os.path.basename(name)), h.sample(name))
h.inbox("20-scan.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
h.ulf("run", "--once")

# ten weeks of history before this month, so the trend lines have a course:
# loaded as documents' lives (`ulf dashboard import-lives`), outside the
# period the figures below are checked for
SE = zoneinfo.ZoneInfo("Europe/Stockholm")
today = datetime.datetime.now(SE).date()
month_start = today.replace(day=1)
lives = os.path.join(h.work, "lives.csv")
with open(lives, "w") as f:
    f.write("source,id,received,kind,outcome,flow,lines,decided,acted,posted,handler\n")
    n = 0
    for k in range(1, 11):
        day = month_start - datetime.timedelta(days=7 * k)
        at = lambda minutes: (datetime.datetime.combine(day, datetime.time(10, 0)) +  # noqa: E731
                              datetime.timedelta(minutes=minutes)).strftime("%Y-%m-%d %H:%M")
        for i in range(2 + k % 4):
            n += 1
            f.write("fixture,L%d,%s,invoice,auto,po,2,,,%s,\n" % (n, at(i), at(i + 5)))
        for i in range(k % 3):
            n += 1
            f.write("fixture,L%d,%s,invoice,resolve,po,2,%s,%s,%s,anna\n"
                    % (n, at(i), at(i + 1), at(i + 60), at(i + 120)))
        if k % 2:
            n += 1
            f.write("fixture,L%d,%s,paper,open,,,%s,%s,,anna\n" % (n, at(0), at(1), at(30)))
h.ulf("dashboard", "import-lives", lives)
period_from = int(datetime.datetime.combine(month_start, datetime.time(0), SE).timestamp())
period_to = int(datetime.datetime.combine(today + datetime.timedelta(days=1), datetime.time(0),
                                          SE).timestamp())

# the same bytes again: no new document
h.inbox("30-again.xml", h.sample("invoices/peppol-invoice-sormland.xml"))
h.ulf("run", "--once")

for name, role in (("carl", "controller"), ("anna", "handler"), ("adam", "admin")):
    h.add_user(name, role, PW[name])
h.start_web()

# ---- the figures, computed from the store directly ------------------------------------------
APART = {"NOT_EINVOICE", "NOT_AN_INVOICE", "UNREADABLE", "DUPLICATE"}
ERP_ONLY = {"ERP_SETUP", "ERP_UNREACHABLE"}
INVOICE_KINDS = ("invoice", "credit_note", "creditnote", "credit-note")


def reasons_of(text):
    """documents.reasons: a JSON array of reason codes"""
    return json.loads(text) if text else []


docs = h.db("select id, kind, state, reasons from documents where received_at >= ? and received_at < ?",
            (period_from, period_to))
must(h.db("select count(*) from documents where received_at < ?", (period_from,))[0][0] > 20,
     "the history before the period was loaded")
persons = {row[0] for row in h.db(
    "select distinct doc_id from audit where doc_id is not null and who not in ('robot', 'ulf')")}
queued_ever = {row[0] for row in h.db("select distinct doc_id from events where to_state = 'exception'")}
print("documents: " + ", ".join("%s/%s/%s" % (k, s, "+".join(reasons_of(r))) for _, k, s, r in docs))


def is_invoice(kind, reasons):
    return kind in INVOICE_KINDS and not (set(reasons) & APART)


decided = touchless = 0
einv = not_einv = 0
entries = {}
queue_now = {}
in_all = 0
for doc, kind, st, rtext in docs:
    rs = reasons_of(rtext)
    if kind in INVOICE_KINDS or set(rs) & (APART | ERP_ONLY) or st == "exception":
        in_all += 1
    if "NOT_EINVOICE" in rs:
        not_einv += 1
    elif kind in INVOICE_KINDS and "DUPLICATE" not in rs:
        einv += 1
    if doc in queued_ever:
        for r in rs:
            entries[r] = entries.get(r, 0) + 1
    if not is_invoice(kind, rs):
        continue
    if st == "posted":
        decided += 1
        if doc not in persons and doc not in queued_ever:
            touchless += 1
    elif st == "rejected" or (st == "exception" and not set(rs) <= ERP_ONLY):
        decided += 1
# the queue now: every document waiting, whenever it came
backlog = 0
for (rtext,) in h.db("select reasons from documents where state = 'exception'"):
    backlog += 1
    for r in reasons_of(rtext):
        queue_now[r] = queue_now.get(r, 0) + 1
must(decided > touchless > 0, "the fixture has touchless and touched invoices (%d of %d)"
     % (touchless, decided))
must(not_einv == 1, "the fixture has one document that is not an e-invoice (%d)" % not_einv)


def rate(num, den):
    """ten-thousandths, rounded half up, as docs/dashboard.md says"""
    return "" if den == 0 else "%.4f" % ((num * 10000 * 2 + den) // (2 * den) / 10000)


# ---- a controller -----------------------------------------------------------------------------
step("a controller opens the overview")
b = h.browser()
h.login(b, "carl", PW["carl"])
nav = [a.text for a in b.find_elements(By.CSS_SELECTOR, "nav a")]
check("Dashboard" in nav, "the controller's top bar has Dashboard (%s)" % nav)
h.go(b, "/dashboard")
check(b.find_element(By.TAG_NAME, "h1").text == "Dashboard", "the overview's heading")
check(len(b.find_elements(By.CSS_SELECTOR, "form.dash-period input[name=from]")) == 1,
      "the overview has a period selector")
sparks = b.find_elements(By.CSS_SELECTOR, "svg.spark polyline")
check(len(sparks) >= 4, "the overview draws trend lines as SVG (%d)" % len(sparks))


def value(fig):
    return b.find_element(By.CSS_SELECTOR, "#%s .dash-value" % fig).get_attribute("data-value")


check(value("fig-touchless") == rate(touchless, decided),
      "touchless rate on the page %s, from the store %s (%d/%d)"
      % (value("fig-touchless"), rate(touchless, decided), touchless, decided))
check(value("fig-einvoice") == rate(einv, einv + not_einv),
      "e-invoice share on the page %s, from the store %s (%d/%d)"
      % (value("fig-einvoice"), rate(einv, einv + not_einv), einv, einv + not_einv))
check(value("fig-queue") == str(backlog),
      "queue size on the page %s, from the store %d" % (value("fig-queue"), backlog))
h.shot(b, "dashboard-overview", full=True)
cookie = h.cookie(b)
pages = {"/dashboard": b.page_source}


def table(section):
    """the rows of the table in section#t-NAME as lists of cell texts, header first"""
    rows = []
    for tr in b.find_elements(By.CSS_SELECTOR, "#t-%s table tr" % section):
        rows.append([c.get_attribute("textContent") for c in tr.find_elements(By.CSS_SELECTOR, "th, td")])
    return rows


csvs = {}


def csv_of(name, query=""):
    st, hd, body = h.http("GET", "/dashboard/%s.csv%s" % (name, query), cookie=cookie)
    must(st == 200, "GET /dashboard/%s.csv: %d" % (name, st))
    check(hd.get("content-type", "").startswith("text/csv"), "%s.csv is text/csv" % name)
    text = body.decode("utf-8")
    csvs[name] = text
    # a CSV of parts (an empty line between) is a table each on the page
    return [r for r in csv.reader(io.StringIO(text)) if r]


def by_first(rows, col):
    head = rows[0]
    i = head.index(col)
    return {r[0]: r[i] for r in rows[1:]}


THEMES = {
    "exceptions": ("reasons", "top-suppliers", "suppliers"),
    "queue": ("queue", "queue-reasons"),
    "lead": ("lead",),
    "board": ("board", "handlers"),
    "trends": ("compare", "trend-weeks", "trend-months"),
    "indicators": ("einvoice", "tail", "tail-suppliers", "new-suppliers", "contract",
                   "without-contract"),
}
tables = {"touchless": table("touchless")}
for theme, names in THEMES.items():
    step("the %s page" % theme)
    h.go(b, "/dashboard/" + theme)
    check(len(b.find_elements(By.CSS_SELECTOR, "form.dash-period")) == 1,
          "%s has a period selector" % theme)
    check(b.find_element(By.TAG_NAME, "h1").text != "", "%s has a heading" % theme)
    pages["/dashboard/" + theme] = b.page_source
    for name in names:
        check(len(b.find_elements(By.CSS_SELECTOR, "#t-%s a.csv" % name)) == 1,
              "%s has a CSV link for %s" % (theme, name))
        tables[name] = table(name)
    if theme == "board":
        check(len(b.find_elements(By.CSS_SELECTOR, ".dash-wall")) == 1, "the board is in wall type")
        h.shot(b, "dashboard-board", full=True)

step("every CSV equals its table")
for name, rows in tables.items():
    data = csv_of(name)
    if not rows:   # an empty table: the CSV has no rows either
        check(len(data) <= 1, "%s: no table on the page, %d CSV rows" % (name, len(data)))
        continue
    # the page shows the CSV's column names with spaces for underscores
    if data:
        for i, r in enumerate(rows):
            if r == [c.replace("_", " ") for c in r] and i < len(data) and \
                    r == [c.replace("_", " ") for c in data[i]]:
                rows[i] = data[i]
    check(rows == data, "%s: the CSV equals the page's table\n  page %r\n  csv  %r"
          % (name, rows[:4], data[:4]))

step("figures against the store")
reasons = by_first(tables["reasons"], "count") if tables["reasons"] else {}
check(reasons == {k: str(v) for k, v in entries.items()},
      "exceptions per reason: page %s, store %s" % (reasons, entries))
qr = by_first(tables["queue-reasons"], tables["queue-reasons"][0][1]) if tables["queue-reasons"] else {}
check(qr == {k: str(v) for k, v in queue_now.items()},
      "queue by reason: page %s, store %s" % (qr, queue_now))
tl = tables["touchless"]
head = tl[0]
total = tl[-1]
check(total[0] == "all", "the touchless table ends with all flows (%s)" % total)
check(total[head.index("decided")] == str(decided) and total[head.index("touchless")] == str(touchless),
      "touchless table's total %s: store decided %d touchless %d" % (total, decided, touchless))
e = tables["einvoice"]
check(e[1][e[0].index("einvoice_share")] == rate(einv, einv + not_einv),
      "e-invoice share table %s: store %s" % (e, rate(einv, einv + not_einv)))
bd = tables["board"]
week = dict(zip(bd[0], bd[-1]))
print("this week on the board: %s" % week)
check(week.get("in") == str(in_all), "board: in this week %s, store %d" % (week.get("in"), in_all))
check(week.get("posted_by_robot") == str(touchless),
      "board: posted by the robot %s, store %d" % (week.get("posted_by_robot"), touchless))
check(week.get("backlog_at_week_end") == str(backlog),
      "board: backlog %s, store %d" % (week.get("backlog_at_week_end"), backlog))

step("a period in the query reaches the export")
st, _, body = h.http("GET", "/dashboard/reasons.csv?from=2001-01-01&to=2001-01-31", cookie=cookie)
check(st == 200 and len(body.decode().strip().splitlines()) <= 1,
      "a period with nothing in it: an empty table (%d, %r)" % (st, body[:80]))
st, _, _ = h.http("GET", "/dashboard/nosuch.csv", cookie=cookie)
check(st == 404, "a table that does not exist: 404 (%d)" % st)

# ---- an administrator may look too (the permission table) ------------------------------------
step("an administrator")
st, _, _ = h.http("GET", "/dashboard", cookie=None)
check(st == 303, "without a session: to the login (%d)" % st)
a = h.browser()
h.login(a, "adam", PW["adam"])
h.go(a, "/dashboard/queue")
check("The queue now" in a.page_source, "the administrator sees the queue page")
h.close(a)

# ---- a handler is refused ---------------------------------------------------------------------
step("a handler is refused")
hb = h.browser()
h.login(hb, "anna", PW["anna"])
nav = [x.text for x in hb.find_elements(By.CSS_SELECTOR, "nav a")]
check("Dashboard" not in nav, "no Dashboard link for a handler (%s)" % nav)
hc = h.cookie(hb)
for path in ("/dashboard", "/dashboard/board", "/dashboard/reasons.csv", "/dashboard/queue.csv"):
    st, _, body = h.http("GET", path, cookie=hc)
    check(st == 403, "a handler's GET %s: %d" % (path, st))
    check(b"Touchless" not in body and b"reason," not in body, "a handler's %s shows no figures" % path)
h.close(hb)

# ---- no personnummer --------------------------------------------------------------------------
step("no personnummer on any page or export")


def luhn(digits):
    s = 0
    for i, ch in enumerate(digits):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        s += d - 9 if d > 9 else d
    return s % 10 == 0


def pnr_like(text):
    found = []
    for m in re.finditer(r"(?<!\d)(\d{2})?(\d{2})(\d{2})(\d{2})[-+]?(\d{4})(?!\d)", text):
        mm, dd = int(m.group(3)), int(m.group(4))
        if not (1 <= mm <= 12 and (1 <= dd <= 31 or 61 <= dd <= 91)):
            continue
        if luhn(m.group(2) + m.group(3) + m.group(4) + m.group(5)):
            found.append(m.group(0)[:6] + "...")
    return found


claim_pnr = pnr_like(h.sample("care/mismatch-claim.xml").decode("utf-8", "replace"))
must(claim_pnr, "the fixture's care claim names a patient by personnummer")
for where, text in list(pages.items()) + [(n + ".csv", t) for n, t in csvs.items()]:
    hits = pnr_like(text)
    check(not hits, "%s holds something shaped like a personnummer (%s)" % (where, hits))

if problems:
    h.fail("%d problem(s)" % problems)
print("ok: the dashboard's pages and exports, %d tables, against the store" % len(tables))

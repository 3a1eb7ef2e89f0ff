#!/usr/bin/python3
"""test_workbench.py - a handler's day in the workbench, in a real headless
Chromium (ctest -L browser; skipped, exit 77, without chromium,
chromium-driver or python3-selenium).

The robot runs once over invoices that wait for a person: the samples'
price deviation and goods not received, an unknown supplier, a copy of
the price deviation under another number, a supplier whose name holds
<script>, and a care invoice whose claim names a patient by personnummer.
Then, driven as people would:

  - a handler logs in, filters the queue, moves with j/k and opens the
    invoice with the price deviation with Enter; invoice and order lines
    stand side by side, the deviation and its tolerance marked;
  - she books a line on an account not in the chart: the server's check
    says so at the field and nothing changes; she corrects it and
    approves: the ERP simulator receives exactly that booking, once (the
    robot runs twice after);
  - she rejects another with a reason code: its Invoice Response exists,
    with the code and the reason;
  - two handlers approve the same invoice: the second gets "changed by
    ... reload", and the ERP gets it once;
  - a handler sees the care claim's personnummer masked; a care handler
    unmasks it with a reason, and the history shows it;
  - a controller's approve request, made by hand with its session cookie
    and a valid CSRF token, gets 403; so does one without the token;
  - the <script> supplier name shows as text, and no script runs;
  - every page, its downloads and /documents/N without a session or a
    token are sent to the login or refused.

Figures on the pages are checked against the store read directly (python
sqlite3), not through ulf.  Screenshots of the list and the invoice page go
to tests/browser/out/ in the build folder.
"""
import decimal
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import swedish  # noqa: E402

h = harness.Harness("workbench")
from selenium.common.exceptions import NoAlertPresentException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

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


PW = {"anna": "anna-passphrase-1", "bert": "bert-passphrase-2",
      "cara": "cara-passphrase-3", "carl": "carl-passphrase-4", "adam": "adam-passphrase-5"}

# ---- the robot's day before ours ---------------------------------------------------------
step("the robot runs once")
h.start_sim()
h.write_conf()
h.import_samples()
# the chart of accounts a handler's booking is checked against (other
# dimensions are not loaded, so not checked)
dims = os.path.join(h.work, "dimensions.csv")
with open(dims, "w") as f:
    f.write("dimension;code;name;active\n"
            "account;4010;Förbrukningsmaterial;yes\n"
            "account;6110;Kontorsmaterial;yes\n"
            "account;3740;Öresavrundning;yes\n"
            "account;5410;Förbrukningsinventarier;no\n")
h.ulf("import", "dimensions", dims)
price = h.sample("invoices/peppol-invoice-sormland-price-deviation.xml")
h.inbox("a-price-deviation.xml", price)
h.inbox("b-not-received.xml", h.sample("invoices/peppol-invoice-vastmanland-not-received.xml"))
# the copy carries the clean sample's delivery note, an embedded PDF
clean = h.sample("invoices/peppol-invoice-sormland.xml")
pdf_ref = clean[clean.index(b"  <cac:AdditionalDocumentReference>"):
                clean.index(b"  <cac:AccountingSupplierParty>")]
h.inbox("c-price-copy.xml", price
        .replace(b"<cbc:ID>2025100512</cbc:ID>", b"<cbc:ID>2025100520</cbc:ID>", 1)
        .replace(b"  <cac:AccountingSupplierParty>", pdf_ref + b"  <cac:AccountingSupplierParty>", 1))
unknown = h.sample("invoices/peppol-invoice-unknown-supplier.xml")
h.inbox("d-unknown.xml", unknown)
SCRIPT_NAME = "St\u00e4d <script>alert('x')</script> & Co AB"
h.inbox("e-script.xml", unknown
        .replace("Nyföretaget Städ &amp; Service AB".encode(),
                 "Städ &lt;script&gt;alert('x')&lt;/script&gt; &amp; Co AB".encode())
        .replace(b"<cbc:ID>F-1001</cbc:ID>", b"<cbc:ID>F-2001</cbc:ID>", 1))
h.inbox("f-claim.xml", h.sample("care/mismatch-claim.xml"))
h.inbox("g-care-invoice.xml", h.sample("care/mismatch-invoice.xml"))
h.inbox("h-clean.xml", h.sample("invoices/peppol-invoice-sormland.xml"))
h.ulf("run", "--once")


def doc_id(number):
    rows = h.db("select id from documents where invoice_number = ? and kind = 'invoice'", (number,))
    must(len(rows) == 1, "one document numbered %s, got %d" % (number, len(rows)))
    return rows[0][0]


def state(doc):
    return h.db("select state from documents where id = ?", (doc,))[0][0]


A, B, C = doc_id("2025100512"), doc_id("K2025-0107"), doc_id("2025100520")
D, E, CARE = doc_id("F-1001"), doc_id("F-2001"), doc_id("90458")
for d in (A, B, C, D, E, CARE):
    must(state(d) == "exception", "document %d waits in the queue (it is %s)" % (d, state(d)))
booked_before = len(h.bookings())
must(booked_before == 1, "the clean invoice was posted by the robot (%d bookings)" % booked_before)

for name, role in (("anna", "handler"), ("bert", "handler"), ("cara", "care_handler"),
                   ("carl", "controller"), ("adam", "admin")):
    h.add_user(name, role, PW[name])
h.start_web()

# ---- nobody logged in: every door closed ---------------------------------------------------
step("without a session")
for path in ("/queue", "/queue/%d" % A, "/queue/%d/attachment/1" % A,
             "/queue/%d/response.xml" % B, "/queue?reason=PRICE_DEVIATION"):
    st, hd, _ = h.http("GET", path)
    check(st == 303 and hd.get("location", "").startswith("/login?next="),
          "GET %s without a session: %d %s" % (path, st, hd.get("location")))
for action in ("approve", "booking", "reject", "hold", "assign", "comment", "retry", "unmask"):
    st, _, _ = h.http("POST", "/queue/%d/%s" % (A, action), fields={"version": "1"})
    check(st == 403, "POST %s without a session: %d" % (action, st))
st, _, _ = h.http("GET", "/documents/%d" % A)
check(st in (401, 403, 404) or st == 303, "GET /documents/N on the workbench: %d" % st)

# ---- a handler's list --------------------------------------------------------------------
step("anna logs in and reads the queue")
anna = h.browser()
h.go(anna, "/queue")
must("/login" in anna.current_url, "the queue sent a stranger to the login (%s)" % anna.current_url)
h.login(anna, "anna", PW["anna"])
must(anna.current_url.endswith("/queue"), "after the login, back to the queue: " + anna.current_url)
page = anna.page_source

# no script of the page's own making runs: only the two served files
scripts = anna.execute_script(
    "return Array.prototype.map.call(document.scripts, function (s) { return s.src; })")
check(all(s.startswith(h.base + "/assets/") for s in scripts) and len(scripts) == 2,
      "scripts on the page: %r" % scripts)
try:
    anna.switch_to.alert
    check(False, "an alert opened: a script ran")
except NoAlertPresentException:
    pass

# every waiting document, its figures as the store has them
waiting = h.db("select id, invoice_number, payable, currency, reasons, seller_name from documents"
               " where state = 'exception' order by id")
rows = anna.find_elements(By.CSS_SELECTOR, "table.queue tbody tr")
check(len(rows) == len(waiting), "%d rows for %d waiting documents" % (len(rows), len(waiting)))
for doc, number, payable, currency, reasons, seller in waiting:
    try:
        row = anna.find_element(By.ID, "doc-%d" % doc)
    except Exception:
        check(False, "no row for document %d" % doc)
        continue
    cells = row.find_elements(By.TAG_NAME, "td")
    check(cells[1].text == number, "document %d: number %r, store %r" % (doc, cells[1].text, number))
    # textContent: the exact characters, no-break spaces as they are
    want = "%s %s" % (swedish(payable), currency)
    got = cells[2].get_attribute("textContent")
    check(got == want, "document %d: amount %r, store %r" % (doc, got, want))
    shown = [e.text for e in row.find_elements(By.CSS_SELECTOR, "td.reasons .reason")]
    check(sorted(shown) == sorted(json.loads(reasons)),
          "document %d: reasons %r, store %s" % (doc, shown, reasons))
    check(cells[0].text.split("\n")[0] == seller,
          "document %d: supplier %r, store %r" % (doc, cells[0].text, seller))

# counts per reason, against the store
counts = {}
for (reasons,) in h.db("select reasons from documents where state = 'exception'"):
    for r in set(json.loads(reasons)):
        counts[r] = counts.get(r, 0) + 1
for chip in anna.find_elements(By.CSS_SELECTOR, "ul.counts a"):
    r = chip.get_attribute("data-reason")
    n = int(chip.find_element(By.TAG_NAME, "b").text)
    check(counts.get(r) == n, "count of %s: page %d, store %s" % (r, n, counts.get(r)))
check(len(anna.find_elements(By.CSS_SELECTOR, "ul.counts a")) == len(counts),
      "a count for every reason")

# the <script> supplier is text
row = anna.find_element(By.ID, "doc-%d" % E)
check(SCRIPT_NAME in row.text, "the <script> supplier shows as text: %r" % row.text)
check("<script>alert" not in page and "&lt;script&gt;alert(" in page,
      "the <script> supplier is escaped in the page source")
h.shot(anna, "queue")
h.shot(anna, "queue-full", full=True)

# ---- sort and page --------------------------------------------------------------------------
step("anna sorts by amount and pages two at a time")
anna.find_element(By.LINK_TEXT, "Amount").click()
WebDriverWait(anna, 10).until(lambda d: "sort=amount" in d.current_url)
shown = [int(r.get_attribute("id")[4:])
         for r in anna.find_elements(By.CSS_SELECTOR, "table.queue tbody tr")]
check([decimal.Decimal(dict((w[0], w[2]) for w in waiting)[i]) for i in shown] ==
      sorted(decimal.Decimal(w[2]) for w in waiting), "smallest amount first: %r" % shown)
anna.find_element(By.PARTIAL_LINK_TEXT, "Amount").click()
WebDriverWait(anna, 10).until(lambda d: "dir=desc" in d.current_url)
shown = [int(r.get_attribute("id")[4:])
         for r in anna.find_elements(By.CSS_SELECTOR, "table.queue tbody tr")]
check([decimal.Decimal(dict((w[0], w[2]) for w in waiting)[i]) for i in shown] ==
      sorted((decimal.Decimal(w[2]) for w in waiting), reverse=True),
      "clicked again, largest first: %r" % shown)
h.go(anna, "/queue?n=2")
seen_ids = []
for page_no in range(1, 10):
    seen_ids += [r.get_attribute("id") for r in
                 anna.find_elements(By.CSS_SELECTOR, "table.queue tbody tr")]
    nxt = anna.find_elements(By.ID, "next")
    if not nxt:
        break
    nxt[0].click()
    WebDriverWait(anna, 10).until(lambda d, p=page_no: "page=%d" % (p + 1) in d.current_url)
check(sorted(seen_ids) == sorted("doc-%d" % w[0] for w in waiting) and
      len(seen_ids) == len(waiting), "two a page, every document once: %r" % seen_ids)
h.go(anna, "/queue")

# ---- filter, move with the keys, open ------------------------------------------------------
step("anna filters by reason and supplier, moves with j and opens with Enter")
Select(anna.find_element(By.ID, "f-reason")).select_by_value("PRICE_DEVIATION")
anna.find_element(By.ID, "f-supplier").send_keys("Exempelgrossisten")
anna.find_element(By.ID, "f-apply").click()
WebDriverWait(anna, 10).until(lambda d: "reason=PRICE_DEVIATION" in d.current_url)
check("supplier=Exempelgrossisten" in anna.current_url, "the supplier filter in the URL")
ids = [r.get_attribute("id") for r in anna.find_elements(By.CSS_SELECTOR, "table.queue tbody tr")]
check(sorted(ids) == sorted(["doc-%d" % A, "doc-%d" % C]),
      "filtered rows: %r (want A and C)" % ids)
body = anna.find_element(By.TAG_NAME, "body")
for _ in range(len(ids) + 1):
    body.send_keys("j")
    sel = anna.find_elements(By.CSS_SELECTOR, "table.queue tr.selected")
    if sel and sel[0].get_attribute("id") == "doc-%d" % A:
        break
    body = anna.switch_to.active_element
must(anna.find_elements(By.CSS_SELECTOR, "tr.selected#doc-%d" % A), "j selected the invoice")
anna.switch_to.active_element.send_keys(Keys.ENTER)
WebDriverWait(anna, 10).until(lambda d: d.current_url.endswith("/queue/%d" % A))

# ---- the invoice beside its order ------------------------------------------------------------
step("the invoice with the price deviation, beside the order")
line1 = anna.find_element(By.ID, "line-1")
inv_price = line1.find_element(By.CSS_SELECTOR, "td.inv-price")
ord_price = line1.find_element(By.CSS_SELECTOR, "td.ord-price")
order_line = h.db("select price, net, quantity from ref_order_lines where order_no = ? and line_id = ?",
                  ("DLL0861502", "1"))
must(order_line, "the order line is in the store")
check(inv_price.get_attribute("textContent") == swedish("59.90"),
      "invoice price %r" % inv_price.text)
check(ord_price.get_attribute("textContent") == swedish(order_line[0][0]),
      "order price %r, store %r" % (ord_price.text, order_line[0][0]))
check("deviation" in inv_price.get_attribute("class") and
      "deviation" in ord_price.get_attribute("class"), "the price deviation is marked")
check("DLL0861502 / 1" in line1.text, "the order line beside the invoice line: %r" % line1.text)
checks = anna.find_element(By.ID, "checks-1").text
check("tolerance 2% max 20" in checks and "allowed 1,10" in checks,
      "the tolerance that applied: %r" % checks)
payable = h.db("select payable from documents where id = ?", (A,))[0][0]
check(anna.find_element(By.ID, "payable").get_attribute("textContent") == swedish(payable) + " SEK",
      "the head's amount against the store")
vat_rows = anna.find_elements(By.CSS_SELECTOR, "#vat-breakdown tbody tr")
check(len(vat_rows) == 1 and swedish("533.88") in vat_rows[0].get_attribute("textContent"),
      "the VAT breakdown")
h.shot(anna, "invoice")
h.shot(anna, "invoice-full", full=True)

# ---- correct an account and approve ------------------------------------------------------------
step("anna corrects an account and approves")
body = anna.find_element(By.TAG_NAME, "body")
body.send_keys("b")
acc = anna.switch_to.active_element
check(acc.get_attribute("id") == "l0-account", "b moved to the first account (%s)"
      % acc.get_attribute("id"))
acc = anna.find_element(By.ID, "l0-account")
acc.clear()
acc.send_keys("9999")
anna.find_element(By.ID, "booking-button").click()
WebDriverWait(anna, 10).until(lambda d: d.find_elements(By.ID, "booking-problems"))
probs = anna.find_element(By.ID, "booking-problems").text
check("9999" in probs, "the check names the unknown account: %r" % probs)
acc = anna.find_element(By.ID, "l0-account")
check("bad" in (acc.get_attribute("class") or "") and acc.get_attribute("value") == "9999",
      "the account is marked at its field, as typed")
anna.execute_script("document.getElementById('booking').scrollIntoView()")
h.shot(anna, "booking-refused")
check(state(A) == "exception", "a refused booking changes nothing (is %s)" % state(A))
check(not h.bookings() or all(b.get("invoice_id") != "2025100512" for b in h.bookings()),
      "nothing was posted")
acc.clear()
acc.send_keys("4010")
check(anna.find_element(By.ID, "booking-sum").get_attribute("textContent") == swedish("2135.50"),
      "the running sum is the invoice's net")
anna.find_element(By.ID, "booking-button").click()
WebDriverWait(anna, 10).until(lambda d: "done=booking" in d.current_url)
check("saved and approved" in anna.find_element(By.ID, "notice").text, "the notice says so")
check(state(A) == "ready", "approved: ready to post (is %s)" % state(A))
booking = json.loads(h.db("select booking from documents where id = ?", (A,))[0][0])
check(booking["lines"][0]["account"] == "4010", "the store keeps the corrected booking")
audit = h.db("select who, action from audit where doc_id = ? order by id", (A,))
check(("anna", "approve") in [tuple(a) for a in audit] or any(a[0] == "anna" for a in audit),
      "the audit trail names anna: %r" % audit)

h.ulf("run", "--once")
h.ulf("run", "--once")
booked = [b for b in h.bookings() if b.get("invoice_id") == "2025100512"]
check(len(booked) == 1, "the ERP got invoice 2025100512 %d times" % len(booked))
if booked:
    lines = booked[0].get("lines", [])
    check([l.get("account") for l in lines] == ["4010", "6110"],
          "the ERP got the corrected accounts: %r" % lines)
    check([l.get("net_amount") for l in lines] == ["1198.00", "937.50"],
          "and the amounts: %r" % lines)
check(state(A) == "posted", "posted (is %s)" % state(A))

# ---- reject with a reason code -------------------------------------------------------------
step("anna rejects the invoice for goods not received")
h.go(anna, "/queue/%d" % B)
anna.find_element(By.TAG_NAME, "body").send_keys("r")
Select(anna.find_element(By.ID, "reject-code")).select_by_value("QTY")
anna.find_element(By.ID, "reject-reason").send_keys("Only 60 of 100 delivered; send a credit note.")
anna.find_element(By.ID, "reject-button").click()
WebDriverWait(anna, 10).until(lambda d: "done=reject" in d.current_url)
check(state(B) == "rejected", "rejected (is %s)" % state(B))
resp = h.db("select code, bytes from queue_responses where doc_id = ?", (B,))
check(len(resp) == 1, "an Invoice Response is kept for the rejection")
if resp:
    xml = resp[0][1].decode() if isinstance(resp[0][1], bytes) else resp[0][1]
    check(resp[0][0] == "QTY" and "QTY" in xml, "the response's reason code")
    check("Only 60 of 100 delivered" in xml, "the response's reason")
    check("K2025-0107" in xml, "the response names the invoice")
st, hd, data = h.http("GET", "/queue/%d/response.xml" % B, cookie=h.cookie(anna))
check(st == 200 and b"ApplicationResponse" in data and b"QTY" in data,
      "the Invoice Response downloads: %d" % st)

# ---- two handlers, one invoice -----------------------------------------------------------
step("anna downloads the delivery note of another, then she and bert approve it at once")
h.go(anna, "/queue/%d" % C)
links = anna.find_elements(By.CSS_SELECTOR, "#attachments a")
check(len(links) == 1 and "foljesedel-88213.pdf" in links[0].text, "the attachment is listed")
if links:
    href = links[0].get_attribute("href")[len(h.base):]
    st, hd, data = h.http("GET", href, cookie=h.cookie(anna))
    check(st == 200 and data.startswith(b"%PDF") and hd.get("content-type") == "application/pdf"
          and "attachment" in hd.get("content-disposition", ""),
          "the PDF downloads: %d %s %r" % (st, hd.get("content-type"), data[:8]))
    st, hd, _ = h.http("GET", href)
    check(st == 303, "not without a session: %d" % st)
bert = h.browser()
h.login(bert, "bert", PW["bert"])
h.go(bert, "/queue/%d" % C)
anna.find_element(By.ID, "approve-button").click()
WebDriverWait(anna, 10).until(lambda d: "done=approve" in d.current_url)
bert.find_element(By.ID, "approve-button").click()
WebDriverWait(bert, 10).until(lambda d: d.find_elements(By.ID, "notice"))
notice = bert.find_element(By.ID, "notice").text
check(re.search(r"changed by anna at .* reload", notice) is not None,
      "the second approval is told who was first: %r" % notice)
check(bert.find_elements(By.ID, "reload"), "a link to reload")
h.shot(bert, "conflict")
h.close(bert)
h.ulf("run", "--once")
check(len([b for b in h.bookings() if b.get("invoice_id") == "2025100520"]) == 1,
      "the ERP got the invoice both approved once")

# ---- the care claim, masked and unmasked -------------------------------------------------
step("a handler sees the personnummer masked; a care handler unmasks it with a reason")
h.go(anna, "/queue/%d" % CARE)
src = anna.page_source
ident = anna.find_elements(By.CSS_SELECTOR, "#patients .identity")
check(ident and ident[0].text == "19121212-****", "masked for a handler: %r"
      % [i.text for i in ident])
check(not re.search(r"19121212[-+]?[0-9]{4}", src), "no personnummer anywhere in the handler's page")
check(not anna.find_elements(By.ID, "unmask"), "no unmask form for a handler")
anna.execute_script("document.getElementById('claim').scrollIntoView()")
h.shot(anna, "care-masked")
st, _, _ = h.http("POST", "/queue/%d/unmask" % CARE, cookie=h.cookie(anna),
                  fields={"csrf": anna.execute_script(
                      "return document.querySelector('meta[name=csrf-token]').content"),
                      "reason": "curious"})
check(st == 403, "a handler's hand-made unmask request: %d" % st)
cara = h.browser()
h.login(cara, "cara", PW["cara"])
h.go(cara, "/queue/%d" % CARE)
cara.find_element(By.ID, "unmask-reason").send_keys("Checking the listing region with the provider")
cara.find_element(By.ID, "unmask-button").click()
WebDriverWait(cara, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#patients .identity"))
ident = cara.find_element(By.CSS_SELECTOR, "#patients .identity").text
check(re.fullmatch(r"19121212[-+]?[0-9]{4}", ident) is not None,
      "unmasked for the care handler (shown as %r)" % re.sub(r"[0-9]", "d", ident))
h.go(cara, "/queue/%d" % CARE)
hist = cara.find_element(By.ID, "history-table").text
check("cara" in hist and "unmask" in hist and "listing region" in hist,
      "the history shows the unmasking and its reason")
check(not re.search(r"19121212[-+]?[0-9]{4}", cara.page_source), "masked again on the next visit")
aud = h.db("select who, action, detail from audit where doc_id = ? and action like '%unmask%'",
           (CARE,))
check(len(aud) == 1 and aud[0][0] == "cara" and "listing region" in (aud[0][2] or ""),
      "the audit trail has the unmasking: %r" % aud)
check(not any(re.search(r"19121212[-+]?[0-9]{4}", str(a)) for a in aud), "and not the number")
h.close(cara)

# ---- a controller's hand-made approve ---------------------------------------------------------
step("a controller reads, and is refused when it acts")
carl = h.browser()
h.login(carl, "carl", PW["carl"])
h.go(carl, "/queue/%d" % E)
check(not carl.find_elements(By.CSS_SELECTOR, "form[method=post][action^='/queue/']"),
      "no action forms for a controller")
csrf = carl.execute_script("return document.querySelector('meta[name=csrf-token]').content")
version = str(h.db("select version from queue_items where doc_id = ?", (E,))[0][0])
for action, extra in (("approve", {}), ("comment", {"text": "x"}), ("reject", {"code": "OTH",
                      "reason": "x"}), ("assign", {"to": "carl"})):
    fields = {"csrf": csrf, "version": version}
    fields.update(extra)
    st, _, body = h.http("POST", "/queue/%d/%s" % (E, action), cookie=h.cookie(carl), fields=fields)
    check(st == 403, "the controller's %s: %d" % (action, st))
adam = h.browser()
h.login(adam, "adam", PW["adam"])
csrf_a = adam.execute_script("return document.querySelector('meta[name=csrf-token]').content")
st, _, _ = h.http("POST", "/queue/%d/approve" % E, cookie=h.cookie(adam),
                  fields={"csrf": csrf_a, "version": version})
check(st == 403, "the admin's approve: %d" % st)
check(state(E) == "exception" and not h.db(
    "select 1 from audit where doc_id = ? and who in ('carl', 'adam')", (E,)),
    "nothing changed by the refused requests")
h.close(carl)
h.close(adam)

# ---- a request without the CSRF token --------------------------------------------------------
step("a handler's request without the CSRF token")
ck = h.cookie(anna)
for fields in ({"version": version, "text": "no token"},
               {"version": version, "text": "wrong token", "csrf": "0" * 64}):
    st, _, _ = h.http("POST", "/queue/%d/comment" % E, cookie=ck, fields=fields)
    check(st == 403, "a comment without a valid token: %d" % st)
check(not h.db("select 1 from audit where doc_id = ? and action = 'comment'", (E,)),
      "no comment was recorded")
# with the token, the same request works (the refusals were about the token)
csrf_anna = anna.execute_script("return document.querySelector('meta[name=csrf-token]').content")
st, hd, _ = h.http("POST", "/queue/%d/comment" % E, cookie=ck,
                   fields={"version": version, "text": "asked the supplier", "csrf": csrf_anna})
check(st == 303, "the same comment with its token: %d" % st)

# ---- assign to me, put on hold: the list shows it ----------------------------------------------
step("anna takes the unknown supplier's invoice and puts it on hold")
h.go(anna, "/queue/%d" % D)
anna.find_element(By.TAG_NAME, "body").send_keys("m")
check(anna.switch_to.active_element.get_attribute("id") == "assign-me", "m moved to Assign to me")
anna.switch_to.active_element.send_keys(Keys.ENTER)
WebDriverWait(anna, 10).until(lambda d: "done=assign" in d.current_url)
check("anna" in anna.find_element(By.ID, "assignee").text, "assigned to anna")
until = anna.find_element(By.ID, "hold-until")
until.send_keys("01012999")   # the date field, as typed (dd/mm or mm/dd: the same)
if until.get_attribute("value") != "2999-01-01":   # a locale that writes the year first
    anna.execute_script("arguments[0].value = '2999-01-01'", until)
anna.find_element(By.ID, "hold-note").send_keys("waiting for the supplier's registration")
anna.find_element(By.ID, "hold-button").click()
WebDriverWait(anna, 10).until(lambda d: "done=hold" in d.current_url)
row = h.db("select assignee, hold_until from queue_items where doc_id = ?", (D,))
check(row and row[0][0] == "anna" and row[0][1] == "2999-01-01", "the store has both: %r" % row)
h.go(anna, "/queue?who=mine")
mine = [r.get_attribute("id") for r in anna.find_elements(By.CSS_SELECTOR, "table.queue tbody tr")]
check(mine == ["doc-%d" % D], "anna's own list: %r" % mine)
cell = anna.find_element(By.CSS_SELECTOR, "#doc-%d td.assignee" % D).text
check("anna" in cell and "on hold until 2999-01-01" in cell, "the list says who and until: %r" % cell)
h.go(anna, "/queue?held=not")
check(not anna.find_elements(By.ID, "doc-%d" % D), "held documents can be left out")

# ---- without JavaScript -------------------------------------------------------------------------
step("bert, without JavaScript, filters the queue and comments")
plain = h.browser(javascript=False)
h.login(plain, "bert", PW["bert"])
Select(plain.find_element(By.ID, "f-reason")).select_by_value("UNKNOWN_SUPPLIER")
plain.find_element(By.ID, "f-apply").click()
WebDriverWait(plain, 10).until(lambda d: "reason=UNKNOWN_SUPPLIER" in d.current_url)
ids = sorted(r.get_attribute("id") for r in plain.find_elements(By.CSS_SELECTOR, "table.queue tbody tr"))
check(ids == sorted(["doc-%d" % D, "doc-%d" % E]), "filtered without script: %r" % ids)
plain.find_element(By.CSS_SELECTOR, "#doc-%d a.open" % E).click()
WebDriverWait(plain, 10).until(lambda d: d.current_url.endswith("/queue/%d" % E))
plain.find_element(By.ID, "comment-text").send_keys("registration asked for by mail")
plain.find_element(By.ID, "comment-button").click()
WebDriverWait(plain, 10).until(lambda d: "done=comment" in d.current_url)
check("registration asked for by mail" in plain.find_element(By.ID, "history-table").text,
      "the comment is in the history")
h.close(plain)

# ---- /documents/N on the intake, without a token ----------------------------------------------
step("the intake's /documents/N without a token")
port = h.free_port()
run_conf = os.path.join(h.work, "run.conf")
with open(h.conf) as f:
    lines = [l for l in f.read().splitlines() if not l.startswith("web_listen")]
with open(run_conf, "w") as f:
    f.write("\n".join(lines + ["http_listen 127.0.0.1:%d" % port]) + "\n")
run_log = os.path.join(h.work, "run.log")
h.log_files.append(run_log)
svc = subprocess.Popen([h.ulf_bin, "run", "--config", run_conf], stdout=open(run_log, "w"),
                       stderr=subprocess.STDOUT)
h.procs.append(svc)
h.wait_for(20, lambda: h.http("GET", "/health", port=port)[0] == 200, "the intake")
for path in ("/documents/%d" % A, "/documents/%d" % CARE):
    st, _, _ = h.http("GET", path, port=port)
    check(st in (401, 403), "GET %s without a token: %d" % (path, st))
h.stop(svc)

# ---- a clean stop: the workbench ends on SIGTERM, exit 0 (under the
# sanitizers, also no leak) ------------------------------------------------------------------
h.stop(h.web)
check(h.web.returncode == 0, "ulf web exited %d on SIGTERM" % h.web.returncode)

print("screenshots in " + h.out)
if problems:
    h.fail("%d problems (above)" % problems)
print("workbench: ok")

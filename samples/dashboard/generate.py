#!/usr/bin/python3
"""Generates a year of documents for the dashboard's demonstration.

GENERATED DATA: every document, supplier and count this writes is made up
(the source of each document is "generated", the supplier names end in
"(genererad)", the supplier numbers start with "G").  It exists so that the
controllers' dashboard has trends to show in scripts/demo: the share of
invoices the robot posts alone climbs over the year, the share of e-invoices
with it, the queue has some of everything, suppliers come and go under
contracts that start and end.

Writes three files into the output folder:
  suppliers.csv  the generated supplier register (ulf import suppliers), with
                 the contract columns and the day each was set up
  lives.csv      the documents' lives (ulf dashboard import-lives)
  paper.csv      counts of invoices that came on paper (ulf dashboard
                 import-paper)

Deterministic for a seed and an end day.  No personal identity numbers: the
org numbers are all companies' (their third digit is 2 or more).

usage: generate.py OUTDIR [--end YYYY-MM-DD] [--seed N] [--per-month N]
"""
import argparse
import csv
import datetime as dt
import os
import random

REGIONS = [("2321000032", 0.6), ("2321000172", 0.4)]       # Sörmland, Västmanland
COST_CENTRES = {
    "2321000032": ["1010", "1020", "1030", "1110", "1120", "1210", "2010", "2020"],
    "2321000172": ["5100", "5110", "5200", "5210", "5300", "6100"],
}
FLOWS = [("po", 0.55), ("non-po", 0.35), ("care", 0.10)]
REASONS = [("NO_ORDER", 20), ("PRICE_DEVIATION", 16), ("QUANTITY_DEVIATION", 10),
           ("NOT_RECEIVED", 10), ("UNKNOWN_SUPPLIER", 6), ("NO_BOOKING", 12),
           ("LOW_CONFIDENCE", 10), ("TOTAL_DEVIATION", 8), ("INVALID", 4),
           ("ORDER_CLOSED", 2), ("PAYMENT_ACCOUNT_MISMATCH", 2)]
HANDLERS = ["anna.lind", "bo.ek", "cecilia.berg", "david.holm", "eva.strand"]
WORDS = ["Bygg", "Kontor", "Medicin", "Labb", "Städ", "Mat", "Data", "Transport",
         "Energi", "Textil", "Vård", "Teknik", "Service", "Verktyg", "Papper"]
PLACES = ["Mälardalen", "Norden", "Sörmland", "Västerås", "Eskilstuna", "Nyköping",
          "Köping", "Strängnäs", "Sala", "Katrineholm"]


def pick(rng, weighted):
    total = sum(w for _, w in weighted)
    x = rng.uniform(0, total)
    for v, w in weighted:
        x -= w
        if x <= 0:
            return v
    return weighted[-1][0]


def org_number(rng, used):
    """A company's org number with a valid check digit, never a person's."""
    while True:
        # the third digit of an organisation's number is 2 or more
        d = [5, rng.choice([5, 6]), rng.randint(2, 9)] + [rng.randint(0, 9) for _ in range(6)]
        s = 0
        for i, x in enumerate(d):
            y = x * (2 if i % 2 == 0 else 1)
            s += y - 9 if y > 9 else y
        d.append((10 - s % 10) % 10)
        n = "".join(map(str, d))
        if n not in used:
            used.add(n)
            return n


def working_day(day):
    return day.weekday() < 5 and not holiday(day)


def easter(year):
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l) // 451
    return dt.date(year, (h + l - 7 * m + 114) // 31, (h + l - 7 * m + 114) % 31 + 1)


def holiday(day):
    if (day.month, day.day) in [(1, 1), (1, 6), (5, 1), (6, 6), (12, 24), (12, 25),
                                (12, 26), (12, 31)]:
        return True
    e = easter(day.year)
    if day in [e + dt.timedelta(days=k) for k in (-2, 0, 1, 39, 49)]:
        return True
    return day.month == 6 and day.weekday() == 4 and 19 <= day.day <= 25


def add_working_days(day, n):
    while n > 0:
        day += dt.timedelta(days=1)
        if working_day(day):
            n -= 1
    return day


def stamp(t):
    return t.strftime("%Y-%m-%d %H:%M")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("outdir")
    ap.add_argument("--end", help="the last day (default: today)")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--per-month", type=int, default=900)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    end = dt.date.fromisoformat(a.end) if a.end else dt.date.today()
    now = dt.datetime.combine(end, dt.time(17, 0))
    start = end - dt.timedelta(days=365)
    os.makedirs(a.outdir, exist_ok=True)

    # the register: a few big suppliers, a long tail; some set up during the year
    used = set()
    suppliers = []
    for i in range(260):
        set_up = start - dt.timedelta(days=rng.randint(30, 3000))
        if i >= 200:                      # new this year, a few a month
            set_up = start + dt.timedelta(days=rng.randint(0, 360))
        contract = rng.random() < (0.8 if i < 40 else 0.35)
        c_from = c_to = ""
        if contract:
            c_from = (start - dt.timedelta(days=rng.randint(0, 700))).isoformat()
            if rng.random() < 0.25:       # ends during the year
                c_to = (start + dt.timedelta(days=rng.randint(30, 330))).isoformat()
            else:
                c_to = (end + dt.timedelta(days=rng.randint(30, 900))).isoformat()
        name = "%s %s AB (genererad)" % (rng.choice(WORDS), rng.choice(PLACES))
        suppliers.append({
            "supplier_no": "G%04d" % (i + 1), "name": name, "org_no": org_number(rng, used),
            "contract": "ja" if contract else "nej", "contract_ref": "AV-%04d" % (i + 1)
            if contract else "", "contract_from": c_from, "contract_to": c_to,
            "registered": set_up.isoformat(), "weight": 40.0 / (1 + i) ** 0.9,
            "set_up": set_up,
        })
    with open(os.path.join(a.outdir, "suppliers.csv"), "w", newline="") as f:
        w = csv.writer(f, delimiter=";")
        w.writerow(["supplier_no", "name", "org_no", "contract", "blocked", "contract_ref",
                    "contract_from", "contract_to", "registered"])
        for s in suppliers:
            w.writerow([s["supplier_no"], s["name"], s["org_no"], s["contract"], "nej",
                        s["contract_ref"], s["contract_from"], s["contract_to"],
                        s["registered"]])

    lives = []
    paper = []
    n = 0
    day = start
    days = (end - start).days
    while day <= end:
        if not working_day(day):
            day += dt.timedelta(days=1)
            continue
        progress = (day - start).days / days          # 0 .. 1 over the year
        per_day = a.per_month / 21.0 * (0.9 + 0.2 * progress)
        touchless = 0.55 + 0.22 * progress              # the robot gets better
        einvoice = 0.86 + 0.08 * progress               # and paper gets rarer
        count = int(rng.gauss(per_day, per_day * 0.15))
        for _ in range(max(count, 0)):
            n += 1
            region = pick(rng, REGIONS)
            received = dt.datetime.combine(day, dt.time(rng.randint(7, 16), rng.randint(0, 59)))
            if received > now:
                continue
            if rng.random() > einvoice:
                if rng.random() < 0.3:                  # a PDF or a scan in the inbox
                    lives.append({"id": "gen-%06d" % n, "received": stamp(received),
                                  "kind": "paper", "region": region, "outcome": "open",
                                  "decided": stamp(received),
                                  "acted": stamp(received + dt.timedelta(hours=2))
                                  if received + dt.timedelta(hours=2) < now else "",
                                  "handler": rng.choice(HANDLERS)})
                else:                                   # counted by the scanning bureau
                    paper.append((day.isoformat(), region,
                                  rng.choice(COST_CENTRES[region])))
                continue
            if rng.random() < 0.003:                    # XML, but no invoice
                lives.append({"id": "gen-%06d" % n, "received": stamp(received),
                              "kind": "other", "region": region, "outcome": "open",
                              "decided": stamp(received)})
                continue
            live = [s for s in suppliers if s["set_up"] <= day]
            s = rng.choices(live, weights=[x["weight"] for x in live])[0]
            flow = pick(rng, FLOWS)
            lines = rng.choice([1, 1, 1, 2, 2, 3, 4, 6])
            amount = round(rng.lognormvariate(8.3, 1.1), 2)
            kind = "credit-note" if rng.random() < 0.03 else "invoice"
            issue = day - dt.timedelta(days=rng.randint(0, 4))
            due = issue + dt.timedelta(days=rng.choice([10, 15, 30, 30, 30, 30]))
            life = {"id": "gen-%06d" % n, "received": stamp(received), "kind": kind,
                    "region": region, "supplier": s["org_no"], "supplier_name": s["name"],
                    "flow": flow, "cost_centre": rng.choice(COST_CENTRES[region]),
                    "lines": lines, "amount": "%.2f" % amount, "currency": "SEK",
                    "issue_date": issue.isoformat(), "due_date": due.isoformat()}
            decided = received + dt.timedelta(minutes=1)
            roll = rng.random()
            if roll < touchless:
                posted = received + dt.timedelta(minutes=rng.randint(1, 40))
                if posted > now:
                    continue
                life.update(outcome="auto", posted=stamp(posted))
            elif roll < touchless + 0.01:
                life.update(outcome="erp-hold", decided=stamp(decided), reasons="ERP_UNREACHABLE")
                acted = decided + dt.timedelta(hours=rng.randint(1, 20))
                posted = acted + dt.timedelta(minutes=2)
                if posted > now:
                    continue
                life.update(acted=stamp(acted), posted=stamp(posted), handler=rng.choice(HANDLERS))
            elif roll < touchless + 0.02:
                acted = decided + dt.timedelta(hours=rng.randint(1, 30))
                if acted > now:
                    continue
                life.update(outcome="resend", decided=stamp(decided), acted=stamp(acted),
                            reasons="DUPLICATE", handler=rng.choice(HANDLERS))
            else:
                reasons = {pick(rng, REASONS)}
                if rng.random() < 0.3:
                    reasons.add(pick(rng, REASONS))
                wait = rng.choice([0, 0, 1, 1, 2, 3, 4, 6, 9, 14])
                acted_day = add_working_days(day, wait)
                acted = dt.datetime.combine(acted_day, dt.time(rng.randint(8, 15), rng.randint(0, 59)))
                acted = max(acted, decided + dt.timedelta(minutes=rng.randint(10, 90)))
                life.update(decided=stamp(decided), reasons=",".join(sorted(reasons)),
                            handler=rng.choice(HANDLERS))
                if acted + dt.timedelta(minutes=5) > now:
                    life.update(outcome="open")
                else:
                    outcome = pick(rng, [("resolve", 78), ("reject", 9), ("retry", 13)])
                    life.update(outcome=outcome, acted=stamp(acted))
                    if outcome != "reject":
                        life.update(posted=stamp(acted + dt.timedelta(minutes=5)))
                    if outcome == "resolve":
                        life.update(lines_changed=rng.choice([0, 0, 0, 1, 1, lines]))
            if rng.random() < 0.004:
                again = received + dt.timedelta(hours=rng.randint(1, 48))
                if again < now:
                    life.update(again=stamp(again))
            lives.append(life)
        day += dt.timedelta(days=1)

    cols = ["id", "source", "received", "kind", "region", "supplier", "supplier_name", "flow",
            "cost_centre", "lines", "lines_changed", "amount", "currency", "issue_date",
            "due_date", "outcome", "reasons", "decided", "acted", "posted", "again", "handler"]
    with open(os.path.join(a.outdir, "lives.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(cols)
        for l in lives:
            l["source"] = "generated"
            w.writerow([l.get(c, "") for c in cols])
    counted = {}
    for key in paper:
        counted[key] = counted.get(key, 0) + 1
    with open(os.path.join(a.outdir, "paper.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["date", "count", "region", "cost_centre"])
        for (d, region, cc), c in sorted(counted.items()):
            w.writerow([d, c, region, cc])
    print("generated %d documents, %d suppliers, %d paper counts into %s"
          % (len(lives), len(suppliers), len(paper), a.outdir))


if __name__ == "__main__":
    main()

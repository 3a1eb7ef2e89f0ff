"""harness.py - what the browser tests share (tests/browser/test_*.py).

A workbench with something to do, and a real headless Chromium to work it
with:

  h = Harness("workbench")       skips (exit 77) without chromium,
                                 chromium-driver, python3-selenium, or the
                                 binaries; a work folder, removed at exit
                                 unless BROWSER_KEEP is set
  h.start_sim()                  ulf-erp-sim on a free port, with fresh
                                 certificates (tests/data/erp/mkcerts.sh)
  h.write_conf()                 the robot and workbench settings
  h.import_samples()             suppliers, orders, receipts, history
  h.inbox(name, bytes)           a document for the robot
  h.ulf("run", "--once")         the binary, with the settings
  h.add_user(name, role, pw)     a user, the password on stdin
  h.start_web()                  `ulf web` on loopback
  b = h.browser()                a logged-out Chromium (1440x900, a laptop)
  h.login(b, name, pw)           through the login form, as a person does
  h.http(method, path, ...)      a request as a script would make it
  h.db(sql, args)                the store read directly (python sqlite3),
                                 not through ulf: figures on a page are
                                 checked against it
  h.bookings()                   the simulator's log of bookings
  h.shot(b, name)                a screenshot into tests/browser/out/

Everything started is stopped at exit, by its own process handle.
Nothing here prints a password or a personal identity number.
"""
import atexit
import decimal
import http.client
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse

SKIP = 77
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


def skip(why):
    print("browser test skipped: " + why)
    sys.exit(SKIP)


try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError:
    webdriver = None


def swedish(amount, places=2):
    """An exact decimal text as the pages show it: 1 234,50 (no-break
    space between thousands, decimal comma, hyphen-minus)."""
    d = decimal.Decimal(amount)
    exp = decimal.Decimal(1).scaleb(-max(places, -d.as_tuple().exponent))
    d = d.quantize(exp)
    sign = "-" if d < 0 else ""
    whole, _, frac = str(abs(d)).partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    text = "\u00a0".join(groups)
    return sign + text + ("," + frac if frac else "")


class Problem(Exception):
    pass


class Harness:
    def __init__(self, name):
        self.name = name
        self.ulf_bin = os.environ.get("ULF", "")
        self.sim_bin = os.environ.get("ERPSIM", "")
        self.samples = os.environ.get("ULF_SAMPLES", "")
        self.src = os.environ.get("ULF_SRC", "")
        self.out = os.environ.get("ULF_BROWSER_OUT") or os.path.join(os.getcwd(), "out")
        for path, what in ((self.ulf_bin, "ULF"), (self.sim_bin, "ERPSIM")):
            if not path or not os.access(path, os.X_OK):
                skip(what + " is not set to a binary")
        if not self.samples or not self.src:
            skip("ULF_SAMPLES or ULF_SRC not set")
        if webdriver is None:
            skip("python3-selenium is not installed (scripts/deps)")
        for path, pkg in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
            if not os.access(path, os.X_OK):
                skip("%s is not installed (%s, scripts/deps)" % (path, pkg))
        for tool in ("openssl",):
            if not shutil.which(tool):
                skip("no " + tool)
        self.work = tempfile.mkdtemp(prefix="ulf-browser-")
        self.db_path = os.path.join(self.work, "ulf.db")
        self.inbox_dir = os.path.join(self.work, "inbox")
        os.makedirs(self.inbox_dir)
        os.makedirs(self.out, exist_ok=True)
        for f in os.listdir(self.out):   # a failure's shots from an earlier run
            if f.startswith("failure-") and f.endswith(".png"):
                os.remove(os.path.join(self.out, f))
        self.procs = []
        self.browsers = []
        self.sim = self.web = None
        self.sim_port = self.web_port = None
        self.conf = os.path.join(self.work, "ulf.conf")
        self.log_files = []
        atexit.register(self.cleanup)

    # ---- processes --------------------------------------------------------

    def cleanup(self):
        for b in self.browsers:
            try:
                b.quit()
            except Exception:
                pass
        for p in self.procs:
            if p.poll() is None:
                p.kill()
                try:
                    p.wait(5)
                except Exception:
                    pass
        if os.environ.get("BROWSER_KEEP"):
            print("%s: kept %s" % (self.name, self.work))
        else:
            shutil.rmtree(self.work, ignore_errors=True)

    def fail(self, msg):
        print("FAIL: " + msg)
        for f in self.log_files:
            try:
                with open(f, encoding="utf-8", errors="replace") as fh:
                    lines = fh.readlines()[-25:]
                print("--- %s (last %d lines)" % (os.path.basename(f), len(lines)))
                sys.stdout.write("".join(lines))
            except OSError:
                pass
        for i, b in enumerate(self.browsers):
            try:
                self.shot(b, "failure-%d" % i)
                print("--- browser %d at %s" % (i, b.current_url))
            except Exception:
                pass
        sys.exit(1)

    def ulf(self, *args, stdin=None, check=True, conf=True):
        cmd = [self.ulf_bin] + list(args)
        if conf:
            cmd += ["--config", self.conf]
        r = subprocess.run(cmd, input=stdin, capture_output=True, text=True, timeout=120)
        if check and r.returncode != 0:
            self.fail("ulf %s: exit %d\n%s%s" % (" ".join(args), r.returncode, r.stdout, r.stderr))
        return r

    @staticmethod
    def free_port():
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        return port

    def wait_for(self, seconds, fn, what):
        end = time.time() + seconds
        while time.time() < end:
            try:
                if fn():
                    return
            except Exception:
                pass
            time.sleep(0.1)
        self.fail("waited %ds for %s" % (seconds, what))

    def start_sim(self):
        certs = os.path.join(self.work, "certs")
        r = subprocess.run(["bash", os.path.join(self.src, "tests/data/erp/mkcerts.sh"), certs],
                           capture_output=True, text=True)
        if r.returncode != 0:
            self.fail("certificates: " + r.stderr)
        self.certs = certs
        self.sim_log = os.path.join(self.work, "sim.log")
        self.bookings_path = os.path.join(self.work, "bookings.jsonl")
        self.log_files.append(self.sim_log)
        err = open(self.sim_log, "w")
        self.sim = subprocess.Popen(
            [self.sim_bin, "--port", "0", "--cert", os.path.join(certs, "server.pem"),
             "--key", os.path.join(certs, "server.key"), "--log", self.bookings_path,
             "--exit-after", "900"], stdout=subprocess.PIPE, stderr=err, text=True)
        self.procs.append(self.sim)
        line = self.sim.stdout.readline().strip()
        if not line.isdigit():
            self.fail("the simulator did not start: %r" % line)
        self.sim_port = int(line)

    def write_conf(self, *extra):
        self.web_port = self.free_port()
        lines = [
            "store_path " + self.db_path,
            "inbox_dir " + self.inbox_dir,
            "match_rules_file " + os.path.join(self.samples, "rules/regions.rules"),
            "web_listen 127.0.0.1:%d" % self.web_port,
            # every browser of the test comes from 127.0.0.1, as users do
            # behind a reverse proxy, and each keeps several connections
            "web_connections 128",
            "web_connections_per_client 128",
        ]
        if self.sim_port:
            lines += [
                "erp_url https://127.0.0.1:%d/postings" % self.sim_port,
                "erp_ca_file " + os.path.join(self.certs, "ca.pem"),
                "erp_timeout_ms 5000",
                "erp_backoff_ms 100",
            ]
        lines += list(extra)
        with open(self.conf, "w") as f:
            f.write("\n".join(lines) + "\n")

    def import_samples(self):
        s = self.samples
        self.ulf("import", "suppliers", os.path.join(s, "refdata/suppliers.csv"))
        orders = sorted(os.path.join(s, "orders", f) for f in os.listdir(os.path.join(s, "orders")))
        self.ulf("import", "orders", *orders)
        receipts = sorted(os.path.join(s, "receipts", f)
                          for f in os.listdir(os.path.join(s, "receipts")))
        self.ulf("import", "receipts", *receipts)
        self.ulf("import", "history", os.path.join(s, "refdata/history.csv"))

    def sample(self, rel):
        with open(os.path.join(self.samples, rel), "rb") as f:
            return f.read()

    def inbox(self, name, data):
        with open(os.path.join(self.inbox_dir, name), "wb") as f:
            f.write(data)

    def add_user(self, name, role, password):
        r = self.ulf("user", "add", name, "--role", role, stdin=password + "\n", check=False)
        if r.returncode != 0:
            self.fail("ulf user add %s --role %s: exit %d\n%s" % (name, role, r.returncode, r.stderr))

    def start_web(self):
        self.web_log = os.path.join(self.work, "web.log")
        self.log_files.append(self.web_log)
        err = open(self.web_log, "w")
        self.web = subprocess.Popen([self.ulf_bin, "web", "--config", self.conf],
                                    stdout=err, stderr=err)
        self.procs.append(self.web)
        self.base = "http://127.0.0.1:%d" % self.web_port

        def up():
            if self.web.poll() is not None:
                self.fail("ulf web exited %d" % self.web.returncode)
            return self.http("GET", "/health")[0] == 200
        self.wait_for(20, up, "ulf web to answer /health")

    def stop(self, proc):
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            self.fail("process %d did not stop on SIGTERM" % proc.pid)

    # ---- requests as a script makes them ----------------------------------------

    def http(self, method, path, fields=None, cookie=None, headers=None, port=None):
        """(status, headers dict (lower-case names), body bytes); redirects
        are not followed."""
        conn = http.client.HTTPConnection("127.0.0.1", port or self.web_port, timeout=30)
        hdrs = dict(headers or {})
        body = None
        if fields is not None:
            body = urllib.parse.urlencode(fields)
            hdrs["Content-Type"] = "application/x-www-form-urlencoded"
        if cookie:
            hdrs["Cookie"] = cookie
        conn.request(method, path, body=body, headers=hdrs)
        r = conn.getresponse()
        data = r.read()
        out = {k.lower(): v for k, v in r.getheaders()}
        conn.close()
        return r.status, out, data

    # ---- the store, read directly ---------------------------------------------

    def db(self, sql, args=()):
        con = sqlite3.connect("file:%s?mode=ro" % self.db_path, uri=True, timeout=10)
        try:
            return con.execute(sql, args).fetchall()
        finally:
            con.close()

    def bookings(self):
        if not os.path.exists(self.bookings_path):
            return []
        out = []
        with open(self.bookings_path, encoding="utf-8") as f:
            for line in f:
                line = line.strip()
                if line:
                    out.append(json.loads(line))
        return out

    # ---- the browser -------------------------------------------------------------

    def browser(self, javascript=True):
        o = webdriver.ChromeOptions()
        if not javascript:
            o.add_experimental_option(
                "prefs", {"profile.managed_default_content_settings.javascript": 2})
        for a in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                  "--window-size=1440,900", "--disable-gpu", "--lang=sv-SE",
                  "--disable-extensions", "--no-first-run"):
            o.add_argument(a)
        o.binary_location = CHROMIUM
        try:
            b = webdriver.Chrome(service=Service(CHROMEDRIVER), options=o)
        except Exception as e:   # a browser that cannot start: no test to run here
            skip("chromium did not start: %s" % str(e).splitlines()[0])
        b.implicitly_wait(0)
        self.browsers.append(b)
        return b

    def close(self, b):
        """A browser done with: its connections closed too."""
        b.quit()
        self.browsers.remove(b)

    def go(self, b, path):
        b.get(self.base + path)

    def login(self, b, name, password):
        self.go(b, "/login")
        b.find_element(By.ID, "user").send_keys(name)
        b.find_element(By.ID, "password").send_keys(password)
        b.find_element(By.CSS_SELECTOR, "section.login button[type=submit]").click()
        WebDriverWait(b, 10).until(lambda d: "/login" not in d.current_url)

    def cookie(self, b):
        return "; ".join("%s=%s" % (c["name"], c["value"]) for c in b.get_cookies())

    def shot(self, b, name, full=False):
        path = os.path.join(self.out, name + ".png")
        if full:
            h = b.execute_script("return document.documentElement.scrollHeight")
            b.set_window_size(1440, min(max(h, 900), 8000))
            b.save_screenshot(path)
            b.set_window_size(1440, 900)
        else:
            b.save_screenshot(path)
        return path

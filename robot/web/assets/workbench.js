/*
 * workbench.js - keys for the handlers' workbench (robot/web).
 *
 * Every page works without it: links, GET filter forms and POST action
 * forms.  This only makes them quicker to use from the keyboard, and is
 * served as a file of its own (Content-Security-Policy default-src 'self'
 * allows no inline script).  It never builds a URL or markup from page
 * text: it moves focus, follows links the page already has, and clicks
 * or focuses elements the page marked with data-key.
 *
 *   queue list   j / k   next / previous invoice
 *                Enter   open it (o too)
 *                /       the filters
 *                n / p   next / previous page
 *   any page     a key shown in a <kbd> beside an action: that action
 *                (a form field or button is focused, a link followed)
 *                Escape  leave a field
 *                ?       show or hide the list of keys
 */
(function () {
  'use strict';

  var KEY_STORE = 'ulf-queue-selected';

  function editing(el) {
    if (!el) return false;
    if (el.isContentEditable) return true;
    var t = el.tagName;
    return t === 'INPUT' || t === 'TEXTAREA' || t === 'SELECT';
  }

  /* ---- the queue list: j/k, Enter --------------------------------------- */

  var rows = Array.prototype.slice.call(document.querySelectorAll('table.queue tbody tr'));
  var cur = -1;

  function rowLink(row) {
    return row ? row.querySelector('a.open') || row.querySelector('a') : null;
  }

  function select(i, focus) {
    if (!rows.length) return;
    if (i < 0) i = 0;
    if (i >= rows.length) i = rows.length - 1;
    if (cur >= 0 && rows[cur]) rows[cur].classList.remove('selected');
    cur = i;
    rows[cur].classList.add('selected');
    rows[cur].scrollIntoView({ block: 'nearest' });
    var a = rowLink(rows[cur]);
    if (a && focus !== false) a.focus({ preventScroll: true });
    try {
      sessionStorage.setItem(KEY_STORE, rows[cur].id || '');
    } catch (e) { /* storage off: no memory of the row, nothing else lost */ }
  }

  if (rows.length) {
    /* back from an invoice: the row it was opened from */
    var last = null;
    try { last = sessionStorage.getItem(KEY_STORE); } catch (e) { last = null; }
    for (var i = 0; last && i < rows.length; i++)
      if (rows[i].id === last) { select(i, false); break; }
    rows.forEach(function (row, n) {
      row.addEventListener('click', function (e) {
        if (e.target.tagName !== 'A') select(n);
      });
    });
  }

  /* ---- keys marked on the page ------------------------------------------ */

  function byKey(k) {
    var list = document.querySelectorAll('[data-key]');
    for (var i = 0; i < list.length; i++)
      if (list[i].getAttribute('data-key') === k) return list[i];
    return null;
  }

  function activate(el) {
    var t = el.tagName;
    if (t === 'A') { el.click(); return; }
    if (t === 'FORM') {
      var f = el.querySelector('input:not([type=hidden]), select, textarea, button');
      if (f) { f.scrollIntoView({ block: 'center' }); f.focus(); }
      return;
    }
    el.scrollIntoView({ block: 'center' });
    el.focus();
  }

  function toggleHelp() {
    var help = document.getElementById('keys');
    if (help) help.hidden = !help.hidden;
  }

  document.addEventListener('keydown', function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === 'Escape') {
      if (editing(document.activeElement)) document.activeElement.blur();
      return;
    }
    if (editing(e.target)) return;
    var k = e.key;
    if (rows.length) {
      if (k === 'j') { select(cur + 1); e.preventDefault(); return; }
      if (k === 'k') { select(cur < 0 ? 0 : cur - 1); e.preventDefault(); return; }
      if ((k === 'Enter' || k === 'o') && cur >= 0 && document.activeElement !== rowLink(rows[cur])) {
        var a = rowLink(rows[cur]);
        if (a) { a.click(); e.preventDefault(); }
        return;
      }
    }
    if (k === '?') { toggleHelp(); e.preventDefault(); return; }
    if (k.length !== 1 && k !== 'Enter') return;
    if (k === 'Enter') return;
    var el = byKey(k);
    if (el) { activate(el); e.preventDefault(); }
  });

  /* ---- the booking form: the running sum beside the invoice's net ------- */

  var booking = document.querySelector('table.booking');
  if (booking) {
    var out = document.getElementById('booking-sum');
    var target = out ? out.getAttribute('data-net') : null;
    var cents = function (s) {
      /* "1 234,50", "1234.50", "-12" -> hundredths, or NaN; no floats */
      var m = /^\s*(-?)([0-9][0-9 \u00a0]*)(?:[.,]([0-9]{0,2}))?\s*$/.exec(s || '');
      if (!m) return NaN;
      var whole = m[2].replace(/[ \u00a0]/g, '');
      var frac = ((m[3] || '') + '00').slice(0, 2);
      var v = parseInt(whole, 10) * 100 + parseInt(frac, 10);
      return m[1] ? -v : v;
    };
    var show = function (c) {
      var neg = c < 0; c = Math.abs(c);
      var s = String(Math.floor(c / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, '\u00a0');
      return (neg ? '-' : '') + s + ',' + String(c % 100 + 100).slice(1);
    };
    var update = function () {
      if (!out || target === null) return;
      var sum = 0, ok = true;
      booking.querySelectorAll('input.net').forEach(function (inp) {
        if (/^\s*$/.test(inp.value)) return;   /* an empty row adds nothing */
        var c = cents(inp.value);
        if (isNaN(c)) ok = false; else sum += c;
      });
      var want = cents(target);
      out.textContent = ok ? show(sum) : '?';
      out.className = ok && sum === want ? 'num sum-ok' : 'num sum-bad';
    };
    booking.addEventListener('input', update);
    update();
  }
})();

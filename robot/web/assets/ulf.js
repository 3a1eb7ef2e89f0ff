// ulf.js - the workbench's little script.  Every page works without it;
// it only makes some things quicker.  Served from ulf (no inline script:
// the Content-Security-Policy forbids it).
"use strict";

(function () {
  // The session's CSRF token, for requests a script sends (X-CSRF-Token).
  var meta = document.querySelector('meta[name="csrf-token"]');
  window.ulf = {
    csrf: meta ? meta.getAttribute("content") : "",

    // Sends a form-encoded POST with the CSRF token; resolves to the response.
    post: function (url, fields) {
      var body = new URLSearchParams(fields || {});
      body.set("csrf", window.ulf.csrf);
      return fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: body.toString()
      });
    }
  };

  // <form data-confirm="Reject this invoice?">: ask before sending.
  document.addEventListener("submit", function (e) {
    var text = e.target.getAttribute && e.target.getAttribute("data-confirm");
    if (text && !window.confirm(text)) {
      e.preventDefault();
    }
  });
})();

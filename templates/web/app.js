// tianbao serve: the little the pages do with script (they work without it too).
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  // Ask before what cannot be undone.
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });
  // Upload: show the file chosen; say it is busy while it uploads and is checked.
  document.querySelectorAll("form.upload").forEach(function (form) {
    var input = form.querySelector("input[type=file]");
    var label = form.querySelector("[data-file-label]");
    if (input && label) {
      input.addEventListener("change", function () {
        if (input.files && input.files.length) { label.textContent = input.files[0].name; label.classList.add("chosen"); }
      });
    }
    form.addEventListener("submit", function () {
      var button = form.querySelector("button[type=submit]");
      if (button) { button.disabled = true; button.textContent = form.getAttribute("data-busy") || button.textContent; }
    });
  });
  // Other forms: one press is enough.
  document.querySelectorAll("form:not(.upload)").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (event.defaultPrevented) { return; }
      var button = form.querySelector("button");
      window.setTimeout(function () { if (button) { button.disabled = true; } }, 0);
    });
  });
  // A link to select and copy.
  document.querySelectorAll("input[data-select]").forEach(function (input) {
    input.addEventListener("focus", function () { input.select(); });
  });
  document.querySelectorAll("a[data-back]").forEach(function (a) {
    if (window.history.length > 1) {
      a.addEventListener("click", function (event) { event.preventDefault(); window.history.back(); });
    }
  });
  // A running job: its progress, then the page with its outcome.
  var job = document.querySelector("[data-job]");
  if (job) {
    var id = job.getAttribute("data-job");
    var bar = job.querySelector("[data-bar]");
    var stage = job.querySelector("[data-stage]");
    var count = job.querySelector("[data-count]");
    var poll = function () {
      fetch("/office/jobs/" + encodeURIComponent(id) + "/state", { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (s) {
          if (s.done) { window.location.reload(); return; }
          if (stage) { stage.textContent = s.stage; }
          if (count) { count.textContent = s.n + " / " + s.total; }
          if (bar && s.total > 0) { bar.value = Math.floor(100 * s.n / s.total); }
          window.setTimeout(poll, 400);
        })
        .catch(function () { window.setTimeout(poll, 1500); });
    };
    window.setTimeout(poll, 300);
  }
});

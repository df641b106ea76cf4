// Overview filter and sort, review form. Plain DOM, no network: works from file://.
(function () {
  "use strict";
  var table = document.getElementById("overview-table");
  var search = document.getElementById("filter");
  var verdict = document.getElementById("verdict-filter");
  var shown = document.getElementById("shown");
  function applyFilter() {
    if (!table) { return; }
    var words = (search.value || "").toLowerCase().split(/\s+/).filter(Boolean);
    var want = verdict.value;
    var rows = table.tBodies[0].rows, count = 0;
    for (var i = 0; i < rows.length; i++) {
      var row = rows[i], text = row.getAttribute("data-search") || "";
      var ok = (!want || row.getAttribute("data-verdict") === want) &&
        words.every(function (w) { return text.indexOf(w) >= 0; });
      row.hidden = !ok;
      if (ok) { count++; }
    }
    shown.textContent = shown.getAttribute("data-template")
      .replace("{shown}", String(count)).replace("{total}", String(rows.length));
  }
  function sortBy(th) {
    var index = Array.prototype.indexOf.call(th.parentNode.children, th);
    var kind = th.getAttribute("data-sort");
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    Array.prototype.forEach.call(th.parentNode.children, function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    function key(row) {
      var cell = row.cells[index], v = cell.getAttribute("data-value");
      if (v === null) { v = cell.textContent.trim(); }
      if (v === "") { return null; }
      return kind === "number" ? Number(v) : v.toLowerCase();
    }
    rows.sort(function (a, b) {
      var x = key(a), y = key(b);
      if (x === null || y === null) { return (x === null) - (y === null); }  // empty cells stay last
      var order = x < y ? -1 : x > y ? 1 : 0;
      return ascending ? order : -order;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  }
  if (table) {
    search.addEventListener("input", applyFilter);
    verdict.addEventListener("change", applyFilter);
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
      if (th.hasAttribute("data-sort")) { th.addEventListener("click", function () { sortBy(th); }); }
    });
    Array.prototype.forEach.call(document.querySelectorAll("button[data-verdict]"), function (b) {
      b.addEventListener("click", function () { verdict.value = b.getAttribute("data-verdict"); applyFilter(); });
    });
    applyFilter();
  }

  // Review form: confirm or correct each value, then download review.json for the dossier folder.
  function today() { return new Date().toISOString().slice(0, 10); }
  function remember(name) { try { window.localStorage.setItem("dossier-reviewer", name); } catch (e) { /* file:// */ } }
  function recall() { try { return window.localStorage.getItem("dossier-reviewer") || ""; } catch (e) { return ""; } }
  Array.prototype.forEach.call(document.querySelectorAll("form.review-form"), function (form) {
    var name = form.querySelector("input[name=reviewer]");
    if (!name.value) { name.value = recall(); }
    form.addEventListener("change", function (event) {
      var item = event.target.closest("fieldset");
      if (item && event.target.type === "radio") {
        item.querySelector("[name=value]").disabled = event.target.value !== "correct";
      }
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var message = form.querySelector(".review-message");
      if (!name.value.trim()) { message.textContent = form.getAttribute("data-needs-name"); name.focus(); return; }
      remember(name.value.trim());
      var items = [];
      Array.prototype.forEach.call(form.querySelectorAll("fieldset.review-item"), function (fs) {
        var choice = fs.querySelector("input[type=radio]:checked");
        if (!choice) { return; }
        var read = fs.getAttribute("data-read");
        var value = choice.value === "confirm" ? read : fs.querySelector("[name=value]").value.trim();
        if (!value) { return; }
        items.push({ file: fs.getAttribute("data-file"), sha256: fs.getAttribute("data-sha256"),
          page: Number(fs.getAttribute("data-page")) || null, document_type: fs.getAttribute("data-type"),
          field: fs.getAttribute("data-field"), read: read, value: value, decision: choice.value });
      });
      // Values reviewed before stay in the file (it replaces the previous review.json), with their reviewer.
      var kept = JSON.parse(form.getAttribute("data-kept") || "[]").filter(function (old) {
        return !items.some(function (item) { return item.file === old.file && item.field === old.field &&
          item.page === old.page; });
      });
      var review = { review_version: 1, dossier: form.getAttribute("data-dossier"), reviewer: name.value.trim(),
        reviewed_on: today(), items: kept.concat(items) };
      var text = JSON.stringify(review, null, 2) + "\n";
      form.querySelector("pre.review-json").textContent = text;
      message.textContent = form.getAttribute("data-save-hint");
      var link = document.createElement("a");
      link.href = URL.createObjectURL(new Blob([text], { type: "application/json" }));
      link.download = "review.json";
      document.body.appendChild(link);
      link.click();
      link.remove();
    });
  });
})();

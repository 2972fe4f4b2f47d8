/// The pages' inline JavaScript: table sorting and filtering, and (on dashboard pages) live refresh: every 2 s, while
/// the tab is visible, it asks a tiny JSON version endpoint on the same server and fetches the page body only when the
/// version differs from the one the page shows. It makes no other request.
enum PageScript {
    static let js = """
        (function () {
          "use strict";
          function cellValue(row, i) { var c = row.cells[i]; return c ? (c.getAttribute("data-v") || "") : ""; }
          function matches(row, terms, heads) {
            for (var k = 0; k < terms.length; k++) {
              var t = terms[k], m = /^([^<>=!]+?)(<=|>=|!=|<|>|=)(.+)$/.exec(t), ok;
              if (m) {
                var col = -1;
                for (var j = 0; j < heads.length; j++) if (heads[j].textContent.replace(/ [▲▼]$/, "").toLowerCase() === m[1].toLowerCase()) col = j;
                if (col < 0) return false;
                var a = cellValue(row, col), b = m[3], x = parseFloat(a), y = parseFloat(b), num = !isNaN(x) && !isNaN(y);
                var c = num ? x - y : a.localeCompare(b);
                ok = m[2] === "<" ? c < 0 : m[2] === ">" ? c > 0 : m[2] === "<=" ? c <= 0 : m[2] === ">=" ? c >= 0 : m[2] === "!=" ? c !== 0 : (num ? c === 0 : a.toLowerCase() === b.toLowerCase());
              } else {
                ok = row.textContent.toLowerCase().indexOf(t.toLowerCase()) >= 0;
              }
              if (!ok) return false;
            }
            return true;
          }
          function initTable() {
            var table = document.getElementById("lb"), input = document.getElementById("filter");
            if (!table || !table.tHead || !table.tBodies.length) return;
            var heads = table.tHead.rows[0].cells, body = table.tBodies[0];
            Array.prototype.forEach.call(heads, function (th, i) {
              th.addEventListener("click", function () {
                var asc = th.getAttribute("aria-sort") !== "ascending", num = th.getAttribute("data-type") === "num";
                Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
                th.setAttribute("aria-sort", asc ? "ascending" : "descending");
                var rows = Array.prototype.slice.call(body.rows);
                rows.sort(function (r, s) {
                  var a = cellValue(r, i), b = cellValue(s, i), d;
                  if (num) { var x = a === "" ? Infinity : parseFloat(a), y = b === "" ? Infinity : parseFloat(b); d = x - y; }
                  else d = a.localeCompare(b);
                  return asc ? d : -d;
                });
                var fragment = document.createDocumentFragment();
                rows.forEach(function (r) { fragment.appendChild(r); });
                body.appendChild(fragment);
              });
            });
            function apply() {
              var terms = input.value.trim().split(/\\s+/).filter(function (t) { return t.length > 0; }), shown = 0;
              Array.prototype.forEach.call(body.rows, function (r) { var on = matches(r, terms, heads); r.hidden = !on; if (on) shown++; });
              var count = document.getElementById("shown"); if (count) count.textContent = String(shown);
            }
            if (input) { input.addEventListener("input", apply); if (input.value) apply(); }
          }
          function live() {
            var b = document.body, poll = b.getAttribute("data-poll"), fragment = b.getAttribute("data-fragment");
            if (!poll || !window.fetch) return;
            var last = b.getAttribute("data-version") || "", busy = false;
            setInterval(function () {
              if (busy || document.hidden) return;
              busy = true;
              fetch(poll, { cache: "no-store" }).then(function (r) { return r.json(); }).then(function (s) {
                var version = String(s.version);
                if (version === last) { busy = false; return; }
                return fetch(fragment, { cache: "no-cache" }).then(function (r) {
                  if (!r.ok) throw new Error(String(r.status));
                  return r.text();
                }).then(function (html) {
                  var main = document.getElementById("report"), input = document.getElementById("filter"), q = input ? input.value : "";
                  main.innerHTML = html;
                  var again = document.getElementById("filter"); if (again) again.value = q;
                  initTable();
                  last = version;
                  b.setAttribute("data-version", version);
                  busy = false;
                });
              }).catch(function () { busy = false; });
            }, 2000);
          }
          initTable();
          live();
        })();
        """
}

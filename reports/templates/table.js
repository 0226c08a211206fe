// Interactive tables of the sdg-tags reports: filter, search, sort and paginate rows embedded as JSON.
// Every value comes from crawled pages or registry files and is untrusted: it is only ever written with
// textContent or as an attribute value, never parsed as HTML, and links are limited to http(s) URLs and
// in-report anchors. The script is allowed by hash in the report's Content-Security-Policy.
(function () {
  "use strict";

  var dataElement = document.getElementById("report-data");
  if (!dataElement) { return; }
  var data = JSON.parse(dataElement.textContent);
  var rules = data.rules || {};
  var KNOWN_CLASSES = {
    "compliant": 1, "compliant-with-warnings": 1, "non-compliant": 1, "not-self-describing": 1,
    "not-evaluated": 1, "error": 1, "warning": 1, "info": 1
  };

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function safeHttpUrl(value) {
    return typeof value === "string" && /^https?:\/\//i.test(value) ? value : null;
  }

  function ruleLink(ruleId, severity, extra) {
    var link = el("a", "rule-chip" + (KNOWN_CLASSES[severity] ? " sev-" + severity : ""), ruleId + (extra || ""));
    link.href = "#rule-" + encodeURIComponent(ruleId);
    var rule = rules[ruleId];
    if (rule) { link.title = rule.severity + ": " + rule.triggers; }
    return link;
  }

  function DataTable(spec) {
    this.spec = spec;
    this.root = document.getElementById(spec.id);
    this.rows = spec.rows;
    this.dicts = spec.dicts || {};
    this.filters = {};
    this.search = "";
    this.sortColumn = null;
    this.sortDescending = false;
    this.page = 0;
    this.pageSize = spec.pageSize || 50;
    this.view = this.rows;
    this.searchText = null;
    this.open = new Set();  // rows whose details are shown
    if (this.root) { this.build(); this.apply(); }
  }

  DataTable.prototype.columnIndex = function (key) {
    for (var i = 0; i < this.spec.columns.length; i++) {
      if (this.spec.columns[i].key === key) { return i; }
    }
    return -1;
  };

  DataTable.prototype.text = function (column, value) {
    if (value === null || value === undefined) { return ""; }
    if (column.dict) {
      if (Array.isArray(value)) {
        var dict = this.dicts[column.dict];
        return value.map(function (index) { return dict[index]; }).join(" ");
      }
      return this.dicts[column.dict][value];
    }
    return String(value);
  };

  DataTable.prototype.build = function () {
    var self = this;
    var controls = el("div", "controls");
    controls.setAttribute("role", "search");
    this.spec.filters.forEach(function (filter) {
      var column = self.spec.columns[self.columnIndex(filter.key)];
      var label = el("label", null, filter.label);
      var select = el("select");
      select.setAttribute("data-filter", filter.key);
      select.appendChild(el("option", null, "all"));
      select.options[0].value = "";
      var dict = self.dicts[column.dict] || [];
      var order = dict.map(function (value, index) { return index; });
      order.sort(function (a, b) { return String(dict[a]).localeCompare(String(dict[b])); });
      order.forEach(function (index) {
        var option = el("option", null, dict[index]);
        option.value = String(index);
        select.appendChild(option);
      });
      select.addEventListener("change", function () {
        if (select.value === "") { delete self.filters[filter.key]; } else { self.filters[filter.key] = Number(select.value); }
        self.page = 0;
        self.apply();
      });
      label.appendChild(select);
      controls.appendChild(label);
    });
    var searchLabel = el("label", null, this.spec.searchLabel || "Search");
    var search = el("input");
    search.type = "search";
    search.setAttribute("data-search", "1");
    var timer = null;
    search.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { self.search = search.value.trim().toLowerCase(); self.page = 0; self.apply(); }, 150);
    });
    searchLabel.appendChild(search);
    controls.appendChild(searchLabel);
    var reset = el("button", null, "Reset");
    reset.type = "button";
    reset.addEventListener("click", function () { self.setFilters({}); });
    controls.appendChild(reset);
    this.root.appendChild(controls);

    this.status = el("p", "note");
    this.status.setAttribute("aria-live", "polite");
    this.status.setAttribute("data-count", "0");
    this.root.appendChild(this.status);

    var wrapper = el("div");
    var table = el("table", "rows");
    var head = el("thead");
    var headRow = el("tr");
    this.headers = [];
    this.spec.columns.forEach(function (column, index) {
      if (column.hidden) { return; }
      var th = el("th", column.numeric ? "num" : null);
      th.scope = "col";
      if (column.sortable === false) {
        th.textContent = column.label;
      } else {
        var button = el("button", "sort", column.label);
        button.type = "button";
        button.setAttribute("data-sort", column.key);
        button.addEventListener("click", function () {
          if (self.sortColumn === index) { self.sortDescending = !self.sortDescending; } else { self.sortColumn = index; self.sortDescending = false; }
          self.page = 0;
          self.apply();
        });
        th.appendChild(button);
      }
      th.setAttribute("data-column", String(index));
      self.headers.push(th);
      headRow.appendChild(th);
    });
    head.appendChild(headRow);
    table.appendChild(head);
    this.body = el("tbody");
    table.appendChild(this.body);
    wrapper.appendChild(table);
    this.root.appendChild(wrapper);

    var pager = el("div", "pager");
    this.previous = el("button", null, "Previous");
    this.previous.type = "button";
    this.previous.addEventListener("click", function () { if (self.page > 0) { self.page -= 1; self.render(); } });
    this.next = el("button", null, "Next");
    this.next.type = "button";
    this.next.addEventListener("click", function () {
      if ((self.page + 1) * self.pageSize < self.view.length) { self.page += 1; self.render(); }
    });
    this.position = el("span");
    var sizeLabel = el("label", null, "Rows per page ");
    var size = el("select");
    [25, 50, 100, 500].forEach(function (value) {
      var option = el("option", null, value);
      option.value = String(value);
      if (value === self.pageSize) { option.selected = true; }
      size.appendChild(option);
    });
    size.addEventListener("change", function () { self.pageSize = Number(size.value); self.page = 0; self.render(); });
    sizeLabel.appendChild(size);
    pager.appendChild(this.previous);
    pager.appendChild(this.position);
    pager.appendChild(this.next);
    pager.appendChild(sizeLabel);
    this.root.appendChild(pager);
  };

  DataTable.prototype.setFilters = function (values) {
    var self = this;
    this.filters = {};
    this.search = "";
    this.root.querySelectorAll("select[data-filter]").forEach(function (select) {
      var key = select.getAttribute("data-filter");
      var column = self.spec.columns[self.columnIndex(key)];
      var dict = self.dicts[column.dict] || [];
      var wanted = Object.prototype.hasOwnProperty.call(values, key) ? values[key] : null;
      var index = wanted === null ? -1 : dict.indexOf(wanted);
      select.value = index >= 0 ? String(index) : "";
      if (index >= 0) { self.filters[key] = index; }
    });
    var search = this.root.querySelector("input[data-search]");
    if (Object.prototype.hasOwnProperty.call(values, "q")) { this.search = String(values.q).toLowerCase(); }
    search.value = this.search;
    this.page = 0;
    this.apply();
  };

  DataTable.prototype.buildSearchText = function () {
    var columns = this.spec.searchKeys.map(this.columnIndex, this);
    this.searchText = this.rows.map(function (row) {
      return columns.map(function (index) { return row[index] === null ? "" : String(row[index]); }).join("\n").toLowerCase();
    });
  };

  DataTable.prototype.apply = function () {
    var self = this;
    var checks = Object.keys(this.filters).map(function (key) {
      return { index: self.columnIndex(key), value: self.filters[key] };
    });
    if (this.search && this.searchText === null) { this.buildSearchText(); }
    var view = [];
    for (var r = 0; r < this.rows.length; r++) {
      var row = this.rows[r];
      var keep = true;
      for (var c = 0; c < checks.length && keep; c++) {
        var cell = row[checks[c].index];
        keep = Array.isArray(cell) ? cell.indexOf(checks[c].value) >= 0 : cell === checks[c].value;
      }
      if (keep && this.search) { keep = this.searchText[r].indexOf(this.search) >= 0; }
      if (keep) { view.push(row); }
    }
    if (this.sortColumn !== null) {
      var column = this.spec.columns[this.sortColumn];
      var index = this.sortColumn;
      var keys = new Map();
      view.forEach(function (row) {
        var value = row[index];
        var key = column.numeric ? (value === null ? -1 : Number(value)) : self.text(column, value).toLowerCase();
        keys.set(row, key);
      });
      var direction = this.sortDescending ? -1 : 1;
      view.sort(function (a, b) {
        var ka = keys.get(a), kb = keys.get(b);
        return ka < kb ? -direction : ka > kb ? direction : 0;
      });
    }
    this.headers.forEach(function (th) {
      if (Number(th.getAttribute("data-column")) === self.sortColumn) { th.setAttribute("aria-sort", self.sortDescending ? "descending" : "ascending"); } else { th.removeAttribute("aria-sort"); }
    });
    this.view = view;
    this.status.setAttribute("data-count", String(view.length));
    this.status.textContent = view.length + " of " + this.rows.length + " rows match.";
    this.render();
  };

  DataTable.prototype.cell = function (column, row) {
    var self = this;
    var value = row[this.columnIndex(column.key)];
    var td = el("td", column.numeric ? "num" : null);
    if (column.kind === "url") {
      var url = safeHttpUrl(value);
      var link = url ? el("a", "url", value) : el("span", "url", value);
      if (url) { link.href = url; link.rel = "noopener noreferrer nofollow"; }
      td.appendChild(link);
      if (column.titleKey) {
        var title = row[this.columnIndex(column.titleKey)];
        if (title) { td.appendChild(el("div", "sub", title)); }
      }
    } else if (column.kind === "verdict") {
      var verdict = this.text(column, value);
      td.appendChild(el("span", "verdict" + (KNOWN_CLASSES[verdict] ? " v-" + verdict : ""), verdict));
    } else if (column.kind === "rules") {
      var dict = this.dicts[column.dict];
      (value || []).forEach(function (index) {
        var ruleId = dict[index];
        var rule = rules[ruleId];
        td.appendChild(ruleLink(ruleId, rule ? rule.severity : ""));
      });
    } else if (column.kind === "rule") {
      if (value !== null) {
        var id = this.text(column, value);
        td.appendChild(ruleLink(id, rules[id] ? rules[id].severity : ""));
      }
    } else if (column.kind === "details") {
      var shown = self.open.has(row);
      var button = el("button", null, shown ? "Hide" : "Details");
      button.type = "button";
      button.setAttribute("aria-expanded", shown ? "true" : "false");
      button.addEventListener("click", function () {
        if (self.open.has(row)) { self.open.delete(row); } else { self.open.add(row); }
        self.render();
      });
      td.appendChild(button);
    } else {
      td.textContent = this.text(column, value);
      if (column.kind === "mono") { td.className = "mono"; }
    }
    return td;
  };

  DataTable.prototype.detailRow = function (row) {
    var tr = el("tr", "detail");
    var td = el("td");
    td.colSpan = this.headers.length;
    // [status sentence or null, [[rule id, value as written or null], ...]]
    var details = row[this.columnIndex(this.spec.detailKey)] || [];
    var findings = details[1] || [];
    if (details[0]) { td.appendChild(el("p", null, details[0])); }
    if (findings.length) {
      td.appendChild(el("h4", null, "Findings"));
      var list = el("ul");
      findings.forEach(function (finding) {
        var ruleId = finding[0];
        var rule = rules[ruleId] || {};
        var item = el("li");
        item.appendChild(ruleLink(ruleId, rule.severity || ""));
        if (finding[1] !== null && finding[1] !== undefined) {
          item.appendChild(document.createTextNode(" value: "));
          item.appendChild(el("code", null, finding[1]));
        }
        if (rule.hint) { item.appendChild(el("div", "sub", "Fix: " + rule.hint)); }
        list.appendChild(item);
      });
      td.appendChild(list);
    }
    tr.appendChild(td);
    return tr;
  };

  DataTable.prototype.render = function () {
    var self = this;
    var start = this.page * this.pageSize;
    var slice = this.view.slice(start, start + this.pageSize);
    var body = el("tbody");
    slice.forEach(function (row) {
      var tr = el("tr");
      self.spec.columns.forEach(function (column) {
        if (!column.hidden) { tr.appendChild(self.cell(column, row)); }
      });
      body.appendChild(tr);
      if (self.spec.detailKey && self.open.has(row)) { body.appendChild(self.detailRow(row)); }
    });
    this.body.parentNode.replaceChild(body, this.body);
    this.body = body;
    var end = Math.min(start + this.pageSize, this.view.length);
    this.position.textContent = this.view.length ? "Rows " + (start + 1) + "–" + end + " of " + this.view.length : "No rows";
    this.previous.disabled = this.page === 0;
    this.next.disabled = end >= this.view.length;
  };

  var tables = {};
  (data.tables || []).forEach(function (spec) { tables[spec.id] = new DataTable(spec); });
  document.querySelectorAll(".needs-script").forEach(function (node) { node.hidden = true; });

  // "#pages:country=BE&rule=country-missing" (chart bars link here) filters a table and scrolls to it.
  function applyHash() {
    var match = /^#([a-z-]+):(.*)$/.exec(location.hash);
    if (!match || !tables[match[1]]) { return; }
    var values = {};
    match[2].split("&").forEach(function (pair) {
      var at = pair.indexOf("=");
      if (at > 0) {
        try { values[decodeURIComponent(pair.slice(0, at))] = decodeURIComponent(pair.slice(at + 1)); } catch (error) { /* malformed: ignore */ }
      }
    });
    tables[match[1]].setFilters(values);
    tables[match[1]].root.scrollIntoView();
  }
  window.addEventListener("hashchange", applyHash);
  applyHash();
}());

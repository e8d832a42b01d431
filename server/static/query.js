/* dakg query page: runs the query against /sparql and shows the result as a table.
   Plain JavaScript, no dependencies. Without JavaScript the form still works: it sends the
   query to the endpoint, which answers in the chosen format. */
(function () {
  "use strict";

  var form = document.getElementById("query-form");
  if (!form) { return; }
  var textarea = document.getElementById("query");
  var select = document.getElementById("format");
  var button = document.getElementById("run");
  var statusLine = document.getElementById("status");
  var output = document.getElementById("result-table");
  var endpoint = form.getAttribute("data-endpoint");
  var base = form.getAttribute("data-base");
  var root = form.getAttribute("data-root") || "";
  var prefixes = [];
  try {
    var declared = JSON.parse(document.getElementById("prefixes").textContent);
    Object.keys(declared).forEach(function (p) { prefixes.push([p, declared[p]]); });
    prefixes.sort(function (a, b) { return b[1].length - a[1].length; });
  } catch (e) { prefixes = []; }

  var ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9, application/json;q=0.1";
  var CJK = /[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]/;
  var running = null;

  function localHref(iri) {
    if (base && iri.indexOf(base) === 0) {
      var rest = iri.slice(base.length);
      if (rest.indexOf("id/") === 0 || rest.indexOf("def/") === 0) {
        /* the server decodes the path back into the IRI: '%' and '?' must be encoded */
        var hash = rest.indexOf("#");
        var path = hash < 0 ? rest : rest.slice(0, hash);
        var fragment = hash < 0 ? "" : rest.slice(hash);
        return root + "/" + path.replace(/%/g, "%25").replace(/\?/g, "%3F") + fragment;
      }
    }
    return null;
  }

  function compact(iri) {
    for (var i = 0; i < prefixes.length; i++) {
      var ns = prefixes[i][1];
      if (iri.indexOf(ns) === 0 && iri.length > ns.length) {
        return prefixes[i][0] + ":" + iri.slice(ns.length);
      }
    }
    return iri;
  }

  function el(name, text, cls) {
    var node = document.createElement(name);
    if (text !== undefined && text !== null) { node.textContent = text; }
    if (cls) { node.className = cls; }
    return node;
  }

  function renderIri(iri) {
    var href = localHref(iri);
    var link;
    if (href) {
      link = el("a", compact(iri));
      link.href = href;
    } else if (/^https?:\/\//.test(iri)) {
      link = el("a", compact(iri), "ext");
      link.href = iri;
      link.rel = "external";
    } else {
      link = el("span", compact(iri));
    }
    link.title = iri;
    return link;
  }

  function renderTerm(t) {
    var frag = document.createDocumentFragment();
    if (!t) { return frag; }
    if (t.type === "uri") {
      frag.appendChild(renderIri(t.value));
    } else if (t.type === "bnode") {
      frag.appendChild(el("code", "_:" + t.value));
    } else if (t.type === "triple") {
      var v = t.value;
      frag.appendChild(document.createTextNode("<< "));
      [v.subject, v.predicate, v.object].forEach(function (part) {
        frag.appendChild(renderTerm(part));
        frag.appendChild(document.createTextNode(" "));
      });
      frag.appendChild(document.createTextNode(">>"));
    } else {
      var lit = el("span", t.value, "lit");
      var lang = t["xml:lang"];
      if (lang) { lit.lang = lang; } else if (CJK.test(t.value)) { lit.lang = "zh"; }
      frag.appendChild(lit);
      if (lang) {
        frag.appendChild(document.createTextNode(" "));
        frag.appendChild(el("span", "@" + lang, "tag"));
      } else if (t.datatype) {
        frag.appendChild(document.createTextNode(" "));
        var dt = el("span", compact(t.datatype), "dt");
        dt.title = t.datatype;
        frag.appendChild(dt);
      }
    }
    return frag;
  }

  function renderTable(vars, rows) {
    var table = el("table", null, "data results");
    var caption = el("caption", "Query results", "visually-hidden");
    table.appendChild(caption);
    var head = table.createTHead().insertRow();
    vars.forEach(function (v) {
      var th = el("th", "?" + v);
      th.scope = "col";
      head.appendChild(th);
    });
    var body = table.createTBody();
    rows.forEach(function (row) {
      var tr = body.insertRow();
      vars.forEach(function (v) { tr.insertCell().appendChild(renderTerm(row[v])); });
    });
    output.replaceChildren(table);
  }

  /* N-Triples, as the endpoint writes a CONSTRUCT or DESCRIBE result. */
  var TERM = /\s*(?:<([^>]*)>|_:(\S+)|"((?:[^"\\]|\\.)*)"(?:@([A-Za-z0-9-]+)|\^\^<([^>]*)>)?)/y;

  function unescape(s) {
    return s.replace(/\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))/g, function (m, u, U, c) {
      if (u || U) { return String.fromCodePoint(parseInt(u || U, 16)); }
      return { t: "\t", b: "\b", n: "\n", r: "\r", f: "\f" }[c] || c;
    });
  }

  function parseNTriples(text) {
    var rows = [];
    text.split("\n").forEach(function (line) {
      line = line.trim();
      if (!line || line.charAt(0) === "#") { return; }
      TERM.lastIndex = 0;
      var terms = [];
      for (var i = 0; i < 3; i++) {
        var m = TERM.exec(line);
        if (!m) { return; }
        if (m[1] !== undefined) { terms.push({ type: "uri", value: m[1] }); }
        else if (m[2] !== undefined) { terms.push({ type: "bnode", value: m[2] }); }
        else {
          var lit = { type: "literal", value: unescape(m[3]) };
          if (m[4]) { lit["xml:lang"] = m[4]; }
          if (m[5]) { lit.datatype = m[5]; }
          terms.push(lit);
        }
      }
      rows.push({ subject: terms[0], predicate: terms[1], object: terms[2] });
    });
    return rows;
  }

  function setStatus(text, isError) {
    statusLine.textContent = text;
    statusLine.className = isError ? "error" : "";
  }

  function run() {
    var query = textarea.value;
    if (running) { running.abort(); }
    var controller = typeof AbortController === "function" ? new AbortController() : null;
    running = controller;
    var started = performance.now();
    button.disabled = true;
    setStatus("Running…", false);
    output.replaceChildren();
    var body = new URLSearchParams();
    body.set("query", query);
    try {
      var url = new URL(window.location.href);
      url.searchParams.set("query", query);
      url.searchParams.delete("format");
      window.history.replaceState(null, "", url.toString());
    } catch (e) { /* the address bar is a convenience */ }
    fetch(endpoint, {
      method: "POST",
      headers: { "Accept": ACCEPT, "Content-Type": "application/x-www-form-urlencoded" },
      body: body.toString(),
      signal: controller ? controller.signal : undefined
    }).then(function (response) {
      return response.text().then(function (text) { return { response: response, text: text }; });
    }).then(function (answer) {
      var response = answer.response;
      var elapsed = Math.round(performance.now() - started);
      if (!response.ok) {
        var message = answer.text;
        try { message = JSON.parse(answer.text).message || message; } catch (e) { /* text */ }
        setStatus("Error " + response.status + ": " + message, true);
        return;
      }
      var type = (response.headers.get("Content-Type") || "").split(";")[0].trim();
      var truncated = response.headers.get("Dakg-Truncated");
      var limit = response.headers.get("Dakg-Row-Limit");
      var note = truncated ? " — truncated: the result was cut at " + (limit || "the row limit") +
        " (Dakg-Truncated: " + truncated + "); add LIMIT/OFFSET to page through it" : "";
      var count;
      if (type === "application/n-triples") {
        var triples = parseNTriples(answer.text);
        count = triples.length;
        renderTable(["subject", "predicate", "object"], triples);
        setStatus(count + (count === 1 ? " triple" : " triples") + " in " + elapsed + " ms" + note, false);
        return;
      }
      var json = JSON.parse(answer.text);
      if (typeof json.boolean === "boolean") {
        output.replaceChildren(el("p", json.boolean ? "true" : "false", "boolean"));
        setStatus("ASK: " + json.boolean + " in " + elapsed + " ms", false);
        return;
      }
      var rows = json.results.bindings;
      count = rows.length;
      renderTable(json.head.vars, rows);
      setStatus(count + (count === 1 ? " row" : " rows") + " in " + elapsed + " ms" + note, false);
    }).catch(function (error) {
      if (error && error.name === "AbortError") { return; }
      setStatus("The query could not be sent or its answer not read: " + error, true);
    }).finally(function () {
      if (running === controller) { running = null; button.disabled = false; }
    });
  }

  form.addEventListener("submit", function (event) {
    if (select.value === "") {
      event.preventDefault();
      run();
    }
    /* any other format: the browser submits the form to the endpoint */
  });

  textarea.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      if (typeof form.requestSubmit === "function") { form.requestSubmit(); } else { run(); }
    }
  });

  if (form.getAttribute("data-run") === "true" && select.value === "") { run(); }
}());

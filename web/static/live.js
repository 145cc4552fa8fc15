// Live updates: when the views move on, fetch this page's <main> again and swap it in.
//
// One EventSource per page (browsers allow about six connections per origin over
// HTTP/1.1, so a hidden tab lets its stream go and takes it back when shown again).
// The stream of /{slug}/... is /-/live/{slug}; the list of negotiations hears every move.
// Pages read the same without this script; it only spares a reload.
//
// htmx-2.0.11.min.js beside it is dist/htmx.min.js of the npm package htmx.org@2.0.11
// (0BSD), unchanged: when present it does the swap (keeping focus and selection) and
// wires any hx- attributes in the new content.
(function () {
  "use strict";

  var first = location.pathname.split("/")[1] || "";
  if (first === "-" || /\.json$/.test(first) || !window.EventSource || !window.DOMParser) return;
  // An error page (an unknown negotiation, say) has nothing to follow.
  var navigation = window.performance && performance.getEntriesByType ? performance.getEntriesByType("navigation")[0] : null;
  if (navigation && navigation.responseStatus && navigation.responseStatus !== 200) return;
  var url = first ? "/-/live/" + first : "/-/live";
  var root = document.documentElement;
  var source = null;
  var fetching = false;
  var again = false;
  var status = null;

  function editing(main) {
    // Never swap a form from under someone typing in it: its page reloads on submit anyway.
    var active = document.activeElement;
    if (active && main.contains(active) && /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName)) return true;
    var fields = main.querySelectorAll("input, textarea, select");
    for (var i = 0; i < fields.length; i++) {
      var f = fields[i];
      if (f.tagName === "SELECT") {
        for (var j = 0; j < f.options.length; j++) {
          if (f.options[j].selected !== f.options[j].defaultSelected) return true;
        }
      } else if (f.type === "checkbox" || f.type === "radio") {
        if (f.checked !== f.defaultChecked) return true;
      } else if (f.value !== f.defaultValue) {
        return true;
      }
    }
    return false;
  }

  function announce(text) {
    if (!status) {
      status = document.createElement("p");
      status.setAttribute("role", "status");
      status.className = "live-status";
      // Visually hidden, still read out (no inline style attribute: the CSP forbids it).
      var s = status.style;
      s.position = "absolute"; s.width = "1px"; s.height = "1px"; s.overflow = "hidden";
      s.clip = "rect(0 0 0 0)"; s.whiteSpace = "nowrap"; s.margin = "-1px";
      document.body.appendChild(status);
    }
    status.textContent = text;
  }

  function contentOf(response) {
    // The server answers X-Fragment: main with what <main> holds; a page that cannot
    // (yet) comes whole, and its <main> is taken out here.
    if (!response.ok) return null;
    return response.text().then(function (html) {
      if (response.headers.get("X-Fragment") === "main") return html;
      var main = new DOMParser().parseFromString(html, "text/html").querySelector("main");
      return main ? main.innerHTML : null;
    });
  }

  function sameContent(main, html) {
    var parsed = document.createElement("template");  // inert: nothing in it loads or runs
    parsed.innerHTML = html;
    return parsed.innerHTML.trim() === main.innerHTML.trim();
  }

  function swap(main, html) {
    if (window.htmx && typeof window.htmx.swap === "function") {
      window.htmx.swap(main, html, { swapStyle: "innerHTML", swapDelay: 0, settleDelay: 0 });
    } else {
      var parsed = document.createElement("template");
      parsed.innerHTML = html;
      main.replaceChildren(document.importNode(parsed.content, true));
    }
  }

  function count(name) {
    // For tests and the curious: how many checks were made, and how many changed the page.
    root.setAttribute(name, String(Number(root.getAttribute(name) || 0) + 1));
  }

  function refresh() {
    if (fetching) { again = true; return; }
    fetching = true;
    fetch(location.href, { headers: { "X-Fragment": "main" }, credentials: "same-origin", cache: "no-store" })
      .then(contentOf)
      .then(function (html) {
        var main = document.querySelector("main");
        if (html === null || !main || sameContent(main, html)) return;
        if (editing(main)) {
          root.setAttribute("data-live", "held");
          announce("This page has changed since it was opened; reload it to see the changes.");
          return;
        }
        swap(main, html);
        count("data-live-updates");
        announce("Updated at " + new Date().toLocaleTimeString());
      })
      .catch(function () { /* the stream tells again on the next move */ })
      .then(function () {
        fetching = false;
        count("data-live-checks");
        if (again) { again = false; refresh(); }
      });
  }

  function connect() {
    if (source) return;
    source = new EventSource(url);
    source.addEventListener("open", function () { root.setAttribute("data-live", "open"); });
    source.addEventListener("error", function () { root.setAttribute("data-live", "retrying"); });
    // "ready": the page was drawn a moment before the stream opened; "moved": news.
    source.addEventListener("ready", refresh);
    source.addEventListener("moved", refresh);
  }

  function disconnect() {
    if (!source) return;
    source.close();
    source = null;
    root.setAttribute("data-live", "closed");
  }

  document.addEventListener("focusout", function () {
    // A change held back while someone was typing comes in once they have left the form.
    setTimeout(function () {
      var main = document.querySelector("main");
      if (root.getAttribute("data-live") === "held" && main && !editing(main)) {
        root.setAttribute("data-live", "open");
        refresh();
      }
    }, 0);
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") disconnect(); else connect();
  });
  window.addEventListener("pagehide", disconnect);
  window.addEventListener("pageshow", function (event) { if (event.persisted) connect(); });
  if (document.visibilityState !== "hidden") connect();
})();

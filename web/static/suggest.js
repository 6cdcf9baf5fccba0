/* Dari (다리) — search as you type.
 *
 * Under each search box, while typing: completions of the last word, titles and glossary
 * terms (GET /api/suggest), then the best paragraphs (GET /api/search) for the first
 * completion (the word is still being typed: 협ㄹ shows what 협력 finds), else for the text.
 * The box is an ARIA 1.2 combobox: ArrowDown/ArrowUp move through the list, Enter
 * chooses (a word or term is searched, a title or paragraph opened), Escape closes the
 * list; "/" anywhere outside a text field puts the cursor in the box.  Without this
 * script the form works as before: it only adds to it.  Served from /static (the page's
 * Content-Security-Policy allows scripts from the site itself only), no inline code; text
 * from the server is put in with textContent, snippets copied node by node (marks only).
 */
(function () {
  "use strict";

  var SUGGEST_DELAY = 120; // ms after the last keystroke
  var RESULTS = 5;
  // The words shown are the page's, in its language: data-label-* attributes of the form
  // (web/templates/_search_form.html), these English ones where a form has none.
  var LABELS = {
    suggestions: "Suggestions", results: "Results", word: "word", title: "document",
    glossary: "glossary", result: "paragraph",
  };

  function label(form, name) {
    return form.getAttribute("data-label-" + name) || LABELS[name];
  }

  function debounce(fn, ms) {
    var timer = null;
    return function () {
      var args = arguments;
      clearTimeout(timer);
      timer = setTimeout(function () { fn.apply(null, args); }, ms);
    };
  }

  /* The text of a snippet with its <mark>s, as nodes: nothing else of the HTML is kept. */
  function snippetNodes(html) {
    var doc = new DOMParser().parseFromString("<p>" + html + "</p>", "text/html");
    var out = document.createDocumentFragment();
    doc.body.firstChild.childNodes.forEach(function (node) {
      if (node.nodeName === "MARK") {
        var mark = document.createElement("mark");
        mark.textContent = node.textContent;
        out.appendChild(mark);
      } else {
        out.appendChild(document.createTextNode(node.textContent));
      }
    });
    return out;
  }

  function getJSON(url, signal) {
    return fetch(url, { signal: signal, headers: { Accept: "application/json" } }).then(
      function (response) { return response.ok ? response.json() : null; }
    );
  }

  function SearchBox(form, input, n) {
    this.form = form;
    this.input = input;
    this.items = []; // {node, kind, query, url}
    this.active = -1;
    this.words = [];
    this.results = [];
    this.pending = { suggest: null, search: null };
    this.list = document.createElement("div");
    this.list.id = "suggestions-" + n;
    this.list.className = "suggest";
    this.list.setAttribute("role", "listbox");
    this.list.setAttribute("aria-label", label(form, "suggestions"));
    this.list.hidden = true;
    form.classList.add("search-form--suggest");
    form.appendChild(this.list);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", this.list.id);
    var self = this;
    var suggestLater = debounce(function () { self.fetchSuggestions(); }, SUGGEST_DELAY);
    input.addEventListener("input", function () {
      if (!input.value.trim()) {
        self.abort();
        self.words = [];
        self.results = [];
        self.close();
        return;
      }
      suggestLater();
    });
    input.addEventListener("keydown", function (event) { self.onKey(event); });
    input.addEventListener("blur", function () {
      setTimeout(function () { self.close(); }, 150);
    });
    input.addEventListener("focus", function () {
      if (self.items.length && input.value.trim()) self.open();
    });
    // chosen with the pointer: mousedown, so that the box keeps its focus until then
    this.list.addEventListener("mousedown", function (event) {
      var option = event.target.closest("[role=option]");
      if (!option) return;
      event.preventDefault();
      self.choose(self.items[Number(option.dataset.index)]);
    });
  }

  SearchBox.prototype.abort = function () {
    ["suggest", "search"].forEach(function (key) {
      if (this.pending[key]) this.pending[key].abort();
      this.pending[key] = null;
    }, this);
  };

  SearchBox.prototype.fetchSuggestions = function () {
    var typed = this.input.value;
    var self = this;
    if (this.pending.suggest) this.pending.suggest.abort();
    var control = (this.pending.suggest = new AbortController());
    getJSON("/api/suggest?q=" + encodeURIComponent(typed), control.signal)
      .then(function (body) {
        if (!body || self.input.value !== typed) return;
        self.words = body.suggestions;
        self.render();
        var first = body.suggestions.filter(function (s) { return s.kind === "word"; })[0];
        self.fetchResults(typed, first ? first.query : typed.trim());
      })
      .catch(function () {}); // aborted, or offline: the form still works
  };

  /* The best paragraphs for ``query``, shown while the box still holds ``typed``. */
  SearchBox.prototype.fetchResults = function (typed, query) {
    var self = this;
    if (this.pending.search) this.pending.search.abort();
    var control = (this.pending.search = new AbortController());
    var url = "/api/search?per_page=" + RESULTS + "&q=" + encodeURIComponent(query);
    getJSON(url, control.signal)
      .then(function (body) {
        if (self.input.value !== typed) return;
        self.results = body ? body.results : []; // a query that cannot run shows none
        self.render();
      })
      .catch(function () {});
  };

  SearchBox.prototype.render = function () {
    var list = this.list;
    var before = this.active >= 0 ? this.items[this.active] : null;
    while (list.firstChild) list.removeChild(list.firstChild);
    this.items = [];
    this.active = -1;
    this.input.removeAttribute("aria-activedescendant");
    var groups = [
      [label(this.form, "suggestions"), this.words],
      [label(this.form, "results"), this.results.map(function (r) {
        return { kind: "result", text: r.title, url: r.url, snippet: r.snippet };
      })],
    ];
    groups.forEach(function (group) {
      if (!group[1].length) return;
      var box = document.createElement("div");
      box.setAttribute("role", "group");
      var label = document.createElement("div");
      label.className = "suggest__group";
      label.id = list.id + "-g" + this.items.length;
      label.textContent = group[0];
      box.setAttribute("aria-labelledby", label.id);
      box.appendChild(label);
      group[1].forEach(function (s) { box.appendChild(this.option(s)); }, this);
      list.appendChild(box);
    }, this);
    if (!this.items.length || document.activeElement !== this.input) {
      this.close();
      return;
    }
    this.open();
    if (before) {  // results came in while choosing: the choice stays where it was
      for (var i = 0; i < this.items.length; i++) {
        var item = this.items[i];
        if (item.kind === before.kind && item.query === before.query && item.url === before.url) {
          this.move(i);
          break;
        }
      }
    }
  };

  SearchBox.prototype.option = function (s) {
    var node = document.createElement("div");
    var index = this.items.length;
    node.id = this.list.id + "-" + index;
    node.className = "suggest__item suggest__item--" + s.kind;
    node.setAttribute("role", "option");
    node.setAttribute("aria-selected", "false");
    node.dataset.index = String(index);
    var text = document.createElement("span");
    text.className = "suggest__text";
    text.textContent = s.text;
    node.appendChild(text);
    var detail = document.createElement("span");
    detail.className = "suggest__detail";
    if (s.kind === "glossary" && s.translations && s.translations.length) {
      detail.textContent = "→ " + s.translations.join(" / ");
    } else if (s.kind === "result") {
      detail.appendChild(snippetNodes(s.snippet || ""));
    } else if (s.kind === "word" && s.count) {
      detail.textContent = s.count.toLocaleString();
    }
    node.appendChild(detail);
    var kind = document.createElement("span");
    kind.className = "suggest__kind";
    kind.textContent = LABELS[s.kind] ? label(this.form, s.kind) : s.kind;
    node.appendChild(kind);
    this.items.push({ node: node, kind: s.kind, query: s.query, url: s.url });
    return node;
  };

  SearchBox.prototype.open = function () {
    this.list.hidden = false;
    this.input.setAttribute("aria-expanded", "true");
  };

  SearchBox.prototype.close = function () {
    this.list.hidden = true;
    this.input.setAttribute("aria-expanded", "false");
    this.input.removeAttribute("aria-activedescendant");
    this.move(-1);
  };

  SearchBox.prototype.move = function (to) {
    if (this.active >= 0 && this.items[this.active]) {
      this.items[this.active].node.classList.remove("is-active");
      this.items[this.active].node.setAttribute("aria-selected", "false");
    }
    this.active = to;
    if (to < 0) {
      this.input.removeAttribute("aria-activedescendant");
      return;
    }
    var item = this.items[to];
    item.node.classList.add("is-active");
    item.node.setAttribute("aria-selected", "true");
    item.node.scrollIntoView({ block: "nearest" });
    this.input.setAttribute("aria-activedescendant", item.node.id);
  };

  SearchBox.prototype.onKey = function (event) {
    var count = this.items.length;
    var shown = !this.list.hidden;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!count) return;
      event.preventDefault();
      if (!shown) {
        this.open();
        this.move(event.key === "ArrowDown" ? 0 : count - 1);
        return;
      }
      var step = event.key === "ArrowDown" ? 1 : -1;
      var next = this.active + step;
      this.move(next >= count ? -1 : next < -1 ? count - 1 : next);
    } else if (event.key === "Enter") {
      if (shown && this.active >= 0) {
        event.preventDefault();
        this.choose(this.items[this.active]);
      }
    } else if (event.key === "Escape") {
      if (shown) {
        event.preventDefault();
        this.close();
      }
    }
  };

  SearchBox.prototype.choose = function (item) {
    this.close();
    if (item.url) {
      window.location.assign(item.url);
      return;
    }
    this.input.value = item.query;
    if (this.form.requestSubmit) this.form.requestSubmit();
    else this.form.submit();
  };

  function typingInField(target) {
    var name = target && target.nodeName;
    return name === "INPUT" || name === "TEXTAREA" || name === "SELECT" || target.isContentEditable;
  }

  function start() {
    var boxes = [];
    document.querySelectorAll("form[role=search]").forEach(function (form, n) {
      var input = form.querySelector("input[name=q]");
      if (input) boxes.push(new SearchBox(form, input, n));
    });
    if (!boxes.length) return;
    document.addEventListener("keydown", function (event) {
      if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
      if (typingInField(event.target)) return;
      event.preventDefault();
      var input = boxes[0].input;
      input.focus();
      input.select();
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

/* The document page: a "copy link" button beside each paragraph's number.
 *
 * Without JavaScript the number itself is the paragraph's permanent link (#pN).
 * The button's words come from the page (data-copy-label, data-copied-label on
 * the document body), in the page's language.
 */
(function () {
  "use strict";

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      // refused (the page not focused, no permission): the older way
      return navigator.clipboard.writeText(text).catch(function () { return copyBySelection(text); });
    }
    // plain http (a server on a LAN): the older way, through a selected text field
    return copyBySelection(text);
  }

  function copyBySelection(text) {
    return new Promise(function (resolve, reject) {
      var field = document.createElement("textarea");
      field.value = text;
      field.setAttribute("readonly", "");
      field.style.position = "fixed";
      field.style.opacity = "0";
      document.body.appendChild(field);
      field.select();
      var done = false;
      try {
        done = document.execCommand("copy");
      } catch (e) {
        done = false;
      }
      document.body.removeChild(field);
      if (done) resolve();
      else reject(new Error("copy refused"));
    });
  }

  function start() {
    var body = document.querySelector("[data-copy-label]");
    if (!body) return;
    var label = body.getAttribute("data-copy-label");
    var copied = body.getAttribute("data-copied-label");
    body.querySelectorAll("a.para__n").forEach(function (number) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "para__copy";
      button.textContent = label;
      button.setAttribute("aria-label", label + " " + number.textContent);
      button.addEventListener("click", function () {
        var url = location.origin + location.pathname + number.getAttribute("href");
        copyText(url).then(function () {
          button.textContent = copied;
          button.classList.add("para__copy--done");
          setTimeout(function () {
            button.textContent = label;
            button.classList.remove("para__copy--done");
          }, 3000);
        }, function () {
          location.hash = number.getAttribute("href");  // at least the address bar has it
        });
      });
      number.parentNode.insertBefore(button, number.nextSibling);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

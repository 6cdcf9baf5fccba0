/* The results page on a phone: the filters folded into one "Filters" line above the
 * results, opened with a tap.  Without JavaScript (or on a wide screen) they are open,
 * beside the results or after them, and the summary's link leads there.
 */
(function () {
  "use strict";

  function start() {
    var fold = document.querySelector("details.facets__fold");
    if (!fold || !window.matchMedia) return;
    var phone = window.matchMedia("(max-width: 55.99rem)");
    function apply() {
      document.documentElement.classList.toggle("filters-folded", phone.matches);
      fold.open = !phone.matches;
    }
    apply();
    if (phone.addEventListener) phone.addEventListener("change", apply);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

// Print buttons: <button data-print> opens the browser's print dialog.
// (A file of our own so that the Content-Security-Policy needs no inline script.)
document.addEventListener("click", function (e) {
  var b = e.target.closest("[data-print]");
  if (b) { window.print(); }
});
// A chart's numbers (<details class="chart-table">) are folded on screen and
// always printed.
window.addEventListener("beforeprint", function () {
  document.querySelectorAll("details.chart-table").forEach(function (d) { d.open = true; });
});

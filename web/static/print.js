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
// The printed footer's date (bangfu.css, "paper: print on A4") reads
// --printed; set it on load and again just before printing.
function stampPrintDate() {
  var d = new Date();
  var pad = function (n) { return (n < 10 ? "0" : "") + n; };
  document.documentElement.style.setProperty("--printed",
    "\"打印于 " + d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + "\"");
}
stampPrintDate();
window.addEventListener("beforeprint", stampPrintDate);

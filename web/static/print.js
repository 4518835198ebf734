// Print buttons: <button data-print> opens the browser's print dialog.
// (A file of our own so that the Content-Security-Policy needs no inline script.)
document.addEventListener("click", function (e) {
  var b = e.target.closest("[data-print]");
  if (b) { window.print(); }
});

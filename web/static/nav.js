// nav.js: the top navigation's menus are <details> and work without script;
// this only closes an open menu on Escape (the focus back on its title) and
// on a click outside it, as menus do elsewhere.
(() => {
  'use strict';
  const open = () => document.querySelectorAll('header nav details.dropdown[open]');
  document.addEventListener('keydown', (e) => {
    if (e.key !== 'Escape') return;
    for (const d of open()) {
      d.open = false;
      if (d.contains(document.activeElement)) d.querySelector('summary').focus();
    }
  });
  document.addEventListener('click', (e) => {
    for (const d of open()) {
      if (!d.contains(e.target)) d.open = false;
    }
  });
})();

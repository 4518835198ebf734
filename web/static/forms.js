// forms.js: small helps for Bangfu's forms, none of them needed to submit.
// - The error banner's links move the focus to their field, and the first
//   field in error has the focus when a form comes back with errors.
// - Dates typed as 2026/3/1 or 2026年3月1日 become 2026-03-01.
// - 添加成员 adds a row in place (htmx) and focuses its first field.
// - Resident ID numbers (身份证号) are checked as they are typed: 18
//   characters, the last one the GB 11643 check digit. The server checks
//   again and stays the authority.
(() => {
  'use strict';

  function focusField(id) {
    const el = document.getElementById(id);
    if (!el) return false;
    if (!el.matches('input, select, textarea, button, [tabindex]')) el.setAttribute('tabindex', '-1');
    el.focus({ preventScroll: true });
    el.scrollIntoView({ block: 'center' });
    return true;
  }

  document.addEventListener('click', (e) => {
    const a = e.target.closest('.error-summary a[data-field]');
    if (a && focusField(a.dataset.field)) e.preventDefault();
  });

  const first = document.querySelector('.error-summary a[data-field]');
  if (first) focusField(first.dataset.field);

  // GB 11643-1999: weights of the first 17 digits and the check characters
  // for the weighted sum modulo 11.
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const checks = '10X98765432';

  // idProblem returns what is wrong with a typed ID number, '' when nothing
  // is (yet): a short number is only wrong once the field is left.
  function idProblem(v, done) {
    if (v === '') return '';
    if (!/^[0-9]{0,17}[0-9Xx]?$/.test(v)) return '只能是数字，末位可以是X';
    if (v.length < 18) return done ? '应为18位，现在是' + v.length + '位' : '';
    let sum = 0;
    for (let i = 0; i < 17; i++) sum += Number(v[i]) * weights[i];
    const want = checks[sum % 11];
    if (v[17].toUpperCase() !== want) return '校验位不正确（按前17位应为 ' + want + '），请核对';
    if (v[17] === 'x') return '末位X须大写';
    return '';
  }

  function isID(el) {
    return el instanceof HTMLInputElement && (el.name === 'id_number' || el.name.endsWith('.id_number'));
  }

  function showID(el, done) {
    const msg = idProblem(el.value.trim(), done);
    const id = el.id + '-live';
    let note = document.getElementById(id);
    if (!msg) {
      if (note) note.remove();
      if (!el.closest('.field')?.querySelector('.field-error:not(.live)')) el.removeAttribute('aria-invalid');
      return;
    }
    if (!note) {
      note = document.createElement('small');
      note.id = id;
      note.className = 'field-error live';
      note.setAttribute('aria-live', 'polite');
      note.dataset.testid = 'live-' + el.name;
      el.insertAdjacentElement('afterend', note);
    }
    note.textContent = msg;
    el.setAttribute('aria-invalid', 'true');
  }

  // 添加成员 (htmx, in place): the new row's first field gets the focus.
  document.addEventListener('htmx:afterSettle', () => {
    const rows = document.querySelectorAll('#member-rows fieldset.member');
    const last = rows[rows.length - 1];
    const input = last && last.querySelector('input, select');
    if (input && document.activeElement && document.activeElement.matches('[data-testid="add-member"], body')) input.focus();
  });

  // Dates are typed as 年-月-日; 2026/3/1, 2026.3.1 and 2026年3月1日 become
  // 2026-03-01 when the field is left.
  function tidyDate(el) {
    const m = el.value.trim().match(/^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$/);
    if (m) el.value = m[1] + '-' + m[2].padStart(2, '0') + '-' + m[3].padStart(2, '0');
  }

  document.addEventListener('input', (e) => { if (isID(e.target)) showID(e.target, false); });
  document.addEventListener('change', (e) => {
    if (isID(e.target)) showID(e.target, true);
    if (e.target.matches && e.target.matches('input[data-date]')) tidyDate(e.target);
  });
})();

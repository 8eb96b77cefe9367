// The only script of the pages (they work without it): a reason becomes required as soon as
// a biller proposes another action than the recommended one; on the worklist, the header
// checkbox selects every row of the page.
document.addEventListener("DOMContentLoaded", () => {
  const action = document.getElementById("propose-action");
  const reason = document.getElementById("propose-reason");
  if (action && reason) {
    const sync = () => { reason.required = action.value !== action.dataset.recommended; };
    action.addEventListener("change", sync);
    sync();
  }
  const all = document.querySelector("[data-select-all]");
  if (all) {
    const boxes = () => document.querySelectorAll('input[type=checkbox][name="case_id"]');
    all.addEventListener("change", () => boxes().forEach((b) => { b.checked = all.checked; }));
  }
});

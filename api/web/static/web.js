// The only script of the pages (they work without it): a reason becomes required as soon as
// a biller proposes another action than the recommended one.
document.addEventListener("DOMContentLoaded", () => {
  const action = document.getElementById("propose-action");
  const reason = document.getElementById("propose-reason");
  if (!action || !reason) return;
  const sync = () => { reason.required = action.value !== action.dataset.recommended; };
  action.addEventListener("change", sync);
  sync();
});

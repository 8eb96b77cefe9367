// Print buttons of the refund paperwork, and the progress shown while an upload is sent and
// read (the pages work without it: the browser's own print command and loading indicator).
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("[data-print]")) {
    button.addEventListener("click", () => window.print());
  }
  for (const form of document.querySelectorAll("form[data-progress]")) {
    form.addEventListener("submit", () => {
      const progress = document.getElementById(form.dataset.progress);
      if (progress) { progress.classList.add("active"); progress.setAttribute("aria-hidden", "false"); }
      for (const b of form.querySelectorAll("button[type=submit]")) { b.disabled = true; }
    });
  }
});

// The site's light or dark theme. Until the trainee chooses, the stylesheet follows the OS preference
// (light-dark()); a choice is remembered and set here, in <head> before the first paint, as
// .theme-light or .theme-dark. The switch is a toggle button in the header, shown once this script runs.
(() => {
  const KEY = "quizsite-theme";
  const root = document.documentElement;
  const osDark = window.matchMedia("(prefers-color-scheme: dark)");

  function chosen() {
    try {
      return localStorage.getItem(KEY);
    } catch {
      return null; // storage refused (private mode): the OS preference stands
    }
  }

  function apply(choice) {
    root.classList.toggle("theme-dark", choice === "dark");
    root.classList.toggle("theme-light", choice === "light");
    const dark = choice === "dark" || (choice !== "light" && osDark.matches);
    document.querySelectorAll("[data-theme-toggle]").forEach((button) => {
      button.setAttribute("aria-pressed", String(dark));
      button.hidden = false;
    });
  }

  apply(chosen());
  document.addEventListener("DOMContentLoaded", () => apply(chosen()));
  // A boosted link swaps the whole body, header included.
  document.addEventListener("htmx:load", () => apply(chosen()));
  osDark.addEventListener("change", () => apply(chosen()));
  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-theme-toggle]");
    if (!button) return;
    const choice = button.getAttribute("aria-pressed") === "true" ? "light" : "dark";
    try {
      localStorage.setItem(KEY, choice);
    } catch {
      // not remembered, but still switched for this page
    }
    apply(choice);
  });
})();

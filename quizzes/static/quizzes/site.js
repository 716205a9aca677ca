// Moves keyboard and screen-reader focus after htmx swaps, as a page load would.
document.addEventListener("htmx:afterSettle", (event) => {
  if (event.detail.boosted) {
    // A boosted link replaced the whole body: start from the main content.
    document.getElementById("main")?.focus();
    return;
  }
  // Feedback (or a refusal) was swapped in for the question: its heading takes focus so it is read out
  // next. Smaller swaps inside it (a problem report) place focus themselves (autofocus).
  if (event.detail.target?.id !== "question") return;
  document.querySelector("#question [data-focus-after-swap]")?.focus();
});

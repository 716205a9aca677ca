// Answering from the keyboard: number keys 1-9 choose an option (tick or untick one in a multiple-select
// question) and Enter submits the answer, or goes on from the feedback. Never while typing in a field, nor
// when Enter is meant for something focused (a button, a link, the hotspot image). Without this script the form works as it is.
(() => {
  const TYPING = "input:not([type=radio]):not([type=checkbox]), textarea, select, [contenteditable]";
  // Enter goes on only from where nothing else takes it: the page itself, an option, or the verdict.
  const ENTER_FROM = 'body, main, input[name="answer"], [data-focus-after-swap]';

  function answerForm() {
    return document.querySelector("#question .answer-form, #exam-question .answer-form");
  }

  function choose(index) {
    const options = answerForm()?.querySelectorAll('input[name="answer"]') ?? [];
    const option = options[index];
    if (!option) return false;
    option.checked = option.type === "checkbox" ? !option.checked : true;
    option.focus();
    // The exam saves on change (htmx); the tutor form just keeps the choice.
    option.dispatchEvent(new Event("change", { bubbles: true }));
    return true;
  }

  function goOn() {
    const form = answerForm();
    const next = form
      ? form.querySelector("button[type=submit]:not([hidden])")
      : document.querySelector("#feedback .actions .button, #feedback .actions button");
    if (!next) return false;
    next.click();
    return true;
  }

  function showHints(root = document) {
    root.querySelectorAll("[data-keys-hint]").forEach((hint) => (hint.hidden = false));
  }

  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.target.closest?.(TYPING)) return;
    let handled = false;
    if (/^[1-9]$/.test(event.key)) handled = choose(Number(event.key) - 1);
    else if (event.key === "Enter" && event.target.matches?.(ENTER_FROM)) handled = goOn();
    if (handled) event.preventDefault();
  });
  document.addEventListener("DOMContentLoaded", () => showHints());
  document.addEventListener("htmx:load", (event) => showHints(event.detail.elt));
})();

// The admin's autocomplete boxes (select2) type into a search field select2 adds without a name, so a screen
// reader announces an unnamed text box. This names each after its field's label, the moment select2 adds it
// (a watch on the page from the start, so it never depends on which script runs first).
(() => {
  function name(search) {
    // select2 puts its box right after the <select> it stands for.
    const select = search.closest(".select2-container")?.previousElementSibling;
    const label = select?.id && document.querySelector(`label[for="${select.id}"]`);
    if (label) search.setAttribute("aria-label", label.textContent.replace(/:\s*$/, "").trim());
  }

  new MutationObserver((changes) => {
    for (const change of changes) {
      for (const node of change.addedNodes) {
        if (node.nodeType !== Node.ELEMENT_NODE) continue;
        const fields = node.matches(".select2-search__field") ? [node] : node.querySelectorAll(".select2-search__field");
        fields.forEach(name);
      }
    }
  }).observe(document.documentElement, { childList: true, subtree: true });
})();

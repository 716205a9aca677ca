// The admin's autocomplete boxes (select2) type into a search field select2 adds without a name, so a screen
// reader announces an unnamed text box. This names each after its field's label. It runs once the page has
// loaded, after the admin has set the boxes up; select2 keeps the same search field as choices come and go.
window.addEventListener("load", () => {
  document.querySelectorAll("select.admin-autocomplete").forEach((select) => {
    const label = document.querySelector(`label[for="${select.id}"]`);
    const search = select.parentElement.querySelector(".select2-search__field");
    if (label && search) search.setAttribute("aria-label", label.textContent.replace(/:\s*$/, "").trim());
  });
});

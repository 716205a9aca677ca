// Hotspot answers: a trainee picks a point on the question image with a click, a tap or the keyboard.
//
// The server renders this markup, and this script only enhances it:
//
//   <form method="post" action="..." data-hotspot-form>          (hx-post and friends as usual)
//     <input type="hidden" name="x">   <input type="hidden" name="y">
//         Filled in here: the chosen point relative to the image, 0 to 1 across and down, to 4 decimal
//         places (a value rendered by the server, say after a refused submission, is shown as chosen).
//     <div data-hotspot-stage>                                   (normally also the viewer's data-stage)
//       <img data-hotspot-image src="..." alt="...">             (normally also data-viewer-image)
//       <span data-hotspot-marker hidden></span>                 placed over the chosen point
//     </div>
//     <p data-hotspot-hint hidden>...</p>                         optional: shown, and describes the stage
//     <p data-hotspot-status aria-live="polite"></p>             what was chosen, or what is missing
//     <button type="submit">Submit answer</button>
//     <button type="submit" name="no_abnormality" value="1" data-hotspot-no-point>No abnormality</button>
//         Optional: a submit button marked data-hotspot-no-point sends the form without a point,
//         and clears x and y so the answer is unambiguous.
//   </form>
//
// Elements in the form marked data-hotspot-requires-js (rendered hidden) are shown once this script has
// set the form up: the parts that only work with it, such as the zoomable image and "Submit answer".
//
// The marker and a crosshair this script adds (<span class="hotspot-crosshair" data-hotspot-crosshair>)
// are positioned absolutely in their container, which is made position: relative if it is static.
// Their looks belong in CSS; pointer-events are turned off so a click goes through to the image.
//
// Zoom and pan: viewer.js moves the image with a CSS transform. getBoundingClientRect() includes that
// transform, so a click is measured against the image as it is shown now, and the marker is moved
// again whenever the viewer changes the transform or the stage is resized.
//
// Keyboard: plain arrow keys pan in the viewer; Shift with an arrow key moves the crosshair 2% of the
// image, and Enter or Space chooses the point under it (the middle of the image until it is moved).
//
// Without JavaScript the hidden x and y stay empty. The server renders a fallback instead, for example
// in <noscript>: <input type="image" name="point" src="..." width="W" height="H" alt="...">. Clicking it
// submits the form with point.x and point.y, whole CSS pixels from the image's top-left corner as it is
// displayed, which quizzes.hotspots.point_from_pixels turns into relative coordinates given W and H.
// That only holds if the fallback is displayed at exactly W x H (no CSS scaling, border or padding).
(() => {
  const STEP = 0.02;
  const NO_POINT_MESSAGE = "Choose a point on the image first: click it, or focus it and use Shift and the " +
    "arrow keys to move the crosshair, then press Enter.";
  const forms = new WeakMap();

  const clamp = (value) => Math.min(1, Math.max(0, value));
  const round = (value) => Math.round(value * 10000) / 10000;
  const describe = (point) => `${Math.round(point.x * 100)}% across, ${Math.round(point.y * 100)}% down`;

  function setUp(form) {
    if (forms.has(form)) return;
    const stage = form.querySelector("[data-hotspot-stage]");
    const image = form.querySelector("[data-hotspot-image]");
    const marker = form.querySelector("[data-hotspot-marker]");
    const status = form.querySelector("[data-hotspot-status]");
    const inputs = { x: form.elements.namedItem("x"), y: form.elements.namedItem("y") };
    if (!stage || !image || !marker || !status || !inputs.x || !inputs.y) return;

    const crosshair = document.createElement("span");
    crosshair.className = "hotspot-crosshair";
    crosshair.dataset.hotspotCrosshair = "";
    crosshair.setAttribute("aria-hidden", "true");
    crosshair.hidden = true;
    marker.after(crosshair);
    marker.setAttribute("aria-hidden", "true");
    for (const element of [marker, crosshair]) {
      element.style.position = "absolute";
      element.style.pointerEvents = "none";
      element.style.transform = "translate(-50%, -50%)";
    }
    const container = marker.parentElement;
    if (getComputedStyle(container).position === "static") container.style.position = "relative";

    if (!stage.hasAttribute("tabindex")) stage.tabIndex = 0;
    form.querySelectorAll("[data-hotspot-requires-js]").forEach((element) => { element.hidden = false; });
    const hint = form.querySelector("[data-hotspot-hint]");
    if (hint) {
      hint.hidden = false;
      hint.id ||= `hotspot-hint-${Math.random().toString(36).slice(2)}`;
      stage.setAttribute("aria-describedby", `${stage.getAttribute("aria-describedby") || ""} ${hint.id}`.trim());
    }

    const parse = (input) => (input.value === "" ? NaN : Number(input.value));
    const initial = { x: parse(inputs.x), y: parse(inputs.y) };
    let chosen = Number.isFinite(initial.x) && Number.isFinite(initial.y)
      ? { x: clamp(initial.x), y: clamp(initial.y) } : null;
    let aim = chosen ? { ...chosen } : { x: 0.5, y: 0.5 };

    function place(element, point) {
      const box = image.getBoundingClientRect();
      const parent = element.offsetParent || container;
      const origin = parent.getBoundingClientRect();
      element.style.left = `${box.left + point.x * box.width - origin.left - parent.clientLeft}px`;
      element.style.top = `${box.top + point.y * box.height - origin.top - parent.clientTop}px`;
    }

    function render() {
      marker.hidden = !chosen;
      if (chosen) place(marker, chosen);
      if (!crosshair.hidden) place(crosshair, aim);
    }

    function choose(point) {
      chosen = { x: round(clamp(point.x)), y: round(clamp(point.y)) };
      aim = { ...chosen };
      inputs.x.value = chosen.x.toFixed(4);
      inputs.y.value = chosen.y.toFixed(4);
      crosshair.hidden = true;
      render();
      status.textContent = `Point chosen at ${describe(chosen)}.`;
      // Hidden inputs fire no change of their own: a form that saves on change (exam mode) hears it here.
      inputs.x.dispatchEvent(new Event("change", { bubbles: true }));
    }

    image.addEventListener("click", (event) => {
      const box = image.getBoundingClientRect();
      if (!box.width || !box.height) return;
      choose({ x: (event.clientX - box.left) / box.width, y: (event.clientY - box.top) / box.height });
    });

    // Capturing on the form runs before the viewer's own keydown listener on the stage, so Shift+arrow
    // moves the crosshair instead of also panning the image.
    form.addEventListener("keydown", (event) => {
      if (event.target !== stage || event.altKey || event.ctrlKey || event.metaKey) return;
      const moves = { ArrowLeft: [-STEP, 0], ArrowRight: [STEP, 0], ArrowUp: [0, -STEP], ArrowDown: [0, STEP] };
      if (event.shiftKey && moves[event.key]) {
        aim = { x: round(clamp(aim.x + moves[event.key][0])), y: round(clamp(aim.y + moves[event.key][1])) };
        crosshair.hidden = false;
        render();
        status.textContent = `Crosshair at ${describe(aim)}. Press Enter to choose this point.`;
        event.stopPropagation();
      } else if (!event.shiftKey && (event.key === "Enter" || event.key === " ")) {
        choose(aim);
      } else {
        return;
      }
      event.preventDefault();
    }, true);

    // The viewer changes the image's transform through its style attribute; follow it.
    new MutationObserver(render).observe(image, { attributes: true, attributeFilter: ["style"] });
    new ResizeObserver(render).observe(stage);
    image.addEventListener("load", render);

    forms.set(form, {
      hasPoint: () => Boolean(inputs.x.value && inputs.y.value),
      clear() {
        chosen = null;
        inputs.x.value = "";
        inputs.y.value = "";
        render();
      },
      refuse() {
        stage.focus();
        // Set after moving focus, so a screen reader reads the message after the stage's own label.
        status.textContent = NO_POINT_MESSAGE;
      },
    });
    render();
  }

  // Listening on the document while capturing runs before htmx's own submit listener on the form,
  // which would otherwise send the request even though the default action was prevented.
  document.addEventListener("submit", (event) => {
    const hotspot = forms.get(event.target);
    if (!hotspot) return;
    if (event.submitter?.hasAttribute("data-hotspot-no-point")) {
      hotspot.clear();
    } else if (!hotspot.hasPoint()) {
      event.preventDefault();
      event.stopPropagation();
      hotspot.refuse();
    }
  }, true);

  function setUpAll(root = document) {
    if (root.matches?.("[data-hotspot-form]")) setUp(root);
    root.querySelectorAll("[data-hotspot-form]").forEach(setUp);
  }

  document.addEventListener("DOMContentLoaded", () => setUpAll());
  if (document.readyState !== "loading") setUpAll();
  document.addEventListener("htmx:load", (event) => setUpAll(event.detail.elt));
})();

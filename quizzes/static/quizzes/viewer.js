// The image viewer: zoom (wheel, buttons, pinch, + and -), pan (drag, arrow keys), brightness and
// contrast (like window and level), reset and full screen.
// It only enhances: without it the page shows the full-resolution image.
(() => {
  const MIN_ZOOM = 1;
  const MAX_ZOOM = 8;
  const PAN_STEP = 40;

  function setUp(viewer) {
    if (viewer.dataset.ready) return;
    viewer.dataset.ready = "true";
    const stage = viewer.querySelector("[data-stage]");
    const image = viewer.querySelector("[data-viewer-image]");
    const toolbar = viewer.querySelector(".viewer-toolbar");
    const zoomLabel = viewer.querySelector("[data-zoom-level]");
    const sliders = {
      brightness: viewer.querySelector('[data-control="brightness"]'),
      contrast: viewer.querySelector('[data-control="contrast"]'),
    };
    const view = { zoom: 1, x: 0, y: 0 };

    toolbar.hidden = false;
    viewer.querySelector("[data-viewer-hint]").hidden = false;
    stage.tabIndex = 0;
    stage.setAttribute("role", "group");
    stage.setAttribute("aria-label", `Image viewer: ${image.alt}. Plus and minus zoom, arrow keys pan, 0 resets.`);

    function clampPan() {
      // Keep some of the image in view however far it is dragged.
      const limitX = (stage.clientWidth * (view.zoom - 1)) / 2 + stage.clientWidth * 0.25;
      const limitY = (stage.clientHeight * (view.zoom - 1)) / 2 + stage.clientHeight * 0.25;
      view.x = Math.max(-limitX, Math.min(limitX, view.x));
      view.y = Math.max(-limitY, Math.min(limitY, view.y));
    }

    function render() {
      clampPan();
      image.style.transform = `translate(${view.x}px, ${view.y}px) scale(${view.zoom})`;
      image.style.filter = `brightness(${sliders.brightness.value}%) contrast(${sliders.contrast.value}%)`;
      zoomLabel.textContent = `${Math.round(view.zoom * 100)}%`;
      for (const [name, slider] of Object.entries(sliders)) {
        slider.setAttribute("aria-valuetext", `${slider.value}%`);
        viewer.querySelector(`[data-value-of="${name}"]`).textContent = `${slider.value}%`;
      }
      viewer.dataset.zoom = view.zoom.toFixed(2);
    }

    function zoomBy(factor) {
      view.zoom = Math.max(MIN_ZOOM, Math.min(MAX_ZOOM, view.zoom * factor));
      if (view.zoom === MIN_ZOOM) {
        view.x = 0;
        view.y = 0;
      }
      render();
    }

    function reset() {
      Object.assign(view, { zoom: 1, x: 0, y: 0 });
      sliders.brightness.value = 100;
      sliders.contrast.value = 100;
      render();
    }

    const actions = {
      "zoom-in": () => zoomBy(1.25),
      "zoom-out": () => zoomBy(0.8),
      reset,
      fullscreen: () => (document.fullscreenElement ? document.exitFullscreen() : viewer.requestFullscreen?.()),
    };
    toolbar.addEventListener("click", (event) => {
      const button = event.target.closest("[data-action]");
      if (button) actions[button.dataset.action]();
    });
    Object.values(sliders).forEach((slider) => slider.addEventListener("input", render));

    stage.addEventListener("wheel", (event) => {
      event.preventDefault();
      zoomBy(event.deltaY < 0 ? 1.1 : 1 / 1.1);
    }, { passive: false });

    stage.addEventListener("keydown", (event) => {
      const moves = { ArrowLeft: [PAN_STEP, 0], ArrowRight: [-PAN_STEP, 0], ArrowUp: [0, PAN_STEP], ArrowDown: [0, -PAN_STEP] };
      if (event.key === "+" || event.key === "=") zoomBy(1.25);
      else if (event.key === "-" || event.key === "_") zoomBy(0.8);
      else if (event.key === "0") reset();
      else if (moves[event.key] && view.zoom > 1) {
        view.x += moves[event.key][0];
        view.y += moves[event.key][1];
        render();
      } else return;
      event.preventDefault();
    });

    // Pointer events cover mouse drag, touch drag and two-finger pinch alike.
    const pointers = new Map();
    let pinchDistance = null;
    let moved = false;
    stage.addEventListener("pointerdown", (event) => {
      pointers.set(event.pointerId, { x: event.clientX, y: event.clientY });
      moved = false;
    });
    stage.addEventListener("pointermove", (event) => {
      const previous = pointers.get(event.pointerId);
      if (!previous) return;
      const current = { x: event.clientX, y: event.clientY };
      pointers.set(event.pointerId, current);
      if (pointers.size === 2) {
        const [a, b] = [...pointers.values()];
        const distance = Math.hypot(a.x - b.x, a.y - b.y);
        if (pinchDistance) zoomBy(distance / pinchDistance);
        pinchDistance = distance;
      } else if (view.zoom > 1 && (Math.abs(current.x - previous.x) + Math.abs(current.y - previous.y) > 0)) {
        stage.setPointerCapture?.(event.pointerId);
        view.x += current.x - previous.x;
        view.y += current.y - previous.y;
        moved = true;
        render();
      }
    });
    const release = (event) => {
      pointers.delete(event.pointerId);
      if (pointers.size < 2) pinchDistance = null;
    };
    ["pointerup", "pointercancel", "pointerleave"].forEach((name) => stage.addEventListener(name, release));
    // A drag that pans must not also count as a click on the image (hotspot questions listen for clicks).
    stage.addEventListener("click", (event) => {
      if (moved) {
        event.stopImmediatePropagation();
        moved = false;
      }
    }, true);

    render();
  }

  function setUpAll(root = document) {
    root.querySelectorAll("[data-viewer]").forEach(setUp);
  }

  document.addEventListener("DOMContentLoaded", () => setUpAll());
  if (document.readyState !== "loading") setUpAll();
  document.addEventListener("htmx:load", (event) => setUpAll(event.detail.elt));
})();

// Admin widget to draw a hotspot question's target regions over its image.
//
// It enhances one textarea per question, which stays the source of truth and stays editable:
//
//   <textarea name="..." data-hotspot-editor data-image-url="/media/..." data-image-alt="..."
//             data-image-input="id_image">[...]</textarea>
//
// data-image-url is the question's image (empty if it has none yet); data-image-alt is optional;
// data-image-input is the id of the form's file input: an image chosen there is drawn on at once (a blob:
// URL, before any upload), so a new question is drawn on and saved with its regions in one pass. The
// textarea holds a JSON list of regions, in order, e.g.
//
//   [{"shape": "ellipse", "geometry": {"cx": 0.42, "cy": 0.61, "rx": 0.05, "ry": 0.03}, "feedback": "..."},
//    {"shape": "polygon", "geometry": {"points": [[0.1, 0.2], [0.3, 0.2], [0.2, 0.4]]}, "feedback": "..."}]
//
// with coordinates relative to the image (0 to 1 across and down; see quizzes/hotspots.py). Any other
// keys on a region (an "id", say) are kept as they are. Drawing, deleting or typing feedback rewrites
// the textarea; typing in the textarea redraws the regions once it holds a valid list, and until then
// the drawing tools are disabled so nothing overwrites what is being typed. The server validates.
//
// Drawing: "Draw ellipse", then drag across the lesion. "Draw polygon", then click each corner; finish
// with a double-click, a click on the first corner, or "Finish polygon". Escape cancels a drawing.
// Works under a strict CSP: no inline scripts or style attributes, only CSSOM properties set here.
(() => {
  const SVG = "http://www.w3.org/2000/svg";
  const MIN_DRAG_PIXELS = 4; // a smaller drag is a slip of the mouse, not a lesion
  const CLOSE_PIXELS = 10; // a click this close to the first corner closes the polygon
  const SAME_POINT_PIXELS = 3;

  const clamp = (value) => Math.min(1, Math.max(0, value));
  const round = (value) => Math.round(value * 10000) / 10000;
  const floor = (value) => Math.floor(value * 10000) / 10000;
  const isNumber = (value) => typeof value === "number" && Number.isFinite(value);

  function element(tag, attributes = {}, text = "") {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
    if (text) node.textContent = text;
    return node;
  }

  function svgElement(tag, attributes) {
    const node = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
    return node;
  }

  function drawable(region) {
    const geometry = region?.geometry;
    if (region?.shape === "ellipse") return ["cx", "cy", "rx", "ry"].every((key) => isNumber(geometry?.[key]));
    if (region?.shape === "polygon") {
      return Array.isArray(geometry?.points) && geometry.points.length >= 2 &&
        geometry.points.every((point) => Array.isArray(point) && point.length === 2 && point.every(isNumber));
    }
    return false;
  }

  function centre(region) {
    if (region.shape === "ellipse") return { x: region.geometry.cx, y: region.geometry.cy };
    const points = region.geometry.points;
    return {
      x: points.reduce((sum, [x]) => sum + x, 0) / points.length,
      y: points.reduce((sum, [, y]) => sum + y, 0) / points.length,
    };
  }

  function crosses(points) {
    // Only proper crossings, for quick feedback while drawing; the server checks everything else.
    const side = (o, a, b) => Math.sign((a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]));
    const edges = points.map((point, index) => [point, points[(index + 1) % points.length]]);
    return edges.some(([a, b], i) => edges.some(([c, d], j) => j > i + 1 && !(i === 0 && j === edges.length - 1) &&
      side(a, b, c) * side(a, b, d) < 0 && side(c, d, a) * side(c, d, b) < 0));
  }

  function parse(text) {
    if (!text.trim()) return { regions: [] };
    try {
      const regions = JSON.parse(text);
      if (!Array.isArray(regions) || !regions.every((region) => region && typeof region === "object")) {
        return { error: "The regions must be a JSON list of objects, like [{\"shape\": \"ellipse\", ...}]." };
      }
      return { regions };
    } catch (error) {
      return { error: `The regions are not valid JSON yet (${error.message}).` };
    }
  }

  function setUp(textarea) {
    if (textarea.dataset.hotspotEditorReady) return;
    textarea.dataset.hotspotEditorReady = "true";
    const root = element("div", { class: "hotspot-editor" });
    const status = element("p", { class: "hotspot-editor__status", "aria-live": "polite" });
    textarea.before(root);
    // The JSON stays within reach (to type or paste regions, or to check them) without crowding the drawing.
    const source = element("details", { class: "hotspot-editor__source" });
    source.append(element("summary", {}, "The regions as JSON (to type or paste them)"));
    textarea.before(source);
    source.append(textarea);
    const noImage = element("p", { class: "hotspot-editor__note" },
      "Choose the question's image (the Image field) to draw its target regions on it.");
    root.append(noImage);

    const controls = element("fieldset", { class: "hotspot-editor__controls" });
    controls.append(element("legend", { class: "hotspot-editor__legend" }, "Target regions"));
    const toolbar = element("div", {
      class: "hotspot-editor__toolbar", role: "toolbar", "aria-label": "Drawing tools",
    });
    const tools = {
      ellipse: element("button", { type: "button", class: "button", "aria-pressed": "false" }, "Draw ellipse"),
      polygon: element("button", { type: "button", class: "button", "aria-pressed": "false" }, "Draw polygon"),
    };
    const commands = {
      finish: element("button", { type: "button", class: "button" }, "Finish polygon"),
      undo: element("button", { type: "button", class: "button" }, "Undo last corner"),
      cancel: element("button", { type: "button", class: "button" }, "Cancel drawing"),
    };
    toolbar.append(...Object.values(tools), ...Object.values(commands));

    const canvas = element("div", { class: "hotspot-editor__canvas" });
    const image = element("img", { alt: textarea.dataset.imageAlt || "Question image", draggable: "false" });
    const overlay = svgElement("svg", {
      class: "hotspot-editor__overlay", viewBox: "0 0 1 1", preserveAspectRatio: "none", "aria-hidden": "true",
    });
    const markers = element("div", { class: "hotspot-editor__markers", "aria-hidden": "true" });
    canvas.append(image, overlay, markers);
    const list = element("ol", { class: "hotspot-editor__regions" });
    const empty = element("p", { class: "hotspot-editor__note" }, "No regions yet: draw one on the image.");
    controls.append(toolbar, canvas, empty, list);
    root.append(controls, status);

    let regions = [];
    let tool = null;
    let draft = []; // the corners of a polygon being drawn
    let drag = null; // the start and current point of an ellipse being drawn
    let hover = null;

    function write() {
      // One region a line keeps the textarea readable enough to edit by hand.
      const lines = regions.map((region) => `  ${JSON.stringify(region)}`);
      textarea.value = lines.length ? `[\n${lines.join(",\n")}\n]` : "[]";
    }

    function say(message) {
      status.textContent = message;
    }

    function pointAt(event) {
      const box = image.getBoundingClientRect();
      if (!box.width || !box.height) return null; // not loaded yet
      return { x: clamp((event.clientX - box.left) / box.width), y: clamp((event.clientY - box.top) / box.height) };
    }

    function pixelDistance(a, b) {
      const box = image.getBoundingClientRect();
      return Math.hypot((a.x - b.x) * box.width, (a.y - b.y) * box.height);
    }

    function shapeFor(region) {
      if (region.shape === "ellipse") {
        const { cx, cy, rx, ry } = region.geometry;
        return svgElement("ellipse", { cx, cy, rx: Math.max(rx, 0), ry: Math.max(ry, 0) });
      }
      return svgElement("polygon", { points: region.geometry.points.map((point) => point.join(",")).join(" ") });
    }

    function marker(className, point, text = "") {
      const node = element("span", { class: className }, text);
      node.style.left = `${point.x * 100}%`;
      node.style.top = `${point.y * 100}%`;
      markers.append(node);
      return node;
    }

    function drawOverlay() {
      overlay.replaceChildren();
      markers.replaceChildren();
      regions.forEach((region, index) => {
        if (!drawable(region)) return;
        const shape = shapeFor(region);
        shape.classList.add("hotspot-editor__shape");
        shape.dataset.index = index;
        overlay.append(shape);
        marker("hotspot-editor__badge", centre(region), String(index + 1)).dataset.index = index;
      });
      if (drag) {
        const { left, top, right, bottom } = box(drag.start, drag.current);
        const preview = svgElement("ellipse", {
          cx: (left + right) / 2, cy: (top + bottom) / 2, rx: (right - left) / 2, ry: (bottom - top) / 2,
        });
        preview.classList.add("hotspot-editor__shape", "hotspot-editor__shape--draft");
        overlay.append(preview);
      }
      if (draft.length) {
        const trail = hover ? [...draft, hover] : draft;
        const preview = svgElement("polyline", { points: trail.map((point) => `${point.x},${point.y}`).join(" ") });
        preview.classList.add("hotspot-editor__shape", "hotspot-editor__shape--draft");
        overlay.append(preview);
        draft.forEach((point, index) => {
          marker(`hotspot-editor__vertex${index === 0 ? " hotspot-editor__vertex--first" : ""}`, point);
        });
      }
    }

    function highlight(index, on) {
      root.querySelectorAll(`[data-index="${index}"]`).forEach((node) => node.classList.toggle("is-selected", on));
    }

    function drawList() {
      list.replaceChildren();
      empty.hidden = regions.length > 0;
      regions.forEach((region, index) => {
        const number = index + 1;
        const item = element("li", { class: "hotspot-editor__region", "data-index": index });
        const kind = region.shape === "polygon" ? "polygon" : region.shape === "ellipse" ? "ellipse" : "unknown shape";
        const name = element("span", { class: "hotspot-editor__region-name" }, `Region ${number}: ${kind}`);
        if (!drawable(region)) {
          name.append(element("span", { class: "hotspot-editor__problem" }, " (cannot be drawn: check it below)"));
        }
        const label = element("label", { class: "hotspot-editor__feedback" }, `Feedback for region ${number}`);
        const feedback = element("textarea", { rows: "2", class: "vLargeTextField" });
        feedback.value = typeof region.feedback === "string" ? region.feedback : "";
        feedback.addEventListener("input", () => {
          region.feedback = feedback.value;
          write();
        });
        label.append(feedback);
        const remove = element("button", { type: "button", class: "button hotspot-editor__delete" },
          `Delete region ${number}`);
        remove.addEventListener("click", () => {
          regions.splice(index, 1);
          write();
          redraw();
          const next = list.querySelectorAll(".hotspot-editor__delete")[Math.min(index, regions.length - 1)];
          (next || tools.ellipse).focus();
          say(`Region ${number} deleted.`);
        });
        item.append(name, label, remove);
        const highlights = { mouseenter: true, mouseleave: false, focusin: true, focusout: false };
        for (const [type, on] of Object.entries(highlights)) item.addEventListener(type, () => highlight(index, on));
        list.append(item);
      });
    }

    function showTools() {
      for (const [name, button] of Object.entries(tools)) button.setAttribute("aria-pressed", String(tool === name));
      commands.finish.hidden = commands.undo.hidden = !draft.length;
      commands.cancel.hidden = !draft.length && !drag;
      canvas.classList.toggle("is-drawing", Boolean(tool));
    }

    function redraw() {
      drawOverlay();
      drawList();
      showTools();
    }

    function add(region, message) {
      regions.push({ ...region, feedback: "" });
      write();
      redraw();
      list.lastElementChild?.querySelector("textarea")?.focus({ preventScroll: true });
      say(`${message} added as region ${regions.length}. Its feedback can be typed in the list.`);
    }

    function box(a, b) {
      return {
        left: Math.min(a.x, b.x), right: Math.max(a.x, b.x), top: Math.min(a.y, b.y), bottom: Math.max(a.y, b.y),
      };
    }

    function cancelDrawing() {
      draft = [];
      drag = null;
      hover = null;
      redraw();
    }

    function finishPolygon() {
      if (draft.length < 3) {
        say(`A polygon needs at least 3 corners; this one has ${draft.length}.`);
        return;
      }
      const points = draft.map((point) => [round(point.x), round(point.y)]);
      if (crosses(points)) {
        say("The outline crosses itself. Undo the last corner or cancel, then draw one loop that doesn't cross.");
        return;
      }
      draft = [];
      hover = null;
      add({ shape: "polygon", geometry: { points } }, "Polygon");
    }

    for (const [name, button] of Object.entries(tools)) {
      button.addEventListener("click", () => {
        draft = [];
        drag = null;
        tool = tool === name ? null : name;
        redraw();
        if (tool === "ellipse") say("Drag across the lesion on the image to draw an ellipse.");
        else if (tool === "polygon") say("Click each corner of the lesion on the image; double-click to finish.");
        else say("Drawing stopped.");
      });
    }
    commands.finish.addEventListener("click", finishPolygon);
    commands.undo.addEventListener("click", () => {
      draft.pop();
      redraw();
      say(`${draft.length} corners so far.`);
    });
    commands.cancel.addEventListener("click", () => {
      cancelDrawing();
      say("Drawing cancelled.");
    });
    root.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && (draft.length || drag)) {
        event.preventDefault();
        cancelDrawing();
        say("Drawing cancelled.");
      }
    });

    canvas.addEventListener("pointerdown", (event) => {
      const point = pointAt(event);
      if (tool !== "ellipse" || event.button !== 0 || !point) return;
      event.preventDefault();
      canvas.setPointerCapture(event.pointerId);
      drag = { start: point, current: point };
      redraw();
    });
    canvas.addEventListener("pointermove", (event) => {
      const point = pointAt(event);
      if (!point) return;
      if (drag) {
        drag.current = point;
        drawOverlay();
      } else if (tool === "polygon" && draft.length) {
        hover = point;
        drawOverlay();
      }
    });
    canvas.addEventListener("pointerup", () => {
      if (!drag) return;
      const { start, current } = drag;
      drag = null;
      const size = image.getBoundingClientRect();
      if (Math.min(Math.abs(start.x - current.x) * size.width, Math.abs(start.y - current.y) * size.height) <
        MIN_DRAG_PIXELS) {
        redraw();
        say("That ellipse was too small: drag across the lesion to draw one.");
        return;
      }
      const { left, top, right, bottom } = box(start, current);
      // Round the centre, then round the radii down so rounding can never push the ellipse off the image.
      const cx = round((left + right) / 2);
      const cy = round((top + bottom) / 2);
      const rx = floor(Math.min((right - left) / 2, cx, 1 - cx));
      const ry = floor(Math.min((bottom - top) / 2, cy, 1 - cy));
      add({ shape: "ellipse", geometry: { cx, cy, rx, ry } }, "Ellipse");
    });
    canvas.addEventListener("pointercancel", () => {
      drag = null;
      redraw();
    });
    canvas.addEventListener("click", (event) => {
      const point = pointAt(event);
      if (tool !== "polygon" || !point) return;
      if (event.detail > 1) return; // the second click of a double-click; the dblclick finishes instead
      if (draft.length >= 3 && pixelDistance(point, draft[0]) <= CLOSE_PIXELS) {
        finishPolygon();
        return;
      }
      if (draft.length && pixelDistance(point, draft[draft.length - 1]) <= SAME_POINT_PIXELS) return;
      draft.push(point);
      redraw();
      const next = draft.length >= 3 ? " Double-click or use Finish polygon to close it." : "";
      say(`Corner ${draft.length} placed.${next}`);
    });
    canvas.addEventListener("dblclick", (event) => {
      if (tool !== "polygon") return;
      event.preventDefault();
      finishPolygon();
    });

    textarea.addEventListener("input", () => {
      const result = parse(textarea.value);
      controls.disabled = Boolean(result.error);
      if (result.error) {
        tool = null;
        cancelDrawing();
        say(`${result.error} The drawing shows the regions as they last were valid.`);
        return;
      }
      regions = result.regions;
      cancelDrawing();
      say("");
    });

    let chosenUrl = null; // the blob: URL of an image chosen in the file input, released when replaced

    function showImage(url, alt) {
      controls.hidden = !url;
      noImage.hidden = Boolean(url);
      if (url) {
        image.src = url;
        image.alt = alt;
      }
    }

    const fileInput = document.getElementById(textarea.dataset.imageInput || "");
    fileInput?.addEventListener("change", () => {
      if (chosenUrl) URL.revokeObjectURL(chosenUrl);
      const file = fileInput.files?.[0];
      chosenUrl = file ? URL.createObjectURL(file) : null;
      if (chosenUrl) {
        showImage(chosenUrl, `The image chosen: ${file.name}`);
        say("The image chosen is shown: draw the target regions on it, then save the question.");
      } else {
        showImage(textarea.dataset.imageUrl, textarea.dataset.imageAlt || "Question image");
      }
    });

    const initial = parse(textarea.value);
    regions = initial.regions || [];
    controls.disabled = Boolean(initial.error);
    source.open = Boolean(initial.error);
    if (initial.error) say(`${initial.error} Correct it in the JSON to draw.`);
    showImage(textarea.dataset.imageUrl, textarea.dataset.imageAlt || "Question image");
    redraw();
  }

  function setUpAll() {
    document.querySelectorAll("textarea[data-hotspot-editor]").forEach(setUp);
  }

  document.addEventListener("DOMContentLoaded", setUpAll);
  if (document.readyState !== "loading") setUpAll();
})();

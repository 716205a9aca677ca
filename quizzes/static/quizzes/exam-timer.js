// The exam countdown: enhances the server-rendered time remaining (templates/quizzes/_exam_timer.html).
//
// It counts down to the <time data-exam-deadline datetime="..."> element's deadline, measured on the
// server's clock: data-server-now is the server's time when it rendered the page, so a device whose
// clock is wrong still counts down correctly. The visible text changes every second but is not a live
// region (a screen reader would read it out every second); the polite live region
// [data-exam-announcement] speaks only at a few thresholds. At zero the page reloads: the server then
// finishes the exam and sends the trainee to the results. The server enforces the limit either way.
(() => {
  const THRESHOLDS = [
    [10 * 60, "10 minutes left."],
    [5 * 60, "5 minutes left."],
    [60, "1 minute left."],
  ];
  // Reload a moment after the deadline, so the server finds it past rather than a few milliseconds early.
  const RELOAD_AFTER_MS = 750;

  function text(seconds) {
    const minutes = Math.floor(seconds / 60);
    const rest = String(seconds % 60).padStart(2, "0");
    // The same wording as the server's "duration" template filter.
    return minutes ? `${minutes} min ${rest} s` : `${seconds % 60} s`;
  }

  function start(timer) {
    const remaining = timer.querySelector("[data-exam-remaining]");
    const deadlineElement = timer.querySelector("[data-exam-deadline]");
    const announcement = timer.querySelector("[data-exam-announcement]");
    const deadline = Date.parse(deadlineElement?.getAttribute("datetime") ?? "");
    const serverNow = Date.parse(timer.dataset.serverNow ?? "");
    if (!remaining || !announcement || Number.isNaN(deadline) || Number.isNaN(serverNow)) return;
    const offset = serverNow - Date.now(); // server time = device time + offset
    const msLeft = () => deadline - (Date.now() + offset);

    // Thresholds already passed when the page loaded are not announced again.
    let announced = THRESHOLDS.filter(([seconds]) => msLeft() / 1000 <= seconds).length;
    let reloading = false;

    function tick() {
      const ms = msLeft();
      const seconds = Math.max(0, Math.ceil(ms / 1000));
      remaining.textContent = text(seconds);
      while (announced < THRESHOLDS.length && seconds <= THRESHOLDS[announced][0]) {
        announcement.textContent = THRESHOLDS[announced][1];
        announced += 1;
      }
      if (seconds === 0 && !reloading) {
        reloading = true;
        timer.classList.add("is-over");
        announcement.textContent = "Time is up. Your saved answers are being marked.";
        setTimeout(() => window.location.reload(), Math.max(0, ms) + RELOAD_AFTER_MS);
        return;
      }
      // Tick on the second boundaries of the time left, so the display never skips a second.
      setTimeout(tick, ((ms % 1000) + 1000) % 1000 || 1000);
    }
    tick();
  }

  function startAll() {
    document.querySelectorAll("[data-exam-timer]").forEach(start);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", startAll);
  else startAll();
})();

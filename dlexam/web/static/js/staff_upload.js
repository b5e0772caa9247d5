// A staff upload's page: poll the batch's progress until nothing is queued or running, and fill in the
// counts and each file's status and points as they finish (the server rendered the first state).
(function () {
  "use strict";
  const root = document.getElementById("batch");
  if (!root) return;
  const url = root.dataset.progress;

  function show(state) {
    for (const [name, n] of Object.entries(state.counts)) {
      const cell = root.querySelector(`[data-count="${name}"]`);
      if (cell) cell.textContent = String(n);
    }
    const bar = root.querySelector("progress");
    bar.max = state.files.length;
    bar.value = state.counts.done + state.counts.failed;
    root.querySelector(".state").textContent = state.finished ? "all graded" : "grading…";
    state.files.forEach((file, i) => {
      const row = root.querySelector(`tr[data-index="${i}"]`);
      if (!row) return;
      row.className = file.status;
      row.querySelector(".status").textContent = file.status;
      row.querySelector(".points").textContent =
        file.score === null || file.score === undefined ? "" : `${+file.score.toFixed(2)} / ${+Number(file.max_score).toFixed(2)}`;
      row.querySelector(".note").textContent =
        (file.flagged ? "flagged: the sandbox blocked something. " : "") + (file.error || "");
    });
    root.dataset.finished = state.finished ? "yes" : "no";
  }

  async function poll() {
    try {
      const response = await fetch(url, { headers: { accept: "application/json" } });
      if (response.ok) {
        const state = await response.json();
        show(state);
        if (state.finished) return;
      }
    } catch (error) { /* the server restarting: try again */ }
    setTimeout(poll, 700);
  }

  if (root.dataset.finished !== "yes") setTimeout(poll, 300);
})();

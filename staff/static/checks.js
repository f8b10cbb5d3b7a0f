// Polls /checks/status while a check runs: updates the progress line, reloads the page when it ends.
(function () {
  const job = document.getElementById("job");
  if (!job || job.dataset.running !== "1") return;
  const progress = document.getElementById("progress");
  async function poll() {
    try {
      const reply = await fetch("/checks/status", { credentials: "same-origin" });
      const status = await reply.json();
      if (!status.running) { window.location.reload(); return; }
      progress.textContent = status.run.kind_label + "运行中(" + status.elapsed + " 秒):" + status.progress;
    } catch (e) { /* the next poll tries again */ }
    setTimeout(poll, 1000);
  }
  setTimeout(poll, 1000);
})();

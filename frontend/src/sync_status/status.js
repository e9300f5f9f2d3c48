// Keeps /status live without a reload: every few seconds it fetches the
// page again and swaps in the new #sync-status section (numbers, verdict and
// the chart, whose URL changes with every sample). Served by the frontend as
// /status/status.js; without JavaScript the page is simply a snapshot.
"use strict";
(function () {
  const section = document.getElementById("sync-status");
  if (!section || !window.fetch || !window.DOMParser) return;
  const every = Math.max(500, Number(section.dataset.refreshMs) || 2000);
  let busy = false;
  async function refresh() {
    if (busy || document.hidden) return;
    busy = true;
    try {
      const response = await fetch(window.location.pathname, {
        headers: { Accept: "text/html" },
        cache: "no-store",
        credentials: "same-origin",
      });
      if (!response.ok) return;
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      const fresh = page.getElementById("sync-status");
      const current = document.getElementById("sync-status");
      if (fresh && current) current.replaceWith(document.adoptNode(fresh));
    } catch (_) {
      // Offline for a moment: the next tick tries again.
    } finally {
      busy = false;
    }
  }
  window.setInterval(refresh, every);
})();

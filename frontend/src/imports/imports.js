// Bulk upload in the browser (served as /imports/imports.js; no inline
// script, the Content-Security-Policy allows none). Two jobs:
//  1. on /imports: ask the frontend for a presigned URL, PUT the file
//     straight to S3 with an XMLHttpRequest (its upload progress events
//     drive the progress bar), then create the import job and go to its page;
//  2. on /imports/{id}: poll /api/imports/{id} and show the job's progress,
//     then the search index catching up ("indexed n of m"), without a reload.
"use strict";
(function () {
  const POLL_RUNNING_MS = 500;
  const POLL_INDEXING_MS = 2000;

  function csrfToken() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function count(n) {
    return Number(n).toLocaleString("en-US");
  }

  /** POST JSON to the frontend; the parsed answer, or an Error with the problem's detail. */
  async function postJson(url, body) {
    const response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken() },
      body: JSON.stringify(body),
    });
    const answer = await response.json().catch(() => null);
    if (!response.ok) {
      const fields = answer && Array.isArray(answer.errors) ? answer.errors.map((e) => e.message).join("; ") : "";
      throw new Error(fields || (answer && answer.detail) || `HTTP ${response.status}`);
    }
    return answer;
  }

  /** PUT `file` as the ticket says, reporting progress; resolves when S3 has it. */
  function put(ticket, file, onProgress) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open(ticket.method, ticket.url);
      for (const [name, value] of Object.entries(ticket.headers)) xhr.setRequestHeader(name, value);
      xhr.upload.addEventListener("progress", (event) => {
        if (event.lengthComputable) onProgress(event.loaded, event.total);
      });
      xhr.addEventListener("load", () => {
        if (xhr.status >= 200 && xhr.status < 300) {
          onProgress(file.size, file.size);
          resolve();
        } else if (xhr.status === 403 && /expired/i.test(xhr.responseText)) {
          reject(new Error("the upload URL expired before the upload started; please try again"));
        } else {
          reject(new Error(`storage refused the file (HTTP ${xhr.status})`));
        }
      });
      xhr.addEventListener("error", () => reject(new Error("the upload failed (network error)")));
      xhr.addEventListener("abort", () => reject(new Error("the upload was cancelled")));
      xhr.send(file);
    });
  }

  function uploadPage() {
    const form = document.getElementById("upload-form");
    if (!form) return;
    const input = document.getElementById("upload-file");
    const button = document.getElementById("upload-button");
    const bar = document.getElementById("upload-progress");
    const percent = document.getElementById("upload-percent");
    const status = document.getElementById("upload-status");
    const maxBytes = Number(form.dataset.maxBytes) || Infinity;
    status.textContent = "Choose a CSV file.";

    const say = (text, failed) => {
      status.textContent = text;
      status.classList.toggle("error", Boolean(failed));
    };
    const progress = (loaded, total) => {
      const value = total > 0 ? Math.floor((loaded * 100) / total) : 0;
      bar.value = value;
      percent.textContent = `${value} %`;
      say(`Uploading… ${count(loaded)} of ${count(total)} bytes`);
    };

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const file = input.files && input.files[0];
      if (!file) return say("Choose a CSV file first.", true);
      if (file.size === 0) return say("The file is empty.", true);
      if (file.size > maxBytes) return say(`The file is larger than the limit (${count(maxBytes)} bytes).`, true);
      button.disabled = true;
      input.disabled = true;
      try {
        say("Preparing the upload…");
        const ticket = await postJson("/api/uploads", { file_name: file.name, size_bytes: file.size });
        progress(0, file.size);
        await put(ticket, file, progress);
        say("Uploaded. Starting the import…");
        const job = await postJson("/api/imports", { upload_id: ticket.upload_id, file_name: file.name });
        window.location.assign(job.page);
      } catch (error) {
        say(`Upload failed: ${error.message}`, true);
        button.disabled = false;
        input.disabled = false;
      }
    });
  }

  function jobPage() {
    const section = document.getElementById("import-job");
    if (!section) return;
    const id = section.dataset.id;
    const labels = {
      queued: "waiting to start",
      checking: "checking the file",
      importing: "importing",
      imported: "imported",
      failed: "failed",
    };
    const el = (name) => document.getElementById(name);

    const rowsLine = (job) => {
      if (job.phase === "queued" && job.rows_read === 0) return "waiting to start";
      if (job.phase === "checking") return "checking the file (nothing is written until it passed)";
      const skipped =
        job.rows_skipped === 0 ? "" : job.rows_skipped === 1 ? ", 1 line skipped" : `, ${count(job.rows_skipped)} lines skipped`;
      if (job.rows_total === null) return `${count(job.rows_imported)} rows imported${skipped}`;
      return `${count(job.rows_read)} of ${count(job.rows_total)} rows read, ${count(job.rows_imported)} imported${skipped}`;
    };
    const indexLine = (index) => {
      if (index.state === "pending") return "search index: waiting for the import";
      if (index.state === "nothing") return "search index: nothing to index";
      return `indexed ${count(index.indexed)} of ${count(index.total)}`;
    };

    const show = (job) => {
      section.dataset.phase = job.phase;
      section.dataset.indexState = job.index.state;
      const phase = el("import-phase");
      phase.dataset.phase = job.phase;
      phase.textContent = labels[job.phase] || job.phase;
      el("import-progress").value = job.percent;
      el("import-percent").textContent = `${job.percent} %`;
      el("import-rows").textContent = rowsLine(job);
      const index = el("import-index");
      index.dataset.state = job.index.state;
      index.textContent = indexLine(job.index);
      el("import-error").textContent = job.error || "";
      if (job.import_seconds !== null && job.rows_per_second !== null) {
        el("import-timing").textContent = `${count(job.rows_read)} rows in ${job.import_seconds.toFixed(1)} s (${count(
          Math.round(job.rows_per_second),
        )} rows/s)`;
      }
      if (job.resumed_at_line !== null) {
        el("import-resumed").textContent = `resumed at line ${count(job.resumed_at_line)} after an interruption`;
      }
      const lines = job.skipped_lines || [];
      const body = el("import-skipped-rows");
      if (lines.length !== body.rows.length) {
        body.replaceChildren(
          ...lines.map((skipped) => {
            const row = document.createElement("tr");
            const line = document.createElement("td");
            line.className = "line";
            line.textContent = String(skipped.line);
            const reason = document.createElement("td");
            reason.textContent = skipped.reason;
            row.append(line, reason);
            return row;
          }),
        );
      }
      el("import-skipped").hidden = lines.length === 0;
      el("import-skipped-more").hidden = job.rows_skipped <= lines.length;
    };

    const finished = (job) =>
      job.phase === "failed" || (job.phase === "imported" && (job.index.state === "indexed" || job.index.state === "nothing"));

    const poll = () => {
      fetch(`/api/imports/${encodeURIComponent(id)}`, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        cache: "no-store",
      })
        .then((response) => (response.ok ? response.json() : null))
        .then((job) => {
          if (!job) return setTimeout(poll, POLL_INDEXING_MS);
          show(job);
          if (finished(job)) return;
          setTimeout(poll, job.phase === "imported" ? POLL_INDEXING_MS : POLL_RUNNING_MS);
        })
        .catch(() => setTimeout(poll, POLL_INDEXING_MS));
    };
    if (section.dataset.phase !== "failed" && section.dataset.indexState !== "indexed" && section.dataset.indexState !== "nothing") {
      poll();
    }
  }

  uploadPage();
  jobPage();
})();

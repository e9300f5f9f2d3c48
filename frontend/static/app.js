// Progressive enhancement of the server-rendered pages; every page works
// without it. Three jobs:
//  1. search as you type: fetch the search page for what is typed (debounced)
//     and swap in its #search-results section, so results are rendered (and
//     escaped) by the server exactly as without JavaScript;
//  2. on a product page, poll /api/products/{sku} until the search index
//     holds the product's current version ("indexing…" → "indexed");
//  3. refresh the sync-status badge of the header from /status/badge.
// Loaded with `defer` from /static (the Content-Security-Policy allows no
// inline script).
(() => {
  'use strict';

  const TYPING_PAUSE_MS = 250;
  const BADGE_REFRESH_MS = 5000;
  const INDEX_POLL_FIRST_MS = 500;
  const INDEX_POLL_MAX_MS = 4000;

  function parseHtml(html) {
    return new DOMParser().parseFromString(html, 'text/html');
  }

  function searchAsYouType() {
    const form = document.getElementById('search-form');
    const input = document.getElementById('q');
    if (!form || !input) return;
    let timer = null;
    let inFlight = null;
    let shownUrl = location.pathname + location.search;

    const urlOfForm = () => {
      const params = new URLSearchParams();
      for (const [name, value] of new FormData(form)) {
        if (String(value).trim() !== '') params.append(name, String(value));
      }
      const query = params.toString();
      return '/' + (query ? '?' + query : '');
    };

    const showFailure = (message) => {
      const section = document.getElementById('search-results');
      if (!section) return;
      let note = section.querySelector('.fetch-error');
      if (!note) {
        note = document.createElement('p');
        note.className = 'error fetch-error';
        note.setAttribute('role', 'alert');
        section.prepend(note);
      }
      note.textContent = message;
    };

    const search = () => {
      const url = urlOfForm();
      if (url === shownUrl) return;
      if (inFlight) inFlight.abort();
      const controller = new AbortController();
      inFlight = controller;
      fetch(url, { headers: { Accept: 'text/html' }, signal: controller.signal, credentials: 'same-origin' })
        .then((response) => response.text())
        .then((html) => {
          if (controller !== inFlight) return; // a newer search superseded this one
          const page = parseHtml(html);
          const fresh = page.getElementById('search-results');
          const current = document.getElementById('search-results');
          if (!fresh || !current) return;
          current.replaceWith(document.importNode(fresh, true));
          document.title = page.title;
          history.replaceState(null, '', url);
          shownUrl = url;
        })
        .catch((error) => {
          if (error.name !== 'AbortError') showFailure('Could not reach the server; results may be out of date.');
        });
    };

    const schedule = () => {
      clearTimeout(timer);
      timer = setTimeout(search, TYPING_PAUSE_MS);
    };
    input.addEventListener('input', schedule);
    form.addEventListener('change', schedule);
  }

  function indexStatus() {
    const status = document.getElementById('index-status');
    if (!status || status.dataset.state === 'indexed') return;
    const labels = { indexed: 'indexed', indexing: 'indexing…', unknown: 'index status unknown' };
    const url = '/api/products/' + encodeURIComponent(status.dataset.sku || '');
    let delay = INDEX_POLL_FIRST_MS;

    const poll = () => {
      fetch(url, { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
        .then((response) => (response.ok ? response.json() : null))
        .then((product) => {
          if (product && labels[product.index_state]) {
            status.dataset.state = product.index_state;
            status.textContent = labels[product.index_state];
            if (product.index_state === 'indexed') return;
          }
          delay = Math.min(delay * 1.5, INDEX_POLL_MAX_MS);
          setTimeout(poll, delay);
        })
        .catch(() => setTimeout(poll, INDEX_POLL_MAX_MS));
    };
    setTimeout(poll, delay);
  }

  function syncBadge() {
    if (!document.getElementById('sync-badge')) return;
    const refresh = () => {
      if (document.hidden) {
        setTimeout(refresh, BADGE_REFRESH_MS);
        return;
      }
      fetch('/status/badge', { headers: { Accept: 'text/html' }, credentials: 'same-origin' })
        .then((response) => (response.ok ? response.text() : null))
        .then((html) => {
          const current = document.getElementById('sync-badge');
          if (html === null || !current) return;
          const fragment = parseHtml(html);
          const fresh = fragment.getElementById('sync-badge');
          if (fresh) {
            current.replaceWith(document.importNode(fresh, true));
          } else {
            current.replaceChildren(...Array.from(fragment.body.childNodes, (node) => document.importNode(node, true)));
          }
        })
        .catch(() => {})
        .finally(() => setTimeout(refresh, BADGE_REFRESH_MS));
    };
    refresh();
  }

  searchAsYouType();
  indexStatus();
  syncBadge();
})();

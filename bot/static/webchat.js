// SIKETAN web chat widget.
// Text from the server is put in the page as text nodes, never as HTML: citizens' and officers'
// words are untrusted. The bot's light markup (*bold*, links, reference numbers) becomes
// elements here - the web chat's own way of rendering it (Telegram and WhatsApp render theirs).
(function () {
  "use strict";

  const UI = {
    id: {
      subtitle: "Loket virtual perizinan DPMPTSP Kota Probolinggo",
      log: "Percakapan",
      message: "Pesan",
      placeholder: "Tulis pesan…",
      send: "Kirim",
      attach: "Kirim dokumen (JPG, PNG, PDF, maks. 10 MB)",
      me: "Anda", bot: "SIKETAN", officer: "Petugas", system: "SIKETAN",
      sending: "Mengirim…", sent: "Terkirim", failed: "Gagal terkirim.", resend: "Kirim ulang",
      uploading: "Mengunggah", typing: "SIKETAN sedang mengetik…",
      download: "Unduh", preview: "Pratinjau", unavailable: "Dokumen ini belum dapat diunduh di sini.",
      pdf: "PDF", jpeg: "Gambar JPG", png: "Gambar PNG", file: "Berkas",
    },
    en: {
      subtitle: "Virtual licensing counter of DPMPTSP Kota Probolinggo",
      log: "Conversation",
      message: "Message",
      placeholder: "Type a message…",
      send: "Send",
      attach: "Send a document (JPG, PNG, PDF, max. 10 MB)",
      me: "You", bot: "SIKETAN", officer: "Officer", system: "SIKETAN",
      sending: "Sending…", sent: "Sent", failed: "Not sent.", resend: "Send again",
      uploading: "Uploading", typing: "SIKETAN is typing…",
      download: "Download", preview: "Preview", unavailable: "This document cannot be downloaded here yet.",
      pdf: "PDF", jpeg: "JPG image", png: "PNG image", file: "File",
    },
  };
  const TYPES = { "application/pdf": "pdf", "image/jpeg": "jpeg", "image/png": "png" };
  // *bold* | a web address | a reference number (kept on one line: "SKT-" / "2026-…" split it)
  const INLINE = /\*([^*\n]+)\*|(https?:\/\/[^\s<>"]*[^\s<>".,;:!?)])|(\bSKT-\d{4}-\d+\b)/g;

  const log = document.getElementById("log");
  const form = document.getElementById("send");
  const input = document.getElementById("text");
  const fileInput = document.getElementById("file");
  const attach = document.getElementById("attach");
  const typing = document.getElementById("typing");

  let session = JSON.parse(localStorage.getItem("siketan.session") || "null");
  let locale = localStorage.getItem("siketan.locale") || "id";
  let lastId = 0;
  let busy = 0;
  let socket = null;
  const shown = new Set();
  const pending = new Map(); // client message id -> the citizen's own bubble

  function t(key) { return (UI[locale] || UI.id)[key] || UI.id[key] || key; }

  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function newId() {
    if (crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2);
  }

  // -- language ----------------------------------------------------------------------------

  function applyLocale(next) {
    if (!next || !UI[next]) return;
    locale = next;
    localStorage.setItem("siketan.locale", next);
    document.documentElement.lang = next;
    for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
    for (const node of document.querySelectorAll("[data-i18n-label]")) node.setAttribute("aria-label", t(node.dataset.i18nLabel));
    for (const node of document.querySelectorAll("[data-i18n-placeholder]")) node.placeholder = t(node.dataset.i18nPlaceholder);
    if (busy) typing.textContent = t("typing");
  }

  // -- rendering ---------------------------------------------------------------------------

  function appendRich(parent, text) {
    let last = 0;
    for (const m of text.matchAll(INLINE)) {
      parent.append(text.slice(last, m.index));
      if (m[1] !== undefined) {
        const strong = el("strong");
        appendRich(strong, m[1]);
        parent.append(strong);
      } else if (m[2] !== undefined) {
        const a = el("a", "", m[2]);
        a.href = m[2];
        a.target = "_blank";
        a.rel = "noopener noreferrer";
        parent.append(a);
      } else {
        parent.append(el("span", "ref", m[3]));
      }
      last = m.index + m[0].length;
    }
    parent.append(text.slice(last));
  }

  function formatSize(bytes) {
    if (typeof bytes !== "number") return "";
    const lang = locale === "en" ? "en-GB" : "id-ID";
    const fmt = (v) => new Intl.NumberFormat(lang, { maximumFractionDigits: 1 }).format(v);
    if (bytes < 1024) return fmt(bytes) + " B";
    if (bytes < 1024 * 1024) return fmt(bytes / 1024) + " kB";
    return fmt(bytes / (1024 * 1024)) + " MB";
  }

  // Documents are fetched with the session's token (never put in a URL) and handed to the
  // browser as a local blob: nobody without the token can fetch them.
  async function fetchDocument(messageId, method) {
    const r = await fetch(base() + "/documents/" + messageId, { method: method || "GET", headers: auth() });
    if (!r.ok) throw new SendFailed("document " + r.status);
    return r;
  }

  function documentCard(doc, messageId) {
    const card = el("div", "doc");
    const name = doc.name || "dokumen";
    const meta = el("span", "meta");
    const describe = (size) => {
      meta.textContent = [t(TYPES[doc.mime] || "file"), formatSize(size)].filter(Boolean).join(" · ");
    };
    describe(doc.size);
    if (!messageId || !session) {
      card.append(el("strong", "", name), meta, el("span", "note", t("unavailable")));
      return card;
    }
    if ((doc.mime || "").startsWith("image/")) {
      const img = el("img", "preview");
      img.alt = t("preview") + ": " + name;
      card.append(img);
      fetchDocument(messageId)
        .then((r) => r.blob())
        .then((blob) => { img.src = URL.createObjectURL(blob); describe(blob.size); })
        .catch(() => img.remove());
    } else if (typeof doc.size !== "number") {
      fetchDocument(messageId, "HEAD")
        .then((r) => describe(Number(r.headers.get("content-length")) || undefined))
        .catch(() => undefined);
    }
    const download = el("button", "download");
    download.type = "button";
    download.append(el("span", "", "⬇ " + t("download") + " "), el("strong", "", name));
    download.addEventListener("click", async () => {
      try {
        const blob = await (await fetchDocument(messageId)).blob();
        const a = el("a");
        a.href = URL.createObjectURL(blob);
        a.download = name;
        document.body.append(a);
        a.click();
        a.remove();
        setTimeout(() => URL.revokeObjectURL(a.href), 60000);
      } catch (err) {
        meta.textContent = t("unavailable");
      }
    });
    card.append(download, meta);
    return card;
  }

  function bubble(author) {
    const li = el("li", "msg " + author);
    // Who spoke, for screen readers (and shown for officers, whose words carry weight).
    li.append(el("span", "who", t(author) + ": "));
    log.append(li);
    return li;
  }

  function staleButtons() {
    for (const b of log.querySelectorAll(".buttons button")) b.disabled = true;
  }

  function addButtons(li, buttons) {
    const row = el("div", "buttons");
    for (const b of buttons) {
      const btn = el("button", "", b.title);
      btn.type = "button";
      btn.addEventListener("click", () => {
        btn.classList.add("chosen");
        sendMessage({ payload: b.payload }, b.title);
      });
      row.append(btn);
    }
    li.append(row);
  }

  function scrollDown() { log.scrollTop = log.scrollHeight; }

  function showMessages(messages) {
    for (const m of messages) {
      if (m.id !== null && m.id !== undefined) {
        if (shown.has(m.id)) continue;
        shown.add(m.id);
        if (m.id > lastId) lastId = m.id;
      }
      const mine = m.author === "citizen";
      if (mine && m.client_message_id && pending.has(m.client_message_id)) continue;
      const buttons = m.buttons || [];
      // Older buttons are stale once the citizen answered, an officer spoke or newer ones came.
      if (mine || m.author === "officer" || buttons.length) staleButtons();
      const li = bubble(mine ? "me" : (m.author || "bot"));
      const body = el("div", "text");
      appendRich(body, m.text || "");
      li.append(body);
      if (m.document) li.append(documentCard(m.document, m.id));
      if (buttons.length) addButtons(li, buttons);
    }
    scrollDown();
  }

  function setStatus(li, state, retry) {
    let status = li.querySelector(".status");
    if (!status) { status = el("span", "status"); li.append(status); }
    status.replaceChildren(t(state));
    li.dataset.state = state;
    if (state === "failed" && retry) {
      const again = el("button", "resend", t("resend"));
      again.type = "button";
      again.addEventListener("click", () => { again.remove(); retry(); });
      status.append(" ", again);
      again.focus();
    }
  }

  function working(on) {
    busy = Math.max(0, busy + (on ? 1 : -1));
    typing.textContent = busy ? t("typing") : "";
    typing.classList.toggle("on", busy > 0);
  }

  // -- server ------------------------------------------------------------------------------

  class SendFailed extends Error {}

  async function ensureSession() {
    if (session) return session;
    const r = await fetch("/api/webchat/sessions", { method: "POST" });
    if (!r.ok) throw new SendFailed("session " + r.status);
    session = await r.json();
    localStorage.setItem("siketan.session", JSON.stringify(session));
    connect();
    return session;
  }

  function base() { return "/api/webchat/sessions/" + session.session_id; }
  function auth() { return { Authorization: "Bearer " + session.token }; }

  function forget() {
    localStorage.removeItem("siketan.session");
    session = null;
    if (socket) socket.close();
  }

  // 2xx, or a refusal the server explains in words (413): anything else is a failed send.
  async function answer(status, data) {
    if (status === 401 || status === 404) { forget(); throw new SendFailed("session " + status); }
    if (!(status >= 200 && status < 300) && !(data && data.messages)) throw new SendFailed("status " + status);
    return data || {};
  }

  async function postMessage(body) {
    await ensureSession();
    const r = await fetch(base() + "/messages", {
      method: "POST", headers: { ...auth(), "Content-Type": "application/json" }, body: JSON.stringify(body),
    });
    return answer(r.status, await r.json().catch(() => null));
  }

  // XMLHttpRequest, not fetch: only it reports upload progress.
  async function postFile(file, clientId, onProgress) {
    await ensureSession();
    const result = await new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open("POST", base() + "/files?client_message_id=" + encodeURIComponent(clientId));
      xhr.setRequestHeader("Authorization", auth().Authorization);
      xhr.responseType = "json";
      xhr.upload.onprogress = (e) => { if (e.lengthComputable) onProgress(e.loaded / e.total); };
      xhr.onload = () => resolve({ status: xhr.status, data: xhr.response });
      xhr.onerror = () => reject(new SendFailed("network"));
      const fd = new FormData();
      fd.append("file", file);
      xhr.send(fd);
    });
    return answer(result.status, result.data);
  }

  async function deliver(li, attempt) {
    setStatus(li, "sending");
    working(true);
    try {
      const data = await attempt();
      setStatus(li, "sent");
      applyLocale(data.locale);
      showMessages(data.messages || []);
    } catch (err) {
      // A resend keeps the same client message id, so the server never handles it twice.
      setStatus(li, "failed", () => deliver(li, attempt));
    } finally {
      working(false);
    }
  }

  function sendMessage(body, echo) {
    staleButtons();
    const clientId = newId();
    const li = bubble("me");
    const text = el("div", "text");
    appendRich(text, echo);
    li.append(text);
    pending.set(clientId, li);
    scrollDown();
    return deliver(li, () => postMessage({ ...body, client_message_id: clientId }));
  }

  function sendFile(file) {
    staleButtons();
    const clientId = newId();
    const li = bubble("me");
    if (file.type.startsWith("image/")) {
      // The citizen sees at once which photo went out (the KTP, not another picture).
      const img = el("img", "thumb");
      img.src = URL.createObjectURL(file);
      img.alt = t("preview") + ": " + file.name;
      li.append(img);
    }
    li.append(el("div", "text", "📎 " + file.name));
    const bar = el("progress");
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute("aria-label", t("uploading") + " " + file.name);
    li.append(bar);
    pending.set(clientId, li);
    scrollDown();
    return deliver(li, async () => {
      bar.hidden = false;
      try {
        return await postFile(file, clientId, (share) => { bar.value = Math.round(share * 100); });
      } finally {
        bar.hidden = true;
      }
    });
  }

  function connect() {
    if (!session || socket) return;
    const proto = location.protocol === "https:" ? "wss" : "ws";
    const ws = new WebSocket(`${proto}://${location.host}${base()}/ws?token=${encodeURIComponent(session.token)}&after=${lastId}`);
    socket = ws;
    ws.onmessage = (e) => {
      const m = JSON.parse(e.data);
      applyLocale(m.locale);
      showMessages([m]);
    };
    ws.onclose = () => {
      if (socket === ws) socket = null;
      setTimeout(connect, 3000);
    };
  }

  // Both sides of the conversation, page by page: what the citizen wrote comes back too.
  async function history() {
    let after = 0;
    let any = false;
    for (;;) {
      const r = await fetch(base() + "/history?after=" + after, { headers: auth() });
      if (r.status === 401 || r.status === 404) { forget(); return false; }
      if (!r.ok) return any;
      const data = await r.json();
      const messages = data.messages || [];
      applyLocale(data.locale);
      showMessages(messages);
      any = any || messages.length > 0;
      if (!data.more || !messages.length) return any;
      after = messages[messages.length - 1].id;
    }
  }

  // What a new visitor sees first. Nothing is sent on their behalf: the conversation (and its
  // session) starts with their own first message or button.
  async function welcome() {
    const r = await fetch("/api/webchat/welcome?locale=" + encodeURIComponent(locale));
    if (!r.ok) return;
    const data = await r.json();
    if (log.children.length) return; // the citizen already started: a late greeting would follow them
    applyLocale(data.locale);
    showMessages(data.messages || []);
  }

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    sendMessage({ text }, text);
  });
  attach.addEventListener("click", () => fileInput.click());
  fileInput.addEventListener("change", () => {
    const file = fileInput.files[0];
    fileInput.value = "";
    if (file) sendFile(file);
  });

  (async function start() {
    applyLocale(locale);
    let seen = false;
    if (session) {
      try { seen = await history(); } catch (err) { seen = false; }
    }
    if (!seen) await welcome().catch(() => undefined);
    connect();
  })();
})();

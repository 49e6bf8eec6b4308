// SIKETAN web chat widget. Every text from the server is put in the page with textContent,
// never as HTML: citizens' and officers' words are untrusted.
(function () {
  "use strict";
  const log = document.getElementById("log");
  const form = document.getElementById("send");
  const input = document.getElementById("text");
  const fileInput = document.getElementById("file");
  let session = JSON.parse(localStorage.getItem("siketan.session") || "null");
  let lastId = Number(localStorage.getItem("siketan.after") || 0);
  const shown = new Set();

  function add(cls, text, buttons) {
    const li = document.createElement("li");
    li.className = cls;
    li.textContent = text;
    if (buttons && buttons.length) {
      const row = document.createElement("div");
      row.className = "buttons";
      for (const b of buttons) {
        const btn = document.createElement("button");
        btn.type = "button";
        btn.textContent = b.title;
        btn.addEventListener("click", () => send({ payload: b.payload }, b.title));
        row.appendChild(btn);
      }
      li.appendChild(row);
    }
    log.appendChild(li);
    log.scrollTop = log.scrollHeight;
  }

  function showMessages(messages) {
    for (const m of messages) {
      if (m.id !== null && m.id !== undefined) {
        if (shown.has(m.id)) continue;
        shown.add(m.id);
        if (m.id > lastId) { lastId = m.id; localStorage.setItem("siketan.after", String(lastId)); }
      }
      add(m.author || "bot", m.text, m.buttons);
    }
  }

  async function ensureSession() {
    if (session) return session;
    const r = await fetch("/api/webchat/sessions", { method: "POST" });
    session = await r.json();
    localStorage.setItem("siketan.session", JSON.stringify(session));
    return session;
  }

  function headers() { return { "Authorization": "Bearer " + session.token }; }

  async function send(body, echo) {
    await ensureSession();
    add("me", echo);
    body.client_message_id = (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random());
    const r = await fetch(`/api/webchat/sessions/${session.session_id}/messages`, {
      method: "POST", headers: { ...headers(), "Content-Type": "application/json" }, body: JSON.stringify(body),
    });
    if (r.status === 401 || r.status === 404) { localStorage.removeItem("siketan.session"); session = null; return; }
    const data = await r.json();
    showMessages(data.messages || []);
  }

  async function upload(file) {
    await ensureSession();
    add("me", "📎 " + file.name);
    const fd = new FormData();
    fd.append("file", file);
    const r = await fetch(`/api/webchat/sessions/${session.session_id}/files`, { method: "POST", headers: headers(), body: fd });
    const data = await r.json();
    showMessages(data.messages || []);
  }

  function connect() {
    const proto = location.protocol === "https:" ? "wss" : "ws";
    const ws = new WebSocket(`${proto}://${location.host}/api/webchat/sessions/${session.session_id}/ws?token=${encodeURIComponent(session.token)}&after=${lastId}`);
    ws.onmessage = (e) => showMessages([JSON.parse(e.data)]);
    ws.onclose = () => setTimeout(connect, 3000);
  }

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    send({ text }, text);
  });
  fileInput.addEventListener("change", () => { if (fileInput.files[0]) upload(fileInput.files[0]); fileInput.value = ""; });

  (async function start() {
    const fresh = !session;
    await ensureSession();
    if (fresh) { await send({ text: "halo" }, "halo"); }
    else {
      const r = await fetch(`/api/webchat/sessions/${session.session_id}/messages?after=0`, { headers: headers() });
      if (r.ok) { lastId = 0; showMessages((await r.json()).messages || []); }
    }
    connect();
  })();
})();

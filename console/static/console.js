// Officer console: live queue and transcript. Citizen text is untrusted: only textContent here.
"use strict";

const AUTHORS = { citizen: "Warga", bot: "Bot", officer: "Petugas", system: "Sistem" };
const MODES = { bot: "dilayani bot", waiting: "menunggu petugas", officer: "dilayani petugas" };

function csrf() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
}

function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined) node.textContent = text;
  return node;
}

function minutesSince(iso) {
  if (!iso) return "";
  const ms = Date.now() - Date.parse(iso);
  const m = Math.max(0, Math.floor(ms / 60000));
  return m < 60 ? m + " mnt" : Math.floor(m / 60) + " j " + (m % 60) + " mnt";
}

function tickWaits() {
  document.querySelectorAll("#queue-body tr[data-since]").forEach((row) => {
    const cell = row.querySelector(".wait");
    if (cell) cell.textContent = minutesSince(row.dataset.since);
  });
}

function cell(label, cls) {
  const td = el("td", cls);
  if (label) td.dataset.label = label;
  return td;
}

function hidden(text) {
  return el("span", "visually-hidden", text);
}

function renderQueue(items) {
  const body = document.getElementById("queue-body");
  if (!body) return;
  body.replaceChildren();
  if (!items.length) {
    const row = el("tr", "empty");
    const empty = el("td", "", "Tidak ada warga yang menunggu.");
    empty.colSpan = 6;
    row.appendChild(empty);
    body.appendChild(row);
    return;
  }
  for (const item of items) {
    const row = el("tr");
    row.dataset.id = item.id;
    row.dataset.since = item.requested_at;
    const who = cell("Warga");
    who.append(el("strong", "name", item.name), " ", el("span", "channel", item.channel));
    const reason = cell("Alasan");
    reason.append(item.reason);
    if (item.message) reason.appendChild(el("span", "words", "\u201c" + item.message + "\u201d"));
    const last = cell("Pesan terakhir", "last");
    if (item.last_message) last.append(item.last_message, " ", el("small", "", item.last_at_local));
    else last.textContent = "-";
    const wait = cell("Menunggu", "wait");
    wait.textContent = minutesSince(item.requested_at);
    const status = cell("Status");
    status.textContent = item.status_label + (item.officer ? " \u00b7 " + item.officer : "");
    const action = cell("", "action");
    if (item.status === "open" || item.status === "ticket") {
      const form = el("form");
      form.method = "post";
      form.action = "/console/handoffs/" + encodeURIComponent(item.id) + "/claim";
      const token = el("input");
      token.type = "hidden";
      token.name = "csrf_token";
      token.value = csrf();
      const button = el("button", "claim", "Ambil ");
      button.type = "submit";
      button.appendChild(hidden("percakapan " + item.name));
      form.append(token, button);
      action.appendChild(form);
    } else {
      const link = el("a", "button", "Buka ");
      link.href = "/console/conversations/" + encodeURIComponent(item.conversation_id);
      link.appendChild(hidden("percakapan " + item.name));
      action.appendChild(link);
    }
    row.append(who, reason, last, wait, status, action);
    body.appendChild(row);
  }
}

function appendMessage(list, m) {
  if (list.querySelector('li[data-id="' + m.id + '"]')) return;
  const item = el("li", "msg " + m.author);
  item.dataset.id = m.id;
  let who = AUTHORS[m.author] || m.author;
  if (m.author === "officer" && m.author_id) who += " (" + m.author_id + ")";
  item.appendChild(el("span", "who", who + " · " + m.at_local));
  item.appendChild(el("div", "text", m.text));
  for (const f of m.files || []) {
    const box = el("div", "file");
    const url = "/console/files/" + encodeURIComponent(f.sha256) + "?name=" + encodeURIComponent(f.name);
    if (f.preview === "image") {
      const img = el("img");
      img.src = url;
      img.alt = f.name;
      box.appendChild(img);
    } else if (f.preview === "pdf") {
      const frame = el("iframe");
      frame.src = url;
      frame.title = f.name;
      box.appendChild(frame);
    }
    const link = el("a", "", "Unduh " + f.name);
    link.href = url + "&download=1";
    box.appendChild(link);
    item.appendChild(box);
  }
  if (m.buttons && m.buttons.length) item.appendChild(el("div", "buttons", "[" + m.buttons.join("] [") + "]"));
  list.appendChild(item);
  list.dataset.after = m.id;
  list.scrollTop = list.scrollHeight;
}

function live(params, onData, poll) {
  const scheme = location.protocol === "https:" ? "wss://" : "ws://";
  let socket;
  let timer = null;
  const fallback = () => {
    if (!timer) timer = setInterval(poll, 3000);
  };
  try {
    socket = new WebSocket(scheme + location.host + "/console/ws?" + params());
  } catch (e) {
    fallback();
    return;
  }
  socket.onmessage = (event) => onData(JSON.parse(event.data));
  socket.onclose = () => {
    fallback();
  };
}

function setupQueue() {
  if (!document.getElementById("queue-body")) return;
  tickWaits();
  setInterval(tickWaits, 15000);
  live(
    () => "view=queue",
    (data) => {
      if (data.type === "queue") renderQueue(data.items);
    },
    async () => {
      const r = await fetch("/console/api/queue", { credentials: "same-origin" });
      if (r.ok) renderQueue((await r.json()).items);
    }
  );
}

function setupConversation() {
  const list = document.getElementById("transcript");
  if (!list) return;
  // The newest message is what the officer answers: open the transcript at its end.
  list.scrollTop = list.scrollHeight;
  const id = list.dataset.conversation;
  live(
    () => "conversation=" + encodeURIComponent(id) + "&after=" + encodeURIComponent(list.dataset.after || "0"),
    (data) => {
      if (data.type === "message") appendMessage(list, data.message);
      if (data.type === "mode") {
        const mode = document.getElementById("mode");
        if (mode) mode.textContent = MODES[data.mode] || data.mode;
      }
    },
    async () => {
      const r = await fetch("/console/api/conversations/" + encodeURIComponent(id) + "/messages?after=" + encodeURIComponent(list.dataset.after || "0"));
      if (r.ok) for (const m of (await r.json()).messages) appendMessage(list, m);
    }
  );
  const canned = document.getElementById("canned");
  const textarea = document.getElementById("reply-text");
  if (canned && textarea) canned.addEventListener("change", () => {
    if (canned.value) textarea.value = canned.value;
  });
  const form = document.getElementById("reply-form");
  if (form && textarea) form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = textarea.value.trim();
    if (!text) return;
    const r = await fetch(form.dataset.api, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf() },
      body: JSON.stringify({ text }),
    });
    if (r.ok) {
      textarea.value = "";
    } else {
      let detail = "Pesan gagal dikirim.";
      try { detail = (await r.json()).detail || detail; } catch (e) { /* keep default */ }
      alert(detail);
    }
  });
}

document.addEventListener("DOMContentLoaded", () => {
  setupQueue();
  setupConversation();
});

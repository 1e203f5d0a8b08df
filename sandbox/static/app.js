// The sandbox's chat page: draws the state the server keeps, and posts what the visitor does.
// Bot messages arrive as safe HTML (the server converts Telegram's HTML); everything people
// typed is shown as text.
"use strict";

const TRY_COMMANDS = ["/round", "/workgroup", "/action", "/actions", "/agreement", "/summary", "/help"];

const page = {
  lang: new URLSearchParams(location.search).get("lang") || "",
  texts: {},
  state: null,
  privateId: null,   // whose private chat is shown
  seen: {},          // chat id -> message count last shown (for "unread" dots)
  drawn: {},         // pane -> fingerprint of what is drawn
  busy: false,
};

const $ = (id) => document.getElementById(id);

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child);
  return node;
}

function say(text, isError = false) {
  const notice = $("notice");
  notice.textContent = text || "";
  notice.classList.toggle("error", isError);
}

async function api(path, body) {
  const query = page.lang ? `?lang=${page.lang}` : "";
  const options = body === undefined ? {} : {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  };
  const response = await fetch(path + query, options);
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data.error || page.texts.error);
  return data;
}

// Acts run one at a time; the page is redrawn as soon as the bot has answered.
async function act(path, body, { after } = {}) {
  if (page.busy) return null;
  page.busy = true;
  document.body.classList.add("busy");
  try {
    const result = await api(path, body);
    if (after) after(result);
    say("");
    return result;
  } catch (error) {
    say(error.message, true);
    return null;
  } finally {
    await refresh();
    page.busy = false;
    document.body.classList.remove("busy");
  }
}

async function loadTexts() {
  const data = await api("/api/texts");
  page.lang = data.lang;
  page.texts = data.texts;
  document.documentElement.lang = data.lang;
  document.title = data.texts.title;
  for (const node of document.querySelectorAll("[data-text]")) {
    node.textContent = data.texts[node.dataset.text] || "";
  }
  for (const button of document.querySelectorAll("[data-lang]")) {
    button.classList.toggle("active", button.dataset.lang === data.lang);
  }
  $("group-input").placeholder = data.texts.placeholder;
  $("private-input").placeholder = data.texts.placeholder;
  $("demo").textContent = data.texts.demo;
  for (const button of document.querySelectorAll("[data-step]")) button.title = data.texts.jump_hint;
  for (const button of document.querySelectorAll("[data-menu]")) {
    button.title = data.texts.menu_hint;
    button.setAttribute("aria-label", data.texts.menu);
  }
  page.drawn = {};
}

function chatOf(id) {
  return page.state.chats.find((chat) => chat.id === id);
}

function personOf(id) {
  return page.state.people.find((person) => person.id === id);
}

function formatNow(iso) {
  const locale = page.lang === "en" ? "en-GB" : "nl-NL";
  return new Date(iso).toLocaleString(locale, {
    weekday: "short", day: "numeric", month: "short", year: "numeric",
    hour: "2-digit", minute: "2-digit", timeZone: "Europe/Amsterdam",
  });
}

function formatTime(seconds) {
  const locale = page.lang === "en" ? "en-GB" : "nl-NL";
  return new Date(seconds * 1000).toLocaleString(locale, {
    day: "numeric", month: "short", hour: "2-digit", minute: "2-digit",
    timeZone: "Europe/Amsterdam",
  });
}

function drawMessage(chat, message, actorId) {
  const bubble = el("div", { class: "msg " + (message.by_bot ? "bot" : "user"),
    "data-testid": "message", "data-message-id": String(message.id) });
  if (chat.type !== "private" || message.by_bot) {
    bubble.append(el("span", { class: "from", text: message.from }));
  }
  if (message.photo) {
    bubble.append(el("img", { src: `/api/photo/${chat.id}/${message.id}`, alt: "",
      "data-testid": "photo" }));
  }
  const body = el("div", { class: "body" });
  if (message.html !== null) body.innerHTML = message.html;  // sanitised by the server
  else body.textContent = message.text;
  for (const link of body.querySelectorAll("a[href^='https://t.me/']")) {
    link.addEventListener("click", (event) => {
      event.preventDefault();
      act("/api/link", { as: actorId(), url: link.getAttribute("href") }, { after: follow });
    });
  }
  bubble.append(body);
  if (message.document) {
    bubble.append(el("a", { href: `/api/document/${chat.id}/${message.id}`, download: message.document,
      text: `📎 ${message.document} — ${page.texts.download}` }));
  }
  const sent = formatTime(message.date);
  bubble.append(el("span", { class: "meta",
    text: message.edited ? `${page.texts.edited} · ${sent}` : sent }));
  if (message.buttons.length) {
    const keyboard = el("div", { class: "keyboard" });
    message.buttons.forEach((row, r) => {
      const line = el("div", { class: "row" });
      row.forEach((button, c) => {
        line.append(el("button", {
          class: button.url ? "url" : "callback", type: "button", text: button.text,
          title: button.text,
          onclick: () => act("/api/press",
            { as: actorId(), chat: chat.id, message: message.id, row: r, column: c },
            { after: (result) => { follow(result); popup(result && result.popup); } }),
        }));
      });
      keyboard.append(line);
    });
    bubble.append(keyboard);
  }
  return bubble;
}

// A deep-link button opens the presser's private chat with the bot, as in Telegram.
function follow(result) {
  if (result && result.open_chat) {
    page.privateId = result.open_chat;
    show("private");
  }
}

// What the bot answered to a press, as Telegram shows it: a toast that goes by itself, or an
// alert that waits for OK.
function popup(answer) {
  if (!answer) return;
  if (answer.alert) {
    $("alert-text").textContent = answer.text;
    $("alert").hidden = false;
    $("alert-ok").focus();
    return;
  }
  const toast = $("toast");
  toast.textContent = answer.text;
  toast.hidden = false;
  clearTimeout(page.toastTimer);
  page.toastTimer = setTimeout(() => { toast.hidden = true; }, 3000);
}

// On a phone one pane shows at a time.
function show(pane) {
  document.body.classList.toggle("show-group", pane === "group");
  document.body.classList.toggle("show-private", pane === "private");
}

// The "/" menu: the commands the bot set for this person in this chat (setMyCommands).
function toggleMenu(which) {
  const menu = $(`${which}-menu`);
  if (!menu.hidden) { menu.hidden = true; return; }
  const commands = (page.menus && page.menus[which]) || [];
  menu.replaceChildren();
  menu.title = page.texts.menu_hint;
  if (!commands.length) menu.append(el("p", { text: page.texts.no_menu }));
  for (const command of commands) {
    menu.append(el("button", { type: "button", "data-testid": "menu-command",
      onclick: () => {
        const input = $(`${which}-input`);
        input.value = `/${command.command} `;
        menu.hidden = true;
        input.focus();
      } },
      el("span", { class: "command", text: `/${command.command}` }),
      el("span", { class: "description", text: command.description })));
  }
  menu.hidden = false;
}

// key names the pane; the fingerprint names the chat too, since one pane shows the private
// chat of whoever is chosen: switching back to someone must draw their chat again.
function drawChat(container, chat, actorId, key) {
  const fingerprint = JSON.stringify([chat.id, chat.messages, page.lang]);
  if (page.drawn[key] === fingerprint) return;
  const switched = !String(page.drawn[key] || "").startsWith(`[${chat.id},`);
  page.drawn[key] = fingerprint;
  const nearBottom = container.scrollHeight - container.scrollTop - container.clientHeight < 80;
  const firstDraw = !container.childElementCount;
  container.replaceChildren();
  if (!chat.messages.length) container.append(el("p", { class: "empty", text: page.texts.empty }));
  for (const message of chat.messages) container.append(drawMessage(chat, message, actorId));
  if (nearBottom || firstDraw || switched) container.scrollTop = container.scrollHeight;
}

function draw() {
  const state = page.state;
  $("now").textContent = formatNow(state.now);
  $("shifted").textContent = state.shifted ? `(${state.shifted})` : "";
  $("demo").hidden = state.bot_in_group;

  const group = chatOf(state.group_id);
  $("group-title").textContent = group.title;
  const writeAs = $("write-as");
  if (writeAs.options.length !== state.people.length) {
    writeAs.replaceChildren(...state.people.map((person) =>
      el("option", { value: String(person.id), text: person.name })));
  }
  const groupActor = () => Number(writeAs.value);
  drawChat($("group-messages"), group, groupActor, "group");
  if (!state.bot_in_group && !group.messages.length) {
    $("group-messages").replaceChildren(el("p", { class: "empty", text: page.texts.no_bot }));
    page.drawn.group = null;
  }

  if (page.privateId === null) page.privateId = state.people[0].id;
  const tabs = $("tabs");
  tabs.replaceChildren(...state.people.map((person) => {
    const chat = chatOf(person.id);
    const count = chat.messages.length;
    if (person.id === page.privateId) page.seen[person.id] = count;
    const unread = count > (page.seen[person.id] || 0);
    return el("button", {
      type: "button", title: `${person.organisation} — ${person.role}`,
      class: (person.id === page.privateId ? "active" : "") + (unread ? " unread" : ""),
      "data-testid": `tab-${person.name}`, text: person.name,
      onclick: () => { page.privateId = person.id; $("private-menu").hidden = true; draw(); },
    });
  }));
  const person = personOf(page.privateId);
  $("private-sub").textContent = `${person.organisation} — ${person.role}`;
  drawChat($("private-messages"), chatOf(page.privateId), () => page.privateId, "private");
  page.menus = {
    group: personOf(Number(writeAs.value)).group_menu,
    private: person.private_menu,
  };

  const tryBox = $("try");
  if (!tryBox.childElementCount) {
    tryBox.append(el("span", { text: page.texts.try + ":" }));
    for (const command of TRY_COMMANDS) {
      tryBox.append(el("button", { type: "button", text: command,
        onclick: () => { $("private-input").value = command; $("private-input").focus(); } }));
    }
  }
}

async function refresh() {
  try {
    page.state = await api("/api/state");
    draw();
  } catch (error) {
    say(error.message, true);
  }
}

function wire() {
  $("group-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = $("group-input");
    const text = input.value;
    act("/api/send", { as: Number($("write-as").value), chat: page.state.group_id, text },
      { after: () => { input.value = ""; } });
  });
  $("private-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = $("private-input");
    const text = input.value;
    act("/api/send", { as: page.privateId, chat: page.privateId, text },
      { after: () => { input.value = ""; } });
  });
  $("demo").addEventListener("click", () => {
    say(page.texts.demo_busy);
    act("/api/demo", {}).then((result) => { if (result) say(page.texts.demo_done); });
  });
  for (const button of document.querySelectorAll("[data-step]")) {
    button.addEventListener("click", () => act("/api/jump", { step: button.dataset.step }));
  }
  $("alert-ok").addEventListener("click", () => { $("alert").hidden = true; });
  for (const button of document.querySelectorAll("[data-show]")) {
    button.addEventListener("click", () => show(button.dataset.show));
  }
  for (const button of document.querySelectorAll("[data-menu]")) {
    button.addEventListener("click", () => toggleMenu(button.dataset.menu));
  }
  $("write-as").addEventListener("change", () => { $("group-menu").hidden = true; draw(); });
  for (const button of document.querySelectorAll("[data-lang]")) {
    button.addEventListener("click", async () => {
      page.lang = button.dataset.lang;
      history.replaceState(null, "", `?lang=${page.lang}`);
      $("try").replaceChildren();
      await loadTexts();
      await refresh();
      say(page.texts.language_note);  // the bot's own language does not follow the page
    });
  }
}

(async () => {
  await loadTexts();
  wire();
  await refresh();
  setInterval(() => { if (!page.busy) refresh(); }, 1000);
})();

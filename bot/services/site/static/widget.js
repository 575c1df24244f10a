// Customer web chat widget for the Rasa socket.io channel.
// Vanilla ES2017, no framework, no build step. Every piece of text goes into the
// DOM through textContent / text nodes, never innerHTML.
// Expects window.io (socket.io-client 4.x) and window.TELEBOT_CONFIG
// ({socketUrl, socketPath}) to be set by the scripts loaded before this one.
"use strict";

(() => {
  const SESSION_KEY = "telebot_session";
  const MAX_LENGTH = 500;
  const TYPING_AFTER_BURST_MS = 800;
  const TYPING_TIMEOUT_MS = 20000;
  const MOBILE_QUERY = "(max-width: 599.98px)";

  const TEXT = {
    launcher: "在线客服",
    title: "智能客服 小翼",
    subtitle: "7×24 小时在线为您服务",
    dialogLabel: "在线客服：智能客服小翼",
    close: "关闭",
    closeLabel: "关闭在线客服",
    placeholder: "请输入您的问题…",
    inputLabel: "输入您的问题",
    send: "发送",
    connecting: "正在连接…",
    reconnecting: "连接已断开，正在重连…",
    unavailable: "在线客服暂时无法使用，请稍后再试或拨打客服热线。",
    typing: "小翼正在输入",
    queuedTitle: "正在转接人工客服",
    queuedSubtitle: "请稍候，客服接入后会在这里回复您",
    agentTitle: (name) => (name ? `人工客服 ${name}` : "人工客服"),
    agentSubtitle: "人工客服正在为您服务",
    agentLabel: (name) => (name ? `客服 ${name}` : "人工客服"),
    messagesLabel: "聊天记录",
    imageAlt: "图片",
    welcome:
      "您好，我是智能客服小翼，可以帮您查话费流量、查账单、交费、退订套餐、报修和投诉。请问有什么可以帮您？",
  };

  // ---------------------------------------------------------------------------
  // Helpers

  // Small element builder; children may be nodes or strings (added as text nodes).
  function el(tag, { className, text, attrs } = {}, children = []) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (attrs) {
      for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
    }
    for (const child of children) {
      if (child !== null && child !== undefined && child !== false) node.append(child);
    }
    return node;
  }

  // localStorage can be unavailable (privacy modes, blocked storage): fall back
  // to memory for the session id so the page still works.
  let memorySession = null;

  function readSession() {
    try {
      const stored = window.localStorage.getItem(SESSION_KEY);
      if (stored !== null) return stored;
    } catch (_) {
      // storage not available
    }
    return memorySession;
  }

  function writeSession(sessionId) {
    memorySession = sessionId;
    try {
      window.localStorage.setItem(SESSION_KEY, sessionId);
    } catch (_) {
      // storage not available: the id lives in memory for this page only
    }
  }

  // Image sources we are willing to show: same-site paths or http(s) URLs.
  function isAllowedImageSrc(src) {
    return typeof src === "string" && (src.startsWith("/") || /^https?:\/\//i.test(src));
  }

  // ---------------------------------------------------------------------------
  // Widget

  class TelebotWidget {
    constructor(config) {
      this.config = config || {};
      this.socket = null;
      this.sessionId = null; // confirmed by the server for the current connection
      this.ready = false; // true between session_confirm and disconnect
      this.everConnected = false;
      this.isOpen = false;
      this.openedOnce = false;
      this.transcript = []; // {from: "user" | "bot", text} for this page only, never stored
      this.unread = 0;
      this.typingBurstTimer = null;
      this.typingTimeoutTimer = null;
      this.scrollPending = false;
      // Who answers: "bot", "queued" (waiting for a person) or "agent"; told by the server's
      // handoff_state event (bot/rasa/channels/handoff_output.py).
      this.handoff = "bot";
      this.agentName = "";
    }

    start() {
      this.build();
      this.bindUi();
      this.setStatus(TEXT.connecting);
      this.updateInputState();
      this.connect();
      if (new URLSearchParams(window.location.search).get("chat") === "open") this.open();
    }

    // -- DOM ------------------------------------------------------------------

    build() {
      this.badge = el("span", { className: "telebot-badge", attrs: { "aria-hidden": "true" } });
      this.badge.hidden = true;
      this.launcher = el(
        "button",
        {
          className: "telebot-launcher",
          attrs: {
            id: "telebot-launcher",
            type: "button",
            "aria-label": TEXT.launcher,
            "aria-controls": "telebot-panel",
            "aria-expanded": "false",
          },
        },
        [
          el("span", { className: "telebot-launcher-icon", attrs: { "aria-hidden": "true" } }),
          el("span", { className: "telebot-launcher-text", text: TEXT.launcher }),
          this.badge,
        ],
      );

      this.closeButton = el("button", {
        className: "telebot-close",
        text: "×",
        attrs: { id: "telebot-close", type: "button", "aria-label": TEXT.closeLabel, title: TEXT.close },
      });
      const header = el("div", { className: "telebot-header" }, [
        (this.avatar = el("div", { className: "telebot-avatar", text: "翼", attrs: { "aria-hidden": "true" } })),
        el("div", { className: "telebot-heading" }, [
          (this.title = el("div", { className: "telebot-title", text: TEXT.title, attrs: { id: "telebot-title" } })),
          (this.subtitle = el("div", { className: "telebot-subtitle", text: TEXT.subtitle })),
        ]),
        this.closeButton,
      ]);

      this.status = el("div", {
        className: "telebot-status",
        attrs: { id: "telebot-status", role: "status", "aria-live": "polite" },
      });

      this.messages = el("div", {
        className: "telebot-messages",
        attrs: {
          id: "telebot-messages",
          role: "log",
          "aria-live": "polite",
          "aria-label": TEXT.messagesLabel,
        },
      });
      this.typing = el(
        "div",
        { className: "telebot-typing", attrs: { id: "telebot-typing" } },
        [
          el("span", { className: "telebot-dots", attrs: { "aria-hidden": "true" } }, [
            el("span", { className: "telebot-dot" }),
            el("span", { className: "telebot-dot" }),
            el("span", { className: "telebot-dot" }),
          ]),
          el("span", { className: "telebot-typing-text", text: TEXT.typing }),
        ],
      );
      this.typing.hidden = true;
      this.scroller = el("div", { className: "telebot-body" }, [this.messages, this.typing]);

      this.input = el("input", {
        className: "telebot-input",
        attrs: {
          id: "telebot-input",
          type: "text",
          placeholder: TEXT.placeholder,
          maxlength: String(MAX_LENGTH),
          autocomplete: "off",
          enterkeyhint: "send",
          "aria-label": TEXT.inputLabel,
        },
      });
      this.sendButton = el("button", {
        className: "telebot-send",
        text: TEXT.send,
        attrs: { id: "telebot-send", type: "button" },
      });
      const composer = el("div", { className: "telebot-composer" }, [this.input, this.sendButton]);

      this.panel = el(
        "div",
        {
          className: "telebot-panel",
          attrs: { id: "telebot-panel", role: "dialog", "aria-label": TEXT.dialogLabel },
        },
        [header, this.status, this.scroller, composer],
      );
      this.panel.hidden = true;

      this.root = el("div", { className: "telebot-root" }, [this.launcher, this.panel]);
      document.body.append(this.root);
    }

    bindUi() {
      this.launcher.addEventListener("click", () => this.open());
      this.closeButton.addEventListener("click", () => this.close());
      this.panel.addEventListener("keydown", (event) => {
        if (event.key === "Escape" && !event.isComposing) {
          event.preventDefault();
          this.close();
        }
      });
      this.sendButton.addEventListener("click", () => this.sendFromInput());
      this.input.addEventListener("keydown", (event) => {
        // keyCode 229 covers browsers that end composition before reporting isComposing.
        if (event.key !== "Enter" || event.isComposing || event.keyCode === 229) return;
        if (event.shiftKey || event.altKey || event.ctrlKey || event.metaKey) return;
        event.preventDefault();
        this.sendFromInput();
      });
    }

    open() {
      if (this.isOpen) return;
      this.isOpen = true;
      this.panel.hidden = false;
      this.launcher.hidden = true;
      this.launcher.setAttribute("aria-expanded", "true");
      document.documentElement.classList.add("telebot-is-open");
      this.setUnread(0);
      if (!this.openedOnce) {
        this.openedOnce = true;
        if (this.transcript.length === 0) this.addBotMessage({ text: TEXT.welcome }, { local: true });
      }
      this.scrollToBottom();
      this.focusComposer();
    }

    close() {
      if (!this.isOpen) return;
      this.isOpen = false;
      this.panel.hidden = true;
      this.launcher.hidden = false;
      this.launcher.setAttribute("aria-expanded", "false");
      document.documentElement.classList.remove("telebot-is-open");
      this.launcher.focus();
    }

    focusComposer() {
      if (!this.isOpen) return;
      // Do not pop up the on-screen keyboard by itself on small screens.
      const small = window.matchMedia && window.matchMedia(MOBILE_QUERY).matches;
      if (this.ready && !small) this.input.focus();
      else if (!this.panel.contains(document.activeElement)) this.closeButton.focus();
    }

    setStatus(text) {
      this.status.textContent = text || "";
      this.status.hidden = !text;
    }

    setUnread(count) {
      this.unread = count;
      this.badge.textContent = count > 99 ? "99+" : String(count);
      this.badge.hidden = count === 0;
    }

    updateInputState() {
      this.input.disabled = !this.ready;
      this.sendButton.disabled = !this.ready;
    }

    scrollToBottom() {
      if (this.scrollPending) return;
      this.scrollPending = true;
      window.requestAnimationFrame(() => {
        this.scrollPending = false;
        this.scroller.scrollTop = this.scroller.scrollHeight;
      });
    }

    // -- Messages -------------------------------------------------------------

    addUserMessage(text) {
      this.transcript.push({ from: "user", text });
      const bubble = el("div", { className: "telebot-bubble", text });
      this.messages.append(el("div", { className: "telebot-msg telebot-user" }, [bubble]));
      this.scrollToBottom();
    }

    // A line of its own, not a bubble: 客服 王芳 已接入，正在为您服务。
    addNotice(text) {
      this.messages.append(el("div", { className: "telebot-notice", text, attrs: { role: "status" } }));
      this.transcript.push({ from: "notice", text });
      this.scrollToBottom();
    }

    // -- Handoff ----------------------------------------------------------------

    // The conversation went to the queue, an agent took it, or the bot is back.
    applyHandoff(update) {
      if (!update || typeof update !== "object") return;
      const state = ["bot", "queued", "agent"].includes(update.state) ? update.state : null;
      if (!state) return;
      const name = typeof update.agent_name === "string" ? update.agent_name.trim().slice(0, 32) : "";
      this.hideTyping();
      if (typeof update.notice === "string" && update.notice.trim() !== "") this.addNotice(update.notice);
      this.setHandoff(state, name || (state === "agent" ? this.agentName : ""));
    }

    setHandoff(state, agentName) {
      this.handoff = state;
      this.agentName = state === "agent" ? agentName : "";
      const titles = {
        bot: [TEXT.title, TEXT.subtitle],
        queued: [TEXT.queuedTitle, TEXT.queuedSubtitle],
        agent: [TEXT.agentTitle(this.agentName), TEXT.agentSubtitle],
      };
      this.title.textContent = titles[state][0];
      this.subtitle.textContent = titles[state][1];
      this.avatar.textContent = state === "bot" ? "翼" : "客";
      this.panel.classList.toggle("telebot-with-agent", state === "agent");
      this.panel.classList.toggle("telebot-queued", state === "queued");
    }

    // Renders one bot_uttered payload. Returns true when something was shown.
    addBotMessage(message, { local = false } = {}) {
      if (!message || typeof message !== "object") return false;
      const agentName = typeof message.agent_name === "string" ? message.agent_name.trim().slice(0, 32) : null;
      if (agentName !== null && this.handoff !== "agent") this.setHandoff("agent", agentName);
      const parts = [];
      let text = null;

      if (typeof message.text === "string" || typeof message.text === "number") {
        text = String(message.text);
        if (text.trim() !== "") parts.push(el("div", { className: "telebot-text", text }));
      }

      const attachment = message.attachment;
      if (attachment && typeof attachment === "object" && attachment.type === "image") {
        const src = attachment.payload && attachment.payload.src;
        if (isAllowedImageSrc(src)) {
          const img = el("img", { className: "telebot-image", attrs: { alt: TEXT.imageAlt } });
          img.addEventListener("load", () => this.scrollToBottom());
          img.src = src;
          parts.push(img);
        }
      }

      const choices = this.choicesOf(message);
      if (parts.length === 0 && choices.length === 0) return false;

      const row = el("div", { className: agentName !== null ? "telebot-msg telebot-bot telebot-agent" : "telebot-msg telebot-bot" });
      if (agentName !== null) row.append(el("div", { className: "telebot-sender", text: TEXT.agentLabel(agentName) }));
      if (parts.length > 0) row.append(el("div", { className: "telebot-bubble" }, parts));
      if (choices.length > 0) row.append(this.renderQuickReplies(choices));
      this.messages.append(row);
      this.transcript.push({ from: agentName !== null ? "agent" : "bot", text: text || "", local });
      this.scrollToBottom();
      return true;
    }

    // quick_replies (Rasa's socket.io output) or buttons, as [{title, payload}].
    choicesOf(message) {
      let raw = Array.isArray(message.quick_replies) ? message.quick_replies : [];
      if (raw.length === 0 && Array.isArray(message.buttons)) raw = message.buttons;
      const choices = [];
      for (const item of raw) {
        if (!item || typeof item !== "object") continue;
        const title = item.title === undefined || item.title === null ? "" : String(item.title);
        const payload = item.payload === undefined || item.payload === null ? title : String(item.payload);
        if (title.trim() === "" || payload.trim() === "") continue;
        choices.push({ title, payload });
      }
      return choices;
    }

    renderQuickReplies(choices) {
      const group = el("div", { className: "telebot-quick-replies", attrs: { role: "group" } });
      for (const choice of choices) {
        const button = el("button", {
          className: "telebot-quick-reply",
          text: choice.title,
          attrs: { type: "button" },
        });
        button.addEventListener("click", () => {
          if (button.disabled) return;
          if (!this.send(choice.payload, choice.title)) return;
          for (const other of group.querySelectorAll(".telebot-quick-reply")) other.disabled = true;
          button.classList.add("telebot-quick-reply-chosen");
          group.classList.add("telebot-quick-replies-used");
          this.focusComposer();
        });
        group.append(button);
      }
      return group;
    }

    // -- Sending --------------------------------------------------------------

    sendFromInput() {
      const text = this.input.value.trim().slice(0, MAX_LENGTH);
      if (text === "") return;
      if (this.send(text, text)) this.input.value = "";
    }

    // Sends `message` to the server and shows `display` as the user's bubble.
    send(message, display) {
      if (!this.ready || !this.socket || !this.sessionId) return false;
      this.socket.emit("user_uttered", { message, session_id: this.sessionId });
      this.addUserMessage(display);
      // Only the bot answers at once; a person's answer is not announced by typing dots.
      if (this.handoff === "bot") this.showTyping();
      return true;
    }

    // -- Typing indicator -----------------------------------------------------

    showTyping() {
      window.clearTimeout(this.typingBurstTimer);
      window.clearTimeout(this.typingTimeoutTimer);
      this.typing.hidden = false;
      this.typingTimeoutTimer = window.setTimeout(() => this.hideTyping(), TYPING_TIMEOUT_MS);
      this.scrollToBottom();
    }

    // A bot message arrived: the answer is under way, and the indicator goes
    // once the burst of messages is over.
    botMessageArrived() {
      window.clearTimeout(this.typingTimeoutTimer);
      window.clearTimeout(this.typingBurstTimer);
      if (this.typing.hidden) return;
      this.typingBurstTimer = window.setTimeout(() => this.hideTyping(), TYPING_AFTER_BURST_MS);
    }

    hideTyping() {
      window.clearTimeout(this.typingBurstTimer);
      window.clearTimeout(this.typingTimeoutTimer);
      this.typing.hidden = true;
    }

    // -- Connection -----------------------------------------------------------

    connect() {
      if (typeof window.io !== "function" || !this.config.socketUrl) {
        this.setStatus(TEXT.unavailable);
        return;
      }
      const socket = window.io(this.config.socketUrl, {
        path: this.config.socketPath,
        transports: ["websocket", "polling"],
      });
      this.socket = socket;

      // Fires on the first connection and again after every reconnection.
      socket.on("connect", () => {
        this.everConnected = true;
        this.ready = false;
        this.updateInputState();
        socket.emit("session_request", { session_id: readSession() });
      });

      socket.on("session_confirm", (data) => {
        // The server assigns the id; it may differ from the one we sent.
        const sessionId =
          typeof data === "string" ? data : data && typeof data.session_id === "string" ? data.session_id : null;
        if (!sessionId) return;
        this.sessionId = sessionId;
        writeSession(sessionId);
        const focusAfter = this.isOpen && (document.activeElement === document.body || !document.activeElement);
        this.ready = true;
        this.setStatus("");
        this.updateInputState();
        if (focusAfter) this.focusComposer();
      });

      socket.on("handoff_state", (update) => this.applyHandoff(update));

      socket.on("bot_uttered", (message) => {
        const shown = this.addBotMessage(message);
        this.botMessageArrived();
        if (shown && !this.isOpen) this.setUnread(this.unread + 1);
      });

      socket.on("disconnect", (reason) => {
        this.ready = false;
        this.updateInputState();
        this.hideTyping();
        this.setStatus(TEXT.reconnecting);
        // A disconnect decided by the server is not retried by the client on its own.
        if (reason === "io server disconnect") socket.connect();
      });

      socket.on("connect_error", () => {
        this.setStatus(this.everConnected ? TEXT.reconnecting : TEXT.connecting);
      });
    }
  }

  function start() {
    if (document.getElementById("telebot-launcher")) return; // already started
    new TelebotWidget(window.TELEBOT_CONFIG).start();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

// The engine's server-sent events, read with fetch() so the request can carry
// an Authorization header, which the browser's EventSource cannot send.

import { ApiError, authHeaders, errorFrom } from "./api.js";

// The server sends a keep-alive comment every 15 s; silence for longer than
// this means the connection died without closing.
const SILENCE_LIMIT_MS = 35_000;
const MAX_RETRY_MS = 30_000;

/**
 * Parse the text/event-stream format: "field: value" lines, a blank line
 * ending each message, ":" starting a comment, and CRLF, LF or CR line ends.
 */
export class SseParser {
  constructor(onMessage) {
    this.onMessage = onMessage;
    this.buffer = "";
    this.retryMs = null;
    this.#reset();
  }

  /** Feed decoded text; call onMessage for every complete message. */
  feed(text) {
    this.buffer += text;
    for (;;) {
      const end = this.buffer.search(/[\r\n]/);
      if (end === -1) return;
      // A CR at the end of the buffer may be the first half of a CRLF.
      if (this.buffer[end] === "\r" && end === this.buffer.length - 1) return;
      const width = this.buffer.startsWith("\r\n", end) ? 2 : 1;
      const line = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + width);
      this.#line(line);
    }
  }

  #line(line) {
    if (line === "") {
      this.#dispatch();
      return;
    }
    if (line.startsWith(":")) return;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") this.event = value;
    else if (field === "data") this.data.push(value);
    else if (field === "retry" && /^\d+$/.test(value)) this.retryMs = Number(value);
  }

  #dispatch() {
    if (this.data.length > 0) {
      this.onMessage({ event: this.event || "message", data: this.data.join("\n") });
    }
    this.#reset();
  }

  #reset() {
    this.event = "";
    this.data = [];
  }
}

/**
 * Keep one event stream open, reconnecting with a growing delay after a
 * failure. `onState` receives {state: "connecting" | "live" | "disconnected",
 * reason, status, retryAt}; `onEvent` receives each message with its JSON
 * data decoded.
 */
export class EventStream {
  constructor(url, { onEvent, onState }) {
    this.url = url;
    this.onEvent = onEvent;
    this.onState = onState;
    this.controller = null;
    this.wake = null;
    this.failures = 0;
    this.retryMs = 3000;
    this.restarting = false;
  }

  start() {
    this.#run();
  }

  /** Drop the connection and reconnect now, for example with a new token. */
  restart() {
    this.failures = 0;
    if (this.controller !== null) {
      this.restarting = true;
      this.controller.abort(new Error("connection restarted"));
    }
    this.wake?.();
  }

  async #run() {
    for (;;) {
      let reason;
      let status = 0;
      try {
        await this.#connect();
        reason = "the server closed the stream";
      } catch (error) {
        if (error instanceof ApiError) {
          status = error.status;
          reason = error.detail || error.title;
        } else if (error.name === "AbortError") {
          reason = this.controller?.signal.reason?.message ?? "connection restarted";
        } else {
          reason = error.message || String(error);
        }
      }
      this.controller = null;
      if (this.restarting) {
        this.restarting = false;
        continue;
      }
      this.failures += 1;
      const delay = Math.min(this.retryMs * 2 ** (this.failures - 1), MAX_RETRY_MS);
      this.onState({ state: "disconnected", reason, status, retryAt: Date.now() + delay });
      await this.#sleep(delay);
    }
  }

  async #connect() {
    const controller = new AbortController();
    this.controller = controller;
    this.onState({ state: "connecting" });
    const response = await fetch(this.url, {
      headers: { Accept: "text/event-stream", ...authHeaders() },
      cache: "no-store",
      signal: controller.signal,
    });
    if (!response.ok) throw await errorFrom(response);
    this.failures = 0;
    this.onState({ state: "live" });

    const parser = new SseParser((message) => this.#deliver(message));
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let watchdog = this.#watch(controller);
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        clearTimeout(watchdog);
        watchdog = this.#watch(controller);
        parser.feed(value);
        if (parser.retryMs !== null) this.retryMs = parser.retryMs;
      }
    } finally {
      clearTimeout(watchdog);
      controller.abort();
    }
  }

  #watch(controller) {
    return setTimeout(() => {
      controller.abort(new Error(`no data for ${SILENCE_LIMIT_MS / 1000} s`));
    }, SILENCE_LIMIT_MS);
  }

  #deliver(message) {
    let data = null;
    try {
      data = JSON.parse(message.data);
    } catch {
      return; // Every engine event carries JSON, so anything else is skipped.
    }
    this.onEvent(message.event, data);
  }

  #sleep(ms) {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

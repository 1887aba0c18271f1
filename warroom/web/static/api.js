// Calls to the sidecar's REST API with the session's token and actor name.

const TOKEN_KEY = "warroom.token";
const ACTOR_KEY = "warroom.actor";

/**
 * The API token and actor name of this browser tab. Both live in
 * sessionStorage, so they end with the tab and never reach the URL,
 * localStorage or a log.
 */
export const credentials = {
  get token() {
    return sessionStorage.getItem(TOKEN_KEY) ?? "";
  },
  set token(value) {
    if (value) sessionStorage.setItem(TOKEN_KEY, value);
    else sessionStorage.removeItem(TOKEN_KEY);
  },
  get actor() {
    return sessionStorage.getItem(ACTOR_KEY) ?? "";
  },
  set actor(value) {
    if (value) sessionStorage.setItem(ACTOR_KEY, value);
    else sessionStorage.removeItem(ACTOR_KEY);
  },
};

/** An error response (RFC 9457 problem details) or a failed request. */
export class ApiError extends Error {
  constructor(status, title, detail, body = {}) {
    super(detail || title);
    this.status = status;
    this.title = title;
    this.detail = detail;
    this.body = body;
  }
}

/** Return the Authorization header for the token, if one is set. */
export function authHeaders() {
  const token = credentials.token;
  return token ? { Authorization: `Bearer ${token}` } : {};
}

/** Build an ApiError from a non-2xx response, reading its problem details. */
export async function errorFrom(response) {
  let body = {};
  try {
    body = await response.json();
  } catch {
    // Not JSON (a proxy's error page, for example): the status line is enough.
  }
  const title = typeof body.title === "string" ? body.title : response.statusText;
  const detail = typeof body.detail === "string" ? body.detail : "";
  return new ApiError(response.status, title || `HTTP ${response.status}`, detail, body);
}

/**
 * Send one request and return the decoded JSON body; raise ApiError on an
 * error status or when the sidecar cannot be reached. Mutations carry
 * X-Warroom-Actor when the user typed a name.
 */
export async function request(method, path, body = undefined, options = {}) {
  const headers = { Accept: "application/json", ...authHeaders() };
  if (method !== "GET" && credentials.actor) headers["X-Warroom-Actor"] = credentials.actor;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: "no-store",
      signal: options.signal,
    });
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ApiError(0, "No response", networkMessage(error));
  }
  if (!response.ok) throw await errorFrom(response);
  return response.status === 204 ? null : response.json();
}

function networkMessage(error) {
  return `the sidecar did not respond (${error.message}); check that warroom is still running`;
}

/** Return true if `text` can go in an HTTP header as typed (printable ASCII). */
export function isHeaderSafe(text) {
  return /^[\x20-\x7e]*$/.test(text);
}

/** Describe an error in plain words for the person at the screen. */
export function describeError(error, action = "") {
  const prefix = action ? `${action} failed: ` : "";
  if (!(error instanceof ApiError)) return `${prefix}${error.message || error}`;
  const detail = sentence(error.detail || error.title);
  switch (error.status) {
    case 0:
      return `${prefix}${detail}`;
    case 401:
      return (
        `${prefix}not authorized: ${detail} Enter the sidecar's API token ` +
        "(sidecar.token or WARROOM_API_TOKEN) in the token field."
      );
    case 403:
      return `${prefix}forbidden: ${detail}`;
    default:
      return `${prefix}${error.title} (${error.status}): ${detail}`;
  }
}

function sentence(text) {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

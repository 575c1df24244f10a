// JSON requests to the console's same-origin API.

export class ApiError extends Error {
  constructor(status, data) {
    super((data && data.message) || `HTTP ${status}`);
    this.status = status;
    this.code = (data && data.error) || null;
    this.data = data;
    this.redirecting = false;
  }
}

// JSON request to the same-origin API. On 401 it sends the browser to the
// login page (unless redirectOn401 is false) and still rejects, with
// err.redirecting set so callers can stay quiet.
export async function api(path, { method = "GET", body, redirectOn401 = true } = {}) {
  const init = { method, credentials: "same-origin", headers: { Accept: "application/json" } };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  const raw = await response.text();
  let data = null;
  if (raw) {
    try {
      data = JSON.parse(raw);
    } catch (_) {
      data = null;
    }
  }
  if (!response.ok) {
    const error = new ApiError(response.status, data);
    if (response.status === 401 && redirectOn401) {
      error.redirecting = true;
      location.href = "/login";
    }
    throw error;
  }
  return data;
}

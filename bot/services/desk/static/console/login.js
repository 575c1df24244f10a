// The login page.
import { ApiError, api } from "./api.js";

export function initLogin() {
  const form = document.getElementById("login-form");
  const username = document.getElementById("username");
  const password = document.getElementById("password");
  const button = document.getElementById("login-button");
  const error = document.getElementById("login-error");

  const showError = (text) => {
    error.textContent = text;
    error.hidden = false;
  };

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.hidden = true;
    const name = username.value.trim();
    if (!name || !password.value) {
      showError("请输入工号和密码");
      (name ? password : username).focus();
      return;
    }
    button.disabled = true;
    button.textContent = "登录中…";
    try {
      await api("/api/login", {
        method: "POST",
        body: { username: name, password: password.value },
        redirectOn401: false,
      });
      location.href = "/";
      return;
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        showError("工号或密码错误");
        password.value = "";
        password.focus();
      } else if (err instanceof ApiError && err.status === 429) {
        // Login throttle (bot/services/desk/login_throttle.py): too many failures for this account or address.
        const minutes = Math.max(1, Math.ceil(((err.data && err.data.retry_after) || 900) / 60));
        showError(`登录失败次数过多，请 ${minutes} 分钟后再试。`);
        password.value = "";
      } else if (err instanceof ApiError && err.status === 403) {
        showError("登录请求来源不被允许，请直接打开坐席工作台的地址后登录。");
      } else {
        showError("登录失败，请稍后再试");
      }
    }
    button.disabled = false;
    button.textContent = "登录";
  });
}
